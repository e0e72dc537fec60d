"""Batched meiosis on bit-packed haplotypes: gametes, crosses, selfing and doubled haploids.

Crossovers follow a Poisson process on each chromosome's meiosis (Haldane-equivalent)
positions (Haldane 1919; Kosambi maps are converted interval by interval in
:class:`~bsl.runtime.genome.GenomeLayout`). A crossover between loci k−1 and k switches
the source homologue for every locus ≥ k, so a gamete's mask is the XOR of the suffix
masks of its crossovers. We never build a (gametes × crossovers × words) table: a word
without a crossover is copied whole from the homologue given by the parity of the earlier
crossovers (a cumulative sum), and only the few words holding a crossover get a bit mask
(a prefix XOR of their crossover bits by shift doubling).
"""

from __future__ import annotations

import numpy as np
import torch

from bsl.runtime import rng

from bsl.runtime.genome import GenomeLayout


class Meiosis:
    """Precomputed tables that turn crossover draws into gametes for one layout and device."""

    def __init__(self, layout: GenomeLayout, device: torch.device | str = "cpu", method: str = "auto") -> None:
        """method: "poisson" (crossover counts and positions), "intervals" (one draw per adjacent
        interval; only when every chromosome fits in one word) or "auto" (intervals when they fit)."""
        self.layout = layout
        self.device = torch.device(device)
        fits = all(n <= 64 for n in layout.loci_per_chromosome)
        if method not in ("auto", "poisson", "intervals") or (method == "intervals" and not fits):
            raise ValueError(f"meiosis method {method!r}: choose auto, poisson, or intervals (chromosomes of <= 64 loci)")
        self.method = ("intervals" if fits else "poisson") if method == "auto" else method
        if self.method == "intervals":
            self._interval_tables(layout)
        dev, f64, i64 = self.device, torch.float64, torch.int64
        first = np.array([p[0] for p in layout.meiosis_positions])
        lengths = np.array([p[-1] - p[0] for p in layout.meiosis_positions])  # Morgans
        # Chromosomes laid end to end with a 1 M gap, so one searchsorted over all loci
        # maps a crossover at offset + u·length to the global index of the first locus
        # to its right, always within its own chromosome.
        offsets = np.concatenate([[0.0], np.cumsum(lengths + 1.0)[:-1]])
        shifted = np.concatenate(
            [p - p0 + o for p, p0, o in zip(layout.meiosis_positions, first, offsets)]
        )
        self.num_chromosomes = layout.num_chromosomes
        self.num_loci = layout.num_loci
        self.num_words = layout.num_words
        self.lengths = torch.tensor(lengths, dtype=f64, device=dev)  # (C,)
        self.offsets = torch.tensor(offsets, dtype=f64, device=dev)  # (C,)
        self.shifted_positions = torch.tensor(shifted, dtype=f64, device=dev)  # (L,)
        self.locus_word = torch.tensor(layout.word, dtype=i64, device=dev)  # (L,)
        self.locus_bit_value = torch.bitwise_left_shift(
            torch.ones((), dtype=i64, device=dev), torch.tensor(layout.bit, dtype=i64, device=dev)
        )  # (L,) 1 << bit, bit 63 gives the sign bit
        first_word = np.asarray(layout.word_offset)
        end_word = first_word + np.asarray(layout.words_per_chromosome)
        self.first_word = torch.tensor(first_word, dtype=i64, device=dev)  # (C,)
        self.end_word = torch.tensor(end_word, dtype=i64, device=dev)  # (C,) one past the last
        self.locus_end_word = self.end_word[torch.tensor(layout.chromosome, dtype=i64, device=dev)]  # (L,)

    def _switches(
        self, start: torch.Tensor, gamete: torch.Tensor, locus: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The recombination mask in sparse form, see :meth:`masks`.

        Returns ``homologue (B, W + 1)`` int64 0/1, the homologue a whole word copies once
        every crossover in earlier words is counted (column W is scratch); ``touched (T,)``
        the flat indices into that table of the words holding a crossover; and
        ``bits (T,)`` the within-word prefix XOR of their crossovers, to XOR into the word.
        """
        B, W, L = start.shape[0], self.num_words, self.num_loci
        dev, i64 = self.device, torch.int64
        # Keep each (gamete, locus) with an odd multiplicity. The keys are already grouped by
        # gamete, so the sort is cheap; torch.unique would be many times slower on CPU.
        key, count = torch.unique_consecutive(torch.sort(gamete * L + locus).values, return_counts=True)
        key = key[(count & 1) == 1]
        g, loc = key // L, key % L
        # (index_select/take rather than [] indexing: much faster for 1-D gathers on CPU.)
        loc_word = self.locus_word.index_select(0, loc)
        word = g * (W + 1) + loc_word  # (X',) flat, sorted

        # Across words: a crossover flips every later word of its chromosome, and starting
        # on homologue 1 flips all its words. Write +1 where a flip begins and −1 at the
        # chromosome's end (column W absorbs the last one); a cumulative sum counts flips.
        flips = torch.zeros(B * (W + 1), dtype=i64, device=dev)
        ones = torch.ones_like(key)
        flips.index_add_(0, word + 1, ones)
        flips.index_add_(0, word - loc_word + self.locus_end_word.index_select(0, loc), ones.neg_())
        base = (torch.arange(B, device=dev) * (W + 1))[:, None]  # (B, 1)
        flips.index_add_(0, (base + self.first_word).view(-1), start.reshape(-1))
        flips.index_add_(0, (base + self.end_word).view(-1), start.neg().reshape(-1))
        homologue = torch.cumsum(flips.view(B, W + 1), dim=1)  # (B, W + 1) flip counts
        homologue &= 1

        # Within a word: the bits of its crossovers (distinct loci, so a sum is an XOR),
        # then a prefix XOR by doubling shifts, for the few words holding a crossover.
        touched, which = torch.unique_consecutive(word, return_inverse=True)
        bits = torch.zeros(touched.shape[0], dtype=i64, device=dev)
        bits.index_add_(0, which, self.locus_bit_value.index_select(0, loc))
        for shift in (1, 2, 4, 8, 16, 32):
            bits ^= bits << shift
        return homologue, touched, bits

    def masks(self, start: torch.Tensor, gamete: torch.Tensor, locus: torch.Tensor) -> torch.Tensor:
        """Recombination masks ``(B, W)`` int64: bit set where the gamete copies homologue 1
        (bits past a chromosome's last locus are unspecified; both homologues hold 0 there).

        start: (B, C) int64 0/1, the homologue each chromosome starts on;
        gamete, locus: (X,) int64, one crossover each, switching homologue at every locus
        ≥ ``locus`` (a global index) of gamete ``gamete``. Crossovers at the same locus of
        the same gamete cancel in pairs.
        """
        homologue, touched, bits = self._switches(start, gamete, locus)
        mask = homologue.neg_()  # 1 → all ones
        mask.view(-1)[touched] ^= bits
        return mask[:, : self.num_words].contiguous()

    def _interval_tables(self, layout: GenomeLayout) -> None:
        """Tables for short chromosomes (one word each, e.g. only the QTL after the observed-loci pass).

        A Poisson crossover process on the meiosis positions makes the intervals between adjacent
        loci recombine independently, each with r = ½(1 − exp(−2d)) (Haldane 1919); only the parity
        of crossovers in an interval matters. So one uniform per interval gives the same
        distribution as drawing counts and positions, with far fewer random numbers. The start
        homologue is a toggle at the first locus with probability ½.
        """
        C, Lmax = layout.num_chromosomes, max(layout.loci_per_chromosome)
        r = np.zeros((C, Lmax))  # (C, Lmax) toggle probability at each local locus; 0 = padding
        for c, pos in enumerate(layout.meiosis_positions):
            r[c, 0] = 0.5
            r[c, 1:pos.size] = 0.5 * (1.0 - np.exp(-2.0 * np.diff(pos)))
        self.toggle_probability = torch.tensor(r, dtype=torch.float64, device=self.device)

    def _interval_gametes(self, haplotypes: torch.Tensor, parents: torch.Tensor, generator) -> torch.Tensor:
        R, N, _, W = haplotypes.shape  # here W == C: one word per chromosome
        G = parents.shape[1]
        C, Lmax = self.toggle_probability.shape
        u = rng.rand(generator, R, (G, C, Lmax), device=self.device).view(R * G, C, Lmax)  # (B, C, Lmax)
        hit = (u < self.toggle_probability).to(torch.int64)  # (B, C, Lmax) 1: a toggle at local locus j
        # Bit j of a gamete's mask is the parity of the toggles at loci <= j: a running XOR over the
        # few loci (one op on (B, C) per locus beats packing and shift-doubling the (B, C, Lmax) table).
        parity = hit[..., 0].clone()
        toggles = parity.clone()
        for j in range(1, Lmax):
            parity ^= hit[..., j]
            toggles |= parity << j
        # Each gamete's parent, both homologues: one row gather from the (R·N, 2·W) table.
        rows = (parents + torch.arange(R, device=self.device).unsqueeze(1) * N).view(-1)  # (B,)
        h = haplotypes.reshape(R * N, 2 * W).index_select(0, rows).view(-1, 2, W)  # (B, 2, W); faster than 3-D
        h0, h1 = h[:, 0], h[:, 1]
        out = h0 ^ h1
        out &= toggles
        out ^= h0  # h0 where the mask is 0, h1 where it is 1
        return out.view(R, G, W)

    def gametes(
        self, haplotypes: torch.Tensor, parents: torch.Tensor, generator: torch.Generator
    ) -> torch.Tensor:
        """One gamete from each parent: haplotypes (R, N, 2, W) int64, parents (R, G)
        int64 indices into N → gametes (R, G, W) int64."""
        if self.method == "intervals":
            return self._interval_gametes(haplotypes, parents, generator)
        R, N, _, W = haplotypes.shape
        G = parents.shape[1]
        B, C, dev = R * G, self.num_chromosomes, self.device
        start = rng.randint(generator, 2, R, (G, C), device=dev).view(B, C)  # (B, C)
        # Crossover count per (gamete, chromosome) ~ Poisson(length in Morgans).
        counts = rng.poisson(generator, self.lengths.expand(R, G, C).contiguous())
        counts = counts.to(torch.int64).view(-1)  # (B*C,) replicate-major
        total = int(counts.sum())
        cell = torch.repeat_interleave(
            torch.arange(B * C, device=dev), counts, output_size=total
        )  # (X,) which (gamete, chromosome) each crossover belongs to
        chrom = cell % C
        where = rng.rand_ragged(generator, counts.view(R, -1).sum(1), device=dev)  # (X,) in replicate order
        # (X,) uniform on the chromosome's span, in the end-to-end coordinates
        where = where * self.lengths.index_select(0, chrom) + self.offsets.index_select(0, chrom)
        locus = torch.searchsorted(self.shifted_positions, where)  # first locus to its right
        homologue, touched, bits = self._switches(start, cell // C, locus)

        # Most words lie between crossovers and are copied whole from one homologue: one
        # gather from the flat haplotypes at (2·parent + homologue)·W + w.
        source = haplotypes.reshape(-1)  # (R·N·2·W,)
        b, w = touched // (W + 1), touched % (W + 1)
        touched_homologue = homologue.view(-1).index_select(0, touched)  # (T,)
        row = ((parents + torch.arange(R, device=dev)[:, None] * N) * (2 * W)).view(B, 1)
        index = homologue[:, :W].mul_(W)  # (B, W) view
        index += row
        index += torch.arange(W, device=dev)
        out = source.take(index)  # (B, W)
        # Words holding a crossover mix the homologues bit by bit: h0 ^ ((h0 ^ h1) & mask).
        at = row.view(-1).index_select(0, b) + w
        h0, h1 = source.take(at), source.take(at + W)
        mask = bits ^ touched_homologue.neg_()
        out.view(-1).index_copy_(0, b * W + w, h0 ^ ((h0 ^ h1) & mask))
        return out.view(R, G, W)


def cross(
    meiosis: Meiosis,
    haplotypes: torch.Tensor,
    mothers: torch.Tensor,
    fathers: torch.Tensor,
    generator: torch.Generator,
) -> torch.Tensor:
    """Progeny (R, P, 2, W) of pairs ``mothers, fathers (R, P)``: homologue 0 is the
    mother's gamete, homologue 1 the father's."""
    R, P = mothers.shape
    parents = torch.stack((mothers, fathers), dim=2).view(R, 2 * P)  # (R, 2P) m0 f0 m1 f1 …
    return meiosis.gametes(haplotypes, parents, generator).view(R, P, 2, -1)


def selfing(
    meiosis: Meiosis, haplotypes: torch.Tensor, parents: torch.Tensor, generator: torch.Generator
) -> torch.Tensor:
    """Selfed progeny (R, P, 2, W): two independent gametes of each parent (R, P)."""
    return cross(meiosis, haplotypes, parents, parents, generator)


def doubled_haploids(
    meiosis: Meiosis, haplotypes: torch.Tensor, parents: torch.Tensor, generator: torch.Generator
) -> torch.Tensor:
    """Doubled haploids (R, P, 2, W): both homologues are one gamete of the parent."""
    gamete = meiosis.gametes(haplotypes, parents, generator)  # (R, P, W)
    return gamete.unsqueeze(2).expand(-1, -1, 2, -1).contiguous()
