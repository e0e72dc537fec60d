"""The two meiosis methods draw the same distribution: per-interval draws (short chromosomes)
against Poisson crossover counts and positions, and both against the closed form
r = ½(1 − exp(−2d)) on the meiosis (Haldane-equivalent) positions. Seeded; p < 0.001 with
Bonferroni over the tests of the file."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import stats

from bsl.runtime.genome import GenomeLayout
from bsl.runtime.kernels.meiosis import Meiosis

N_TESTS = 3 * 8
ALPHA = 0.001 / N_TESTS


def _layout(map_function):
    positions = [np.array([0.0, 0.02, 0.3, 0.31, 0.9]), np.array([0.1, 0.6, 1.4])]
    return GenomeLayout.from_positions(positions, map_function)


def _recombinant_fraction(layout, method, pairs, n=40_000, seed=1):
    m = Meiosis(layout, method=method)
    alleles = np.zeros((1, 2, layout.num_loci), dtype=np.uint8)
    alleles[0, 1] = 1  # homologue 1 carries allele 1 everywhere: the gamete's bits show its source
    haps = torch.as_tensor(layout.pack(alleles)).unsqueeze(0)  # (1, 1, 2, W)
    g = m.gametes(haps, torch.zeros(1, n, dtype=torch.int64), torch.Generator().manual_seed(seed))
    a = layout.unpack(g[0].numpy())  # (n, L)
    return {(i, j): int((a[:, i] != a[:, j]).sum()) for i, j in pairs}, n


@pytest.mark.parametrize("map_function", ["haldane", "kosambi"])
@pytest.mark.parametrize("method", ["intervals", "poisson"])
def test_recombination_matches_closed_form(map_function, method):
    layout = _layout(map_function)
    pairs = [(0, 1), (1, 2), (2, 3), (0, 4), (5, 6), (5, 7), (0, 5), (3, 7)]
    counts, n = _recombinant_fraction(layout, method, pairs)
    for (i, j), k in counts.items():
        r = layout.recombination_fraction(i, j)
        p = stats.binomtest(k, n, r).pvalue
        assert p > ALPHA, f"{method} {map_function} loci {i},{j}: {k / n:.4f} vs r = {r:.4f} (p = {p:.2e})"


def test_methods_agree_with_each_other():
    layout = _layout("kosambi")
    pairs = [(0, 1), (1, 2), (0, 4), (5, 7)]
    a, n = _recombinant_fraction(layout, "intervals", pairs, seed=2)
    b, _ = _recombinant_fraction(layout, "poisson", pairs, seed=3)
    for key in pairs:
        table = [[a[key], n - a[key]], [b[key], n - b[key]]]
        assert stats.fisher_exact(table).pvalue > ALPHA, key


def test_auto_picks_intervals_only_when_chromosomes_fit_a_word():
    assert Meiosis(_layout("haldane")).method == "intervals"
    long = GenomeLayout.from_positions([np.linspace(0, 1, 65)], "haldane")
    assert Meiosis(long).method == "poisson"
    with pytest.raises(ValueError):
        Meiosis(long, method="intervals")
