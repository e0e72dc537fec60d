"""Selection features computed from QTL genotypes: allele frequencies, (weighted) breeding
values, gamete and progeny variances, and within-replicate standardization.

Every kernel takes ``valid (R, N) bool`` and ignores invalid slots: they do not enter any
population statistic, and per-individual outputs are 0 there.
"""

from __future__ import annotations

import torch


def _weights(valid: torch.Tensor, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    w = valid.to(dtype)  # (R, N)
    return w, w.sum(dim=1).clamp(min=1)  # (R,) count of valid individuals (≥ 1)


def allele_frequencies(dosage: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Frequency (R, Q) of allele 1 among the valid individuals' 2n copies."""
    w, n = _weights(valid, dosage.dtype)
    return torch.einsum("rnq,rn->rq", dosage, w) / (2 * n[:, None])


def _masked(values: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    return values * valid.to(values.dtype).unsqueeze(-1)


def breeding_values(
    dosage: torch.Tensor, additive: torch.Tensor, dominance: torch.Tensor | None, valid: torch.Tensor
) -> torch.Tensor:
    """Breeding values (R, N, T) = Σ_q x_q α_q with x = dosage − 1 and the average effect
    α_q = a_q + d_q (1 − 2 p_q) (Falconer & Mackay 1996, eq. 7.5; p = frequency of allele 1)."""
    x = dosage.to(additive.dtype) - 1.0  # (R, N, Q)
    if dominance is None:
        return _masked(x @ additive, valid)
    p = allele_frequencies(dosage.to(additive.dtype), valid)  # (R, Q)
    alpha = additive + dominance * (1 - 2 * p).unsqueeze(-1)  # (R, Q, T)
    return _masked(torch.bmm(x, alpha), valid)


def weighted_breeding_values(dosage: torch.Tensor, additive: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Weighted breeding values (R, N, T) = Σ_q x_q a_q w_q (Jannink 2010; Hamazaki & Iwata
    2024 eq. 3) with w_q = 1/sqrt(frequency of the favourable allele among the valid
    individuals), favourable = allele 1 if a_q > 0 else allele 0; w_q = 1 at frequency 0."""
    x = dosage.to(additive.dtype) - 1.0  # (R, N, Q)
    p = allele_frequencies(dosage.to(additive.dtype), valid).unsqueeze(-1)  # (R, Q, 1)
    favourable = torch.where(additive > 0, p, 1 - p)  # (R, Q, T)
    w = torch.where(favourable > 0, favourable.clamp(min=1e-300).rsqrt(), torch.ones_like(favourable))
    return _masked(torch.bmm(x, additive * w), valid)


def gamete_variances(alleles: torch.Tensor, additive: torch.Tensor, coupling: torch.Tensor) -> torch.Tensor:
    """Additive genetic variance (R, N, T) among the gametes of each individual.

    Lynch & Walsh (1998); Hamazaki & Iwata (2024) eq. 5:
    ¼ Σ_{j,k heterozygous} a_j a_k s_j s_k (1 − 2 r_jk), with s = +1 where homologue 0
    carries allele 1 and −1 where homologue 1 does; computed as ¼ uᵀ C u with
    u = a·s·[het] and C = coupling (Q, Q) = 1 − 2r (0 across chromosomes).
    alleles: (R, N, 2, Q) 0/1; additive: (Q, T).
    """
    a0 = alleles[:, :, 0].to(additive.dtype)
    a1 = alleles[:, :, 1].to(additive.dtype)
    s = a0 - a1  # (R, N, Q): ±1 at heterozygous loci, 0 elsewhere
    u = s.unsqueeze(2) * additive.T  # (R, N, T, Q)
    cu = u @ coupling.to(additive.dtype)  # C is symmetric
    return 0.25 * (u * cu).sum(dim=-1)  # (R, N, T)


def _pair_gather(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    # x (R, N, ...) gathered at index (R, P) → (R, P, ...)
    R, P = index.shape
    flat = (index + torch.arange(R, device=index.device)[:, None] * x.shape[1]).view(-1)
    return x.reshape(R * x.shape[1], *x.shape[2:]).index_select(0, flat).view(R, P, *x.shape[2:])


def pair_progeny_variance(gamete_var: torch.Tensor, mothers: torch.Tensor, fathers: torch.Tensor) -> torch.Tensor:
    """Additive genetic variance (R, P, T) within the family of each pair: the sum of both
    parents' gamete variances (gametes of the two parents are independent)."""
    return _pair_gather(gamete_var, mothers) + _pair_gather(gamete_var, fathers)


def mean_parent(x: torch.Tensor, mothers: torch.Tensor, fathers: torch.Tensor) -> torch.Tensor:
    """Mid-parent value (R, P, K) of per-individual values x (R, N, K)."""
    return 0.5 * (_pair_gather(x, mothers) + _pair_gather(x, fathers))


def zscore(x: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """x (R, N, ...) standardized over the valid individuals of each replicate (mean 0, sample
    sd 1 with divisor n − 1, as R's ``scale``); 0 where the sd is 0 and at invalid slots."""
    w = valid.to(x.dtype).view(valid.shape + (1,) * (x.dim() - 2))  # (R, N, 1…)
    n = w.sum(dim=1, keepdim=True)
    mean = (x * w).sum(dim=1, keepdim=True) / n.clamp(min=1)
    centred = (x - mean) * w
    sd = ((centred**2).sum(dim=1, keepdim=True) / (n - 1).clamp(min=1)).sqrt()
    return torch.where(sd > 0, centred / torch.where(sd > 0, sd, torch.ones_like(sd)), torch.zeros_like(x))


def genic_variance(dosage: torch.Tensor, additive: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Genic variance (R, T) = Σ_q 2 p_q (1 − p_q) a_q² (Falconer & Mackay 1996; the additive
    variance under Hardy–Weinberg and linkage equilibrium)."""
    p = allele_frequencies(dosage.to(additive.dtype), valid)  # (R, Q)
    return (2 * p * (1 - p)) @ additive**2


def heterozygosity(genotypes: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Expected heterozygosity (R,): mean over loci of 2 p (1 − p). ``genotypes`` is either
    alleles (R, N, 2, Q) or dosages (R, N, Q)."""
    dosage = genotypes.sum(dim=2) if genotypes.dim() == 4 else genotypes
    dtype = dosage.dtype if dosage.is_floating_point() else torch.float64
    p = allele_frequencies(dosage.to(dtype), valid)  # (R, Q)
    return (2 * p * (1 - p)).mean(dim=1)
