"""Meiosis and trait kernels against closed forms of population genetics.

Every check is a hypothesis test at level ALPHA = 0.001 / (number of p-values in this
file) (Bonferroni), with fixed seeds so that a run is reproducible.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

from bsl.runtime.genome import GenomeLayout
from bsl.runtime.kernels import features, traits
from bsl.runtime.kernels.meiosis import Meiosis, cross, selfing
from bsl.runtime.reference import genetics as ref

HALDANE_DISTANCES = [0.02, 0.1, 0.3, 0.7, 1.5]
KOSAMBI_POSITIONS = [0.0, 0.03, 0.13, 0.43, 1.03]
HWE_LOCI = 3
NUM_P_VALUES = (
    len(HALDANE_DISTANCES)  # Haldane r
    + (len(KOSAMBI_POSITIONS) - 1) * 2  # Kosambi r: adjacent, and kernel vs reference
    + HWE_LOCI  # Hardy–Weinberg
    + 1  # selfing
    + 1  # drift
    + 1  # V_A
    + 2  # GVP, both maps
)
ALPHA = 0.001 / NUM_P_VALUES


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _packed(layout: GenomeLayout, alleles: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(layout.pack(alleles))


def _recombinant_fractions(layout: GenomeLayout, gametes: np.ndarray, pairs) -> list[tuple[int, int]]:
    """(recombinants, n) for each locus pair, gametes (G, L) of a 0…0 / 1…1 parent."""
    return [(int((gametes[:, i] != gametes[:, j]).sum()), gametes.shape[0]) for i, j in pairs]


def _f1_gametes(layout: GenomeLayout, count: int, seed: int) -> np.ndarray:
    parent = np.stack([np.zeros(layout.num_loci, np.uint8), np.ones(layout.num_loci, np.uint8)])
    haplotypes = _packed(layout, parent[None, None])  # (1, 1, 2, W)
    parents = torch.zeros(1, count, dtype=torch.int64)
    return layout.unpack(Meiosis(layout).gametes(haplotypes, parents, _generator(seed)))[0]


def test_haldane_recombination_fraction():
    layout = GenomeLayout.from_positions([np.array([0.0] + HALDANE_DISTANCES)], "haldane")
    gametes = _f1_gametes(layout, 20_000, seed=1)
    pairs = [(0, j + 1) for j in range(len(HALDANE_DISTANCES))]
    for d, (k, n) in zip(HALDANE_DISTANCES, _recombinant_fractions(layout, gametes, pairs)):
        r = 0.5 * (1 - math.exp(-2 * d))
        assert stats.binomtest(k, n, r).pvalue > ALPHA, (d, k / n, r)


def test_kosambi_adjacent_recombination_and_reference_meiosis():
    layout = GenomeLayout.from_positions([np.array(KOSAMBI_POSITIONS)], "kosambi")
    pairs = [(j, j + 1) for j in range(len(KOSAMBI_POSITIONS) - 1)]
    kernel = _recombinant_fractions(layout, _f1_gametes(layout, 20_000, seed=2), pairs)
    parent = np.stack([np.zeros(layout.num_loci, np.uint8), np.ones(layout.num_loci, np.uint8)])
    reference = ref.meiosis(parent[None], np.zeros(5_000, np.int64), layout, np.random.default_rng(3))
    for (i, j), (k, n), (k_ref, n_ref) in zip(pairs, kernel, _recombinant_fractions(layout, reference, pairs)):
        r = 0.5 * math.tanh(2 * (KOSAMBI_POSITIONS[j] - KOSAMBI_POSITIONS[i]))
        assert stats.binomtest(k, n, r).pvalue > ALPHA, (i, k / n, r)
        table = [[k, n - k], [k_ref, n_ref - k_ref]]
        assert stats.fisher_exact(table).pvalue > ALPHA, (i, k / n, k_ref / n_ref)


def test_hardy_weinberg_after_random_union_of_gametes():
    # Parents homozygous at every locus: no heterozygotes before one round of random mating.
    layout = GenomeLayout.from_positions([np.array([0.5])] * HWE_LOCI, "haldane")
    rng = np.random.default_rng(4)
    N, P = 200, 20_000
    parent_alleles = np.repeat(rng.integers(0, 2, (1, N, 1, HWE_LOCI), dtype=np.uint8), 2, axis=2)
    gen = _generator(5)
    mothers, fathers = (torch.randint(0, N, (1, P), generator=gen) for _ in range(2))
    kids = cross(Meiosis(layout), _packed(layout, parent_alleles), mothers, fathers, gen)
    dosage = layout.unpack(kids)[0].sum(axis=1)  # (P, loci)
    p = parent_alleles[0, :, 0].mean(axis=0)  # gametes draw allele 1 with the parents' frequency
    for q in range(HWE_LOCI):
        observed = np.bincount(dosage[:, q], minlength=3)
        expected = P * np.array([(1 - p[q]) ** 2, 2 * p[q] * (1 - p[q]), p[q] ** 2])
        assert stats.chisquare(observed, expected).pvalue > ALPHA, (q, observed, expected)


def test_selfing_halves_heterozygosity():
    # Unlinked loci (one per chromosome): each heterozygous locus stays heterozygous with ½.
    layout = GenomeLayout.from_positions([np.array([0.0])] * 5, "haldane")
    rng = np.random.default_rng(6)
    alleles = rng.integers(0, 2, (1, 4_000, 2, 5), dtype=np.uint8)
    het_before = int((alleles[:, :, 0] != alleles[:, :, 1]).sum())
    parents = torch.arange(4_000)[None]
    kids = layout.unpack(selfing(Meiosis(layout), _packed(layout, alleles), parents, _generator(7)))
    het_after = int((kids[:, :, 0] != kids[:, :, 1]).sum())
    assert stats.binomtest(het_after, het_before, 0.5).pvalue > ALPHA, (het_after, het_before)


def test_drift_heterozygosity_decay():
    # Random mating of N diploids with random parents draws each gene copy uniformly from
    # the 2N parental copies, so E[2pq] decays by (1 − 1/2N) per generation (Wright 1931).
    layout = GenomeLayout.from_positions([np.linspace(0, 1, 20)] * 3, "haldane")
    R, N, t = 300, 20, 8
    alleles = np.zeros((R, N, 2, layout.num_loci), np.uint8)
    alleles.reshape(R, 2 * N, layout.num_loci)[:, :N] = 1  # p = ½ exactly at every locus
    haplotypes = _packed(layout, alleles)
    valid = torch.ones(R, N, dtype=torch.bool)
    meiosis, gen = Meiosis(layout), _generator(8)
    word, bit = (torch.from_numpy(a) for a in layout.word_and_bit(np.arange(layout.num_loci)))
    h0 = features.heterozygosity(traits.dosages(haplotypes, word, bit, torch.float64), valid)
    for _ in range(t):
        mothers, fathers = (torch.randint(0, N, (R, N), generator=gen) for _ in range(2))
        haplotypes = cross(meiosis, haplotypes, mothers, fathers, gen)
    h = features.heterozygosity(traits.dosages(haplotypes, word, bit, torch.float64), valid).numpy()
    expected = float(h0[0]) * (1 - 1 / (2 * N)) ** t
    z = (h.mean() - expected) / (h.std(ddof=1) / math.sqrt(R))
    assert 2 * stats.norm.sf(abs(z)) > ALPHA, (h.mean(), expected)


def _variance_pvalue(values: np.ndarray, sigma2: float) -> float:
    """Two-sided p-value of H0: Var = sigma2. For normal data (n−1)s²/σ² ~ χ²(n−1), i.e.
    Var(s²) = 2σ⁴/(n−1); we use the distribution-free Var(s²) ≈ (μ₄ − σ⁴(n−3)/(n−1))/n,
    which reduces to it for normal data and allows for the non-normal gv of a few loci."""
    n = values.size
    s2 = values.var(ddof=1)
    mu4 = ((values - values.mean()) ** 4).mean()
    se = math.sqrt((mu4 - sigma2**2 * (n - 3) / (n - 1)) / n)
    return 2 * stats.norm.sf(abs(s2 - sigma2) / se)


def test_additive_variance_in_hwe_linkage_equilibrium():
    # Independent alleles: Hardy–Weinberg and linkage equilibrium, so Var(gv) = Σ 2pq a².
    Q, N = 100, 20_000
    layout = GenomeLayout.from_positions([np.array([0.0])] * Q, "haldane")
    rng = np.random.default_rng(9)
    p = rng.uniform(0.05, 0.95, Q)
    alleles = (rng.random((1, N, 2, Q)) < p).astype(np.uint8)
    a = torch.from_numpy(rng.normal(size=(Q, 1)))
    word, bit = (torch.from_numpy(x) for x in layout.word_and_bit(np.arange(Q)))
    dosage = traits.dosages(_packed(layout, alleles), word, bit, torch.float64)
    gv = traits.genetic_values(dosage, a)[0, :, 0].numpy()
    # The population's p is a fixed parameter here, so the genic variance uses the true p.
    va = float(((2 * p * (1 - p)) * a[:, 0].numpy() ** 2).sum())
    va_kernel = features.genic_variance(dosage, a, torch.ones(1, N, dtype=torch.bool))
    assert float(va_kernel) == pytest.approx(va, rel=0.02)
    assert _variance_pvalue(gv, va) > ALPHA, (gv.var(), va)


@pytest.mark.parametrize("map_function", ["haldane", "kosambi"])
def test_predicted_progeny_variance_matches_simulated_family(map_function):
    rng = np.random.default_rng(10 if map_function == "haldane" else 11)
    layout = GenomeLayout.from_positions([np.sort(rng.uniform(0, 0.8, 60)) for _ in range(3)], map_function)
    alleles = rng.integers(0, 2, (1, 2, 2, layout.num_loci), dtype=np.uint8)
    haplotypes = _packed(layout, alleles)
    qtl = np.sort(rng.choice(layout.num_loci, 40, replace=False))
    a = torch.from_numpy(rng.normal(size=(40, 1)))
    word, bit = (torch.from_numpy(x) for x in layout.word_and_bit(qtl))
    coupling = torch.from_numpy(layout.coupling(qtl))
    gvar = features.gamete_variances(traits.qtl_alleles(haplotypes, word, bit), a, coupling)
    predicted = float(features.pair_progeny_variance(gvar, torch.tensor([[0]]), torch.tensor([[1]]))[0, 0, 0])
    P = 20_000
    kids = cross(Meiosis(layout), haplotypes, torch.zeros(1, P, dtype=torch.long), torch.ones(1, P, dtype=torch.long), _generator(12))
    gv = traits.genetic_values(traits.dosages(kids, word, bit, torch.float64), a)[0, :, 0].numpy()
    assert _variance_pvalue(gv, predicted) > ALPHA, (gv.var(ddof=1), predicted)
