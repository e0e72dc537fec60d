"""Trait kernels: QTL genotypes gathered from packed haplotypes, genetic values and phenotypes.

Genotype coding follows Hamazaki & Iwata (2024): x = dosage − 1 ∈ {−1, 0, 1},
gv = Σ_q x_q a_q + [x_q = 0] d_q.
"""

from __future__ import annotations

import sys

import torch

from bsl.runtime import rng


def _qtl_bytes(haplotypes: torch.Tensor, word: torch.Tensor, bit: torch.Tensor) -> torch.Tensor:
    """Alleles (R, N, 2, Q) uint8 read through a byte view of the packed words.

    Gathering one byte per QTL instead of one int64 word moves 8x less memory; on a
    little-endian machine byte k of a word holds its bits 8k..8k+7.
    """
    R, N, two, W = haplotypes.shape
    if sys.byteorder != "little":  # pragma: no cover - no big-endian CI
        words = haplotypes.index_select(-1, word)
        return ((words >> bit) & 1).to(torch.uint8)
    byte = word * 8 + torch.div(bit, 8, rounding_mode="floor")  # (Q,)
    shift = torch.remainder(bit, 8).to(torch.uint8)  # (Q,)
    b = haplotypes.contiguous().view(torch.uint8).view(R * N * two, W * 8)
    b = torch.gather(b, 1, byte.expand(b.shape[0], -1))  # (R·N·2, Q); a few times faster than index_select(1, ...)
    b >>= shift
    b &= 1
    return b.view(R, N, two, -1)


def allele_counts(haplotypes: torch.Tensor, valid: torch.Tensor, word: torch.Tensor, bit: torch.Tensor) -> torch.Tensor:
    """Copies (R, L) int32 of allele 1 among the valid individuals at loci ``word, bit (L,)``.

    Reads every bit once (per-bit popcounts of the bytes, summed over individuals and homologues)
    instead of gathering each locus: the fast way when L is most of the genome.
    """
    R, N, two, W = haplotypes.shape
    if sys.byteorder != "little":  # pragma: no cover - no big-endian CI
        d = dosages(haplotypes, word, bit, torch.int32)
        return (d * valid.unsqueeze(-1)).sum(1, dtype=torch.int32)
    keep = valid.to(torch.uint8).view(R, N, 1, 1)
    step = max(1, (1 << 26) // max(1, R * N * two * 8))  # words per chunk: bounds the byte temporary at 64 MiB
    parts = []
    for a in range(0, W, step):
        b = haplotypes[..., a:a + step].contiguous().view(torch.uint8) * keep  # (R, N, 2, w·8), invalid zeroed
        b = b.view(R, N * two, -1)
        per_bit = torch.stack([((b >> k) & 1).sum(1, dtype=torch.int32) for k in range(8)], dim=-1)  # (R, w·8, 8)
        parts.append(per_bit.view(R, -1))  # column = word·64 + bit (byte k of a word holds bits 8k..8k+7)
    return torch.cat(parts, 1).index_select(1, word * 64 + bit)


def qtl_alleles(haplotypes: torch.Tensor, word: torch.Tensor, bit: torch.Tensor) -> torch.Tensor:
    """Alleles (R, N, 2, Q) uint8 at the loci given by ``word, bit (Q,)`` int64
    (see :meth:`GenomeLayout.word_and_bit`) of haplotypes (R, N, 2, W) int64."""
    return _qtl_bytes(haplotypes, word, bit)


def dosages(
    haplotypes: torch.Tensor, word: torch.Tensor, bit: torch.Tensor, dtype: torch.dtype = torch.float32
) -> torch.Tensor:
    """Dosages (R, N, Q) in {0, 1, 2}: copies of allele 1 at each locus."""
    a = _qtl_bytes(haplotypes, word, bit)  # (R, N, 2, Q)
    return (a[:, :, 0] + a[:, :, 1]).to(dtype)


def genetic_values(
    dosage: torch.Tensor, additive: torch.Tensor, dominance: torch.Tensor | None = None
) -> torch.Tensor:
    """Genetic values (R, N, T) from dosages (R, N, Q) and effects additive, dominance (Q, T)
    (Hamazaki & Iwata 2024 coding); computed in the effects' dtype."""
    x = dosage.to(additive.dtype) - 1.0  # (R, N, Q) ∈ {−1, 0, 1}
    gv = x @ additive  # (R, N, T)
    if dominance is not None:
        gv += (x == 0).to(dominance.dtype) @ dominance
    return gv


def phenotypes(gv: torch.Tensor, error_sd: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Phenotypes (R, N, T) = gv + e with e ~ N(0, error_sd²) per trait, error_sd (T,)."""
    noise = rng.randn(generator, gv.shape[0], tuple(gv.shape[1:]), dtype=gv.dtype, device=gv.device)
    return gv + noise * error_sd.to(gv.dtype)


def error_sd_from_heritability(gv_base: torch.Tensor, valid: torch.Tensor, h2: torch.Tensor) -> torch.Tensor:
    """Environmental sd (T,) giving broad-sense heritability ``h2 (T,)`` in (0, 1] in the
    base population gv_base (R, N, T): Ve = Vg (1 − h²) / h².

    Vg is the population variance (divisor n, as AlphaSimR's ``varG``) of the valid
    individuals of each replicate, averaged over replicates.
    """
    h2 = torch.as_tensor(h2, dtype=gv_base.dtype, device=gv_base.device)
    if bool(((h2 <= 0) | (h2 > 1)).any()):
        raise ValueError(f"heritability must be in (0, 1], got {h2.tolist()}")
    w = valid.to(gv_base.dtype).unsqueeze(-1)  # (R, N, 1)
    n = w.sum(dim=1).clamp(min=1)  # (R, 1)
    mean = (gv_base * w).sum(dim=1) / n  # (R, T)
    vg = (((gv_base - mean.unsqueeze(1)) ** 2) * w).sum(dim=1) / n  # (R, T)
    ve = vg.mean(dim=0) * (1 - h2) / h2  # (T,)
    return ve.sqrt()
