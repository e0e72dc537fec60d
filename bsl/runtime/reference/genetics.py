"""Slow, obviously-correct numpy genetics for one replicate: the oracle the batched kernels
are tested against.

Haplotypes here are unpacked 0/1 arrays ``(N, 2, L)``. Loops follow the textbook
definitions one individual, interval or locus pair at a time. Recombination fractions are
taken from the map positions and map function directly (not from the layout's meiosis
positions), so the reference also checks the Kosambi conversion; it is meant for layouts
built by :meth:`GenomeLayout.from_positions`.
"""

from __future__ import annotations

import numpy as np

from bsl.runtime.genome import GenomeLayout


def map_recombination_fraction(distance_morgans: float, map_function: str) -> float:
    """r of an interval: Haldane (1919) ½(1 − e^{−2d}); Kosambi (1944) ½·tanh(2d)."""
    if map_function == "haldane":
        return 0.5 * (1.0 - np.exp(-2.0 * distance_morgans))
    if map_function == "kosambi":
        return 0.5 * np.tanh(2.0 * distance_morgans)
    raise ValueError(f"unknown map function {map_function!r}")


def adjacent_recombination_fractions(layout: GenomeLayout) -> list[np.ndarray]:
    """Per chromosome, r of each interval between adjacent loci (L_c − 1,)."""
    return [
        np.array([map_recombination_fraction(d, layout.map_function) for d in np.diff(p)])
        for p in layout.chromosome_positions
    ]


def pair_recombination_fraction(layout: GenomeLayout, i: int, j: int) -> float:
    """r between global loci i, j when the intervals between them recombine independently:
    ½(1 − Π_k (1 − 2 r_k)) (Haldane's product rule); ½ across chromosomes."""
    if layout.chromosome[i] != layout.chromosome[j]:
        return 0.5
    i, j = min(i, j), max(i, j)
    c = layout.chromosome[i]
    r = adjacent_recombination_fractions(layout)[c]
    lo, hi = layout.local_index[i], layout.local_index[j]
    product = 1.0
    for k in range(lo, hi):
        product *= 1.0 - 2.0 * r[k]
    return 0.5 * (1.0 - product)


def gamete(haplotype: np.ndarray, layout: GenomeLayout, rng: np.random.Generator) -> np.ndarray:
    """One gamete (L,) of an individual (2, L): per chromosome a random starting homologue,
    then an independent recombination event in each adjacent interval with its r."""
    out = np.empty(layout.num_loci, dtype=np.uint8)
    for c, r in enumerate(adjacent_recombination_fractions(layout)):
        first = layout.locus_offset[c]
        homologue = int(rng.integers(2))
        out[first] = haplotype[homologue, first]
        for k in range(r.size):
            if rng.random() < r[k]:
                homologue = 1 - homologue
            out[first + k + 1] = haplotype[homologue, first + k + 1]
    return out


def meiosis(haplotypes: np.ndarray, parents: np.ndarray, layout: GenomeLayout, rng: np.random.Generator) -> np.ndarray:
    """Gametes (G, L) of ``parents (G,)`` from haplotypes (N, 2, L)."""
    return np.stack([gamete(haplotypes[p], layout, rng) for p in parents])


def genetic_values(alleles: np.ndarray, additive: np.ndarray, dominance: np.ndarray | None = None) -> np.ndarray:
    """gv (N, T) from QTL alleles (N, 2, Q): Σ_q x a + [x = 0] d with x = dosage − 1
    (Hamazaki & Iwata 2024)."""
    N, _, Q = alleles.shape
    T = additive.shape[1]
    gv = np.zeros((N, T))
    for n in range(N):
        for q in range(Q):
            x = int(alleles[n, 0, q]) + int(alleles[n, 1, q]) - 1
            gv[n] += x * additive[q]
            if dominance is not None and x == 0:
                gv[n] += dominance[q]
    return gv


def allele_frequencies(alleles: np.ndarray) -> np.ndarray:
    """Frequency (Q,) of allele 1 over all 2N copies."""
    return alleles.reshape(-1, alleles.shape[-1]).mean(axis=0)


def breeding_values(alleles: np.ndarray, additive: np.ndarray, dominance: np.ndarray | None = None) -> np.ndarray:
    """BV (N, T) = Σ_q x_q α_q, α = a + d (1 − 2p) (Falconer & Mackay 1996)."""
    p = allele_frequencies(alleles)
    N, _, Q = alleles.shape
    bv = np.zeros((N, additive.shape[1]))
    for n in range(N):
        for q in range(Q):
            alpha = additive[q] + (0.0 if dominance is None else dominance[q] * (1 - 2 * p[q]))
            bv[n] += (int(alleles[n, 0, q]) + int(alleles[n, 1, q]) - 1) * alpha
    return bv


def weighted_breeding_values(alleles: np.ndarray, additive: np.ndarray) -> np.ndarray:
    """WBV (N, T) = Σ_q x_q a_q / sqrt(f_q), f = frequency of the favourable allele
    (allele 1 if a > 0 else allele 0), weight 1 where f = 0 (Jannink 2010)."""
    p = allele_frequencies(alleles)
    N, _, Q = alleles.shape
    T = additive.shape[1]
    wbv = np.zeros((N, T))
    for n in range(N):
        for q in range(Q):
            x = int(alleles[n, 0, q]) + int(alleles[n, 1, q]) - 1
            for t in range(T):
                f = p[q] if additive[q, t] > 0 else 1 - p[q]
                w = 1.0 if f == 0 else 1.0 / np.sqrt(f)
                wbv[n, t] += x * additive[q, t] * w
    return wbv


def gamete_variance(
    alleles: np.ndarray, additive: np.ndarray, layout: GenomeLayout, qtl: np.ndarray
) -> np.ndarray:
    """Gamete variance (N, T) by the explicit double sum over heterozygous QTL pairs
    (Lynch & Walsh 1998; Hamazaki & Iwata 2024 eq. 5):
    ¼ Σ_j Σ_k a_j a_k s_j s_k (1 − 2 r_jk); ``qtl (Q,)`` are the QTL's global loci."""
    N, _, Q = alleles.shape
    out = np.zeros((N, additive.shape[1]))
    for n in range(N):
        het = [q for q in range(Q) if alleles[n, 0, q] != alleles[n, 1, q]]
        for j in het:
            s_j = 1.0 if alleles[n, 0, j] == 1 else -1.0
            for k in het:
                s_k = 1.0 if alleles[n, 0, k] == 1 else -1.0
                r = 0.0 if j == k else pair_recombination_fraction(layout, int(qtl[j]), int(qtl[k]))
                out[n] += 0.25 * additive[j] * additive[k] * s_j * s_k * (1.0 - 2.0 * r)
    return out
