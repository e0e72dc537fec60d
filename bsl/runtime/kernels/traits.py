"""Trait kernels: QTL genotypes gathered from packed haplotypes, genetic values and phenotypes.

Genotype coding follows Hamazaki & Iwata (2024): x = dosage − 1 ∈ {−1, 0, 1},
gv = Σ_q x_q a_q + [x_q = 0] d_q.
"""

from __future__ import annotations

import torch


def qtl_alleles(haplotypes: torch.Tensor, word: torch.Tensor, bit: torch.Tensor) -> torch.Tensor:
    """Alleles (R, N, 2, Q) uint8 at the loci given by ``word, bit (Q,)`` int64
    (see :meth:`GenomeLayout.word_and_bit`) of haplotypes (R, N, 2, W) int64."""
    words = haplotypes.index_select(-1, word)  # (R, N, 2, Q) int64
    # Arithmetic shift of bit 63 gives −1, and −1 & 1 = 1, so the sign bit reads correctly.
    return ((words >> bit) & 1).to(torch.uint8)


def dosages(
    haplotypes: torch.Tensor, word: torch.Tensor, bit: torch.Tensor, dtype: torch.dtype = torch.float32
) -> torch.Tensor:
    """Dosages (R, N, Q) in {0, 1, 2}: copies of allele 1 at each locus."""
    words = haplotypes.index_select(-1, word)  # (R, N, 2, Q)
    return ((words >> bit) & 1).sum(dim=2).to(dtype)


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
    noise = torch.randn(gv.shape, dtype=gv.dtype, device=gv.device, generator=generator)
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
