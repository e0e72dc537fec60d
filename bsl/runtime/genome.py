"""The genome layout: where every locus lives on the genetic map and in the bit-packed words.

Contract (docs/architecture.md): chromosomes in order, loci numbered globally chromosome by
chromosome; chromosome ``c`` owns ``ceil(L_c / 64)`` consecutive int64 words and its local
locus ``j`` is bit ``j % 64`` of word ``word_offset[c] + j // 64``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import torch

MAP_FUNCTIONS = ("haldane", "kosambi")
_BITS = 64


def _parse_map_function(map_function: str) -> str:
    if map_function not in MAP_FUNCTIONS:
        raise ValueError(
            f"unknown map function {map_function!r}; valid choices: {', '.join(MAP_FUNCTIONS)}"
        )
    return map_function


def _parse_positions(positions_morgans: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:
    if len(positions_morgans) == 0:
        raise ValueError("a genome needs at least one chromosome")
    chromosomes = []
    for c, pos in enumerate(positions_morgans):
        pos = np.asarray(pos, dtype=np.float64).reshape(-1)
        if pos.size == 0:
            raise ValueError(f"chromosome {c} has no loci")
        if not np.all(np.isfinite(pos)):
            raise ValueError(f"chromosome {c} has a non-finite position")
        if np.any(np.diff(pos) <= 0):
            bad = int(np.argmax(np.diff(pos) <= 0))
            raise ValueError(
                f"positions on chromosome {c} must be strictly increasing "
                f"(locus {bad + 1} at {pos[bad + 1]!r} M follows {pos[bad]!r} M)"
            )
        chromosomes.append(pos)
    return tuple(chromosomes)


def kosambi_to_haldane(distance_morgans: np.ndarray) -> np.ndarray:
    """Haldane distance with the same recombination fraction as a Kosambi distance.

    Kosambi (1944): r = ½·tanh(2d); Haldane (1919): d' = −½·ln(1 − 2r).
    Substituting, d' = −½·ln(1 − tanh 2d) = ½·(ln(1 + e^{4d}) − ln 2), evaluated with
    logaddexp so that long intervals do not overflow.
    """
    d = np.asarray(distance_morgans, dtype=np.float64)
    return 0.5 * (np.logaddexp(0.0, 4.0 * d) - np.log(2.0))


@dataclass(frozen=True, eq=False)
class GenomeLayout:
    """Map positions and bit-packing of all loci; build it with :meth:`from_positions`.

    ``chromosome_positions[c]`` are the map positions (Morgans) given by the user;
    ``meiosis_positions[c]`` are the Haldane-equivalent positions that meiosis draws a
    Poisson crossover process on (equal to the map positions under Haldane).
    """

    chromosome_positions: tuple[np.ndarray, ...]
    meiosis_positions: tuple[np.ndarray, ...]
    map_function: str
    # Derived tables, filled in __post_init__.
    num_chromosomes: int = field(init=False)
    loci_per_chromosome: list[int] = field(init=False)
    num_loci: int = field(init=False)
    words_per_chromosome: list[int] = field(init=False)
    word_offset: list[int] = field(init=False)
    locus_offset: list[int] = field(init=False)
    num_words: int = field(init=False)
    chromosome: np.ndarray = field(init=False)
    local_index: np.ndarray = field(init=False)
    positions: np.ndarray = field(init=False)
    word: np.ndarray = field(init=False)
    bit: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        loci = [int(p.size) for p in self.chromosome_positions]
        words = [-(-n // _BITS) for n in loci]
        chromosome = np.repeat(np.arange(len(loci)), loci)  # (L,)
        local = np.concatenate([np.arange(n) for n in loci])  # (L,)
        word_offset = np.concatenate([[0], np.cumsum(words)[:-1]]).astype(np.int64)
        set_(self, "num_chromosomes", len(loci))
        set_(self, "loci_per_chromosome", loci)
        set_(self, "num_loci", int(sum(loci)))
        set_(self, "words_per_chromosome", words)
        set_(self, "word_offset", [int(w) for w in word_offset])
        set_(self, "locus_offset", [int(x) for x in np.concatenate([[0], np.cumsum(loci)[:-1]])])
        set_(self, "num_words", int(sum(words)))
        set_(self, "chromosome", chromosome)
        set_(self, "local_index", local)
        set_(self, "positions", np.concatenate(self.chromosome_positions))  # (L,)
        set_(self, "word", (word_offset[chromosome] + local // _BITS).astype(np.int64))  # (L,)
        set_(self, "bit", (local % _BITS).astype(np.int64))  # (L,)

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_positions(
        cls, positions_morgans: Sequence[np.ndarray], map_function: str = "haldane"
    ) -> "GenomeLayout":
        """Layout of chromosomes whose loci sit at ``positions_morgans[c]`` (Morgans,
        strictly increasing); ``map_function`` is "haldane" or "kosambi"."""
        map_function = _parse_map_function(map_function)
        chromosomes = _parse_positions(positions_morgans)
        if map_function == "haldane":
            meiosis = chromosomes
        else:
            # Each adjacent interval keeps its Kosambi r exactly (intervals recombine
            # independently, as in myBreedSimulatR); cumulate from the first locus.
            meiosis = tuple(
                p[0] + np.concatenate([[0.0], np.cumsum(kosambi_to_haldane(np.diff(p)))])
                for p in chromosomes
            )
        return cls(chromosomes, meiosis, map_function)

    def subset(self, global_idx: np.ndarray) -> "GenomeLayout":
        """The layout of only the loci ``global_idx`` (sorted, unique), keeping their map
        and meiosis positions so that recombination between kept loci is unchanged.
        Chromosomes without a kept locus are dropped."""
        idx = np.asarray(global_idx, dtype=np.int64).reshape(-1)
        if idx.size == 0:
            raise ValueError("subset needs at least one locus")
        if np.any(np.diff(idx) <= 0) or idx[0] < 0 or idx[-1] >= self.num_loci:
            raise ValueError("subset indices must be sorted, unique and within the genome")
        chrom = self.chromosome[idx]
        kept = [c for c in range(self.num_chromosomes) if np.any(chrom == c)]
        meiosis_all = np.concatenate(self.meiosis_positions)
        return GenomeLayout(
            tuple(self.positions[idx[chrom == c]] for c in kept),
            tuple(meiosis_all[idx[chrom == c]] for c in kept),
            self.map_function,
        )

    # ------------------------------------------------------------------ bit packing

    def word_and_bit(self, global_idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Word index and bit index (both int64) of each global locus."""
        idx = np.asarray(global_idx, dtype=np.int64)
        return self.word[idx], self.bit[idx]

    def _padded_index(self) -> np.ndarray:
        # Position of each locus in the flat (W * 64) bit string of the packed words.
        return self.word * _BITS + self.bit  # (L,)

    def pack(self, alleles: np.ndarray) -> np.ndarray:
        """Pack 0/1 alleles ``(..., num_loci)`` into int64 words ``(..., W)``."""
        alleles = np.asarray(alleles)
        if alleles.shape[-1] != self.num_loci:
            raise ValueError(f"expected {self.num_loci} loci, got {alleles.shape[-1]}")
        lead = alleles.shape[:-1]
        bits = np.zeros(lead + (self.num_words * _BITS,), dtype=np.uint8)  # (..., W*64)
        bits[..., self._padded_index()] = alleles != 0
        # Little-endian bit order within bytes and bytes within the word: bit k of the
        # word is bits[..., 64 w + k], including the sign bit k = 63.
        packed = np.packbits(bits.reshape(lead + (self.num_words, _BITS)), axis=-1, bitorder="little")
        return np.ascontiguousarray(packed).view("<i8").reshape(lead + (self.num_words,))

    def unpack(self, packed: np.ndarray) -> np.ndarray:
        """Unpack int64 words ``(..., W)`` into 0/1 uint8 alleles ``(..., num_loci)``."""
        if isinstance(packed, torch.Tensor):
            packed = packed.detach().cpu().numpy()
        packed = np.ascontiguousarray(np.asarray(packed, dtype="<i8"))
        lead = packed.shape[:-1]
        as_bytes = packed.view(np.uint8).reshape(lead + (self.num_words, 8))
        bits = np.unpackbits(as_bytes, axis=-1, bitorder="little")  # (..., W, 64)
        return bits.reshape(lead + (self.num_words * _BITS,))[..., self._padded_index()]

    # ------------------------------------------------------------------ recombination

    def _meiosis_position(self) -> np.ndarray:
        return np.concatenate(self.meiosis_positions)  # (L,)

    def recombination_fraction(self, i: int, j: int) -> float:
        """Recombination fraction between global loci i and j under this simulator's
        meiosis: ½ across chromosomes, Haldane ½(1 − e^{−2|D_i − D_j|}) on meiosis positions
        within (for Kosambi maps this equals ½(1 − Π(1 − 2 r_k)) over the intervals)."""
        if self.chromosome[i] != self.chromosome[j]:
            return 0.5
        d = self._meiosis_position()
        return float(0.5 * (1.0 - np.exp(-2.0 * abs(d[i] - d[j]))))

    def coupling(self, global_idx: np.ndarray) -> np.ndarray:
        """``1 − 2 r`` for each pair of the loci ``global_idx``, shape (Q, Q) float64:
        e^{−2|D_i − D_j|} on one chromosome, 0 across chromosomes, 1 on the diagonal."""
        idx = np.asarray(global_idx, dtype=np.int64).reshape(-1)
        d = self._meiosis_position()[idx]
        chrom = self.chromosome[idx]
        same = chrom[:, None] == chrom[None, :]
        return np.where(same, np.exp(-2.0 * np.abs(d[:, None] - d[None, :])), 0.0)  # (Q, Q)

    def suffix_masks(self, device: torch.device | str = "cpu") -> torch.Tensor:
        """Suffix masks ``(C, Lmax + 1, Wmax)`` int64: row k of chromosome c has the bits of
        its local loci ≥ k set (in the chromosome's own words, from its first word); row
        L_c and padding are zero. XOR of the rows at the crossover loci is the meiosis mask.

        Memory is C·(Lmax+1)·Wmax·8 bytes, so :class:`~bsl.runtime.kernels.meiosis.Meiosis`
        computes the same XOR as a prefix XOR of toggles instead; this table is its oracle.
        """
        lmax, wmax = max(self.loci_per_chromosome), max(self.words_per_chromosome)
        k = np.arange(lmax + 1)[:, None]  # (Lmax+1, 1)
        j = np.arange(wmax * _BITS)[None, :]  # (1, Wmax*64)
        out = np.zeros((self.num_chromosomes, lmax + 1, wmax), dtype=np.int64)
        for c, n in enumerate(self.loci_per_chromosome):  # loop over chromosomes only
            bits = ((j >= k) & (j < n)).astype(np.uint8)  # (Lmax+1, Wmax*64)
            packed = np.packbits(bits.reshape(lmax + 1, wmax, _BITS), axis=-1, bitorder="little")
            out[c] = np.ascontiguousarray(packed).view("<i8").reshape(lmax + 1, wmax)
        return torch.from_numpy(out).to(device)
