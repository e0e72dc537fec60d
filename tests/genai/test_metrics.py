"""Metrics of synthetic data against hand-computed values on tiny constructed sets."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from scipy.stats import norm

from bsl.diagnostics import DataError
from bsl.genai import metrics


def _column(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)[:, None]


@pytest.fixture(scope="module")
def blocks():
    """200 individuals, 60 SNPs in blocks of 5 identical columns (perfect LD within a block)."""
    rng = np.random.default_rng(1)
    return np.repeat(rng.binomial(2, rng.uniform(0.2, 0.8, 12), size=(200, 12)), 5, axis=1).astype(np.uint8)


# ---------------------------------------------------------------------------------------
# frequencies, F_ST


def test_allele_and_genotype_frequencies_by_hand():
    x = np.array([[0, 1, 2], [2, 1, 2], [0, 0, 2], [2, 1, 1]], dtype=np.uint8)
    assert metrics.allele_frequencies(x).tolist() == [0.5, 0.375, 0.875]
    assert metrics.genotype_frequencies(x).tolist() == [[0.5, 0.0, 0.5], [0.25, 0.75, 0.0], [0.0, 0.25, 0.75]]


def test_frequency_correlations_by_hand():
    real = np.array([[0, 1, 2], [0, 1, 2]], dtype=np.uint8)  # p = 0, .5, 1
    syn = np.array([[0, 2, 2], [0, 0, 1]], dtype=np.uint8)  # p = 0, .5, .75
    expected = np.corrcoef([0, 0.5, 1], [0, 0.5, 0.75])[0, 1]
    assert metrics.allele_frequency_r(real, syn) == pytest.approx(expected)
    gf_real = [1, 0, 0, 0, 1, 0, 0, 0, 1]
    gf_syn = [1, 0, 0, 0.5, 0, 0.5, 0, 0.5, 0.5]
    assert metrics.genotype_frequency_r(real, syn) == pytest.approx(np.corrcoef(gf_real, gf_syn)[0, 1])
    assert metrics.allele_frequency_r(real, real) == pytest.approx(1.0)


def test_constant_vectors_correlate_zero_not_nan():
    assert metrics.pearson([1, 1, 1], [1, 2, 3]) == 0.0
    x = np.ones((3, 4), dtype=np.uint8)
    assert metrics.allele_frequency_r(x, x) == 0.0


def test_hudson_fst_by_hand():
    # p1 = 0.5 and p2 = 0 from 4 haplotypes each: N = 1/4 - (1/4)/3 = 1/6, D = 1/2, F_ST = 1/3;
    # the same from mean pairwise differences, 1 - mean(2/3, 0) / (1/2)
    real = np.array([[1], [1]], dtype=np.uint8)
    syn = np.array([[0], [0]], dtype=np.uint8)
    assert metrics.hudson_fst(real, syn) == pytest.approx(1 / 3)
    assert metrics.hudson_fst(syn, syn) == 0.0  # nothing segregates anywhere
    x = np.array([[0, 1], [2, 1], [1, 0]], dtype=np.uint8)
    assert metrics.hudson_fst(x, x) < 0  # unbiased: identical samples score slightly below 0


def test_metrics_reject_non_dosages():
    with pytest.raises(DataError, match="individual 0, SNP 1 holds 3"):
        metrics.allele_frequency_r(np.array([[0, 3]]), np.array([[0, 1]]))
    with pytest.raises(ValueError, match="real has 2 SNPs and synthetic 3"):
        metrics.hudson_fst(np.zeros((2, 2), np.uint8), np.zeros((2, 3), np.uint8))


# ---------------------------------------------------------------------------------------
# linkage disequilibrium


def test_ld_r2_by_hand():
    a = np.array([0, 1, 2, 1, 0, 2], dtype=np.uint8)
    b = np.array([0, 1, 2, 2, 0, 1], dtype=np.uint8)
    x = np.column_stack([a, a, 2 - a, np.ones(6, np.uint8), b])
    r2 = metrics.ld_r2(x, max_distance=2)
    assert r2.shape == (5, 2)
    assert r2[0].tolist() == pytest.approx([1.0, 1.0])  # a~a, a~(2 - a)
    assert r2[2, 0] == 0.0 and r2[3, 0] == 0.0  # a monomorphic SNP has r² 0
    assert r2[2, 1] == pytest.approx(np.corrcoef(a, b)[0, 1] ** 2)
    assert np.isnan(r2[3, 1]) and np.isnan(r2[4]).all()  # past the last SNP
    masked = metrics.ld_r2(x, max_distance=2, chromosome=[0, 0, 1, 1, 1])
    assert np.isnan(masked[0, 1]) and np.isnan(masked[1, 0]) and masked[0, 0] == pytest.approx(1.0)


def test_ld_r2_matches_a_slow_reference(blocks):
    rng = np.random.default_rng(2)
    x = np.where(rng.random(blocks.shape) < 0.2, rng.integers(0, 3, blocks.shape), blocks).astype(np.uint8)
    r2 = metrics.ld_r2(x, max_distance=7)
    for j in range(0, 60, 7):
        for d in range(1, 8):
            if j + d < 60:
                assert r2[j, d - 1] == pytest.approx(np.corrcoef(x[:, j], x[:, j + d])[0, 1] ** 2, abs=1e-12)


def test_ld_r_is_one_for_identical_data_and_never_nan(blocks):
    assert metrics.ld_r(blocks, blocks, window=10) == pytest.approx(1.0)
    flat = blocks.copy()
    flat[:, :20] = 1  # synthetic lost the variation of 20 SNPs
    value = metrics.ld_r(blocks, flat, window=10)
    assert math.isfinite(value) and value < 0.9


def test_ld_decay_by_hand(blocks):
    distance, mean_r2 = metrics.ld_decay(blocks, edges=range(1, 10))
    assert distance.tolist() == list(range(1, 9))
    # in blocks of 5, a pair d apart is in one block for 5 - d of every 5 starting SNPs (r² 1);
    # pairs across blocks have r² near 0 (independent blocks, n = 200)
    for d, value in zip(distance, mean_r2):
        inside = max(5 - d, 0) * 12 / (60 - d)
        assert value == pytest.approx(inside, abs=0.02)
    distance, mean_r2 = metrics.ld_decay(blocks, max_distance=40, num_bins=6)
    assert distance[0] == 1.0 and np.all(np.diff(distance) > 0) and len(distance) <= 6
    assert mean_r2[0] > 0.7 and mean_r2[-1] < 0.02


# ---------------------------------------------------------------------------------------
# distances, k-NN precision/recall, adversarial accuracy, copies


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
def test_pairwise_distances_match_scipy(metric):
    rng = np.random.default_rng(3)
    a, b = rng.integers(0, 3, (7, 40)).astype(np.uint8), rng.integers(0, 3, (5, 40)).astype(np.uint8)
    scipy_name = "cityblock" if metric == "manhattan" else metric
    assert np.allclose(metrics.pairwise_distances(a, b, metric=metric), cdist(a, b, scipy_name), atol=1e-9)
    wide = (a * 100).astype(np.uint8)  # uint8 but not dosages: must not take the dosage shortcut
    assert np.allclose(metrics.pairwise_distances(wide, b, metric=metric), cdist(wide, b, scipy_name), atol=1e-9)
    fa, fb = rng.normal(size=(7, 3)), rng.normal(size=(5, 3))  # the general (non-dosage) path
    assert np.allclose(metrics.pairwise_distances(fa, fb, metric=metric), cdist(fa, fb, scipy_name), atol=1e-9)


def test_knn_precision_recall_worked_in_one_dimension():
    # real 0, 1, 3 with k = 1: radii 1, 1, 2. synthetic 0.5, 2.5, 5.5: radii 2, 2, 3.
    # precision: 0.5 (in ball of 0), 2.5 (in ball of 3), 5.5 (2.5 from 3 > 2: outside) -> 2/3
    # recall: 0 (0.5 from 0.5 <= 2), 1 (0.5 from 0.5), 3 (0.5 from 2.5) -> 1; F1 = 0.8
    real, syn = _column([0, 1, 3]), _column([0.5, 5.5, 2.5])
    for metric in ("euclidean", "manhattan"):
        out = metrics.knn_precision_recall(real, syn, k=1, metric=metric)
        assert out == pytest.approx({"precision": 2 / 3, "recall": 1.0, "f1": 0.8})
    # k = 2: real radii 3, 2, 3 now cover 5.5 (2.5 from 3 <= 3)
    assert metrics.knn_precision_recall(real, syn, k=2)["precision"] == pytest.approx(1.0)
    # the curve is the same numbers for every k, from one pass over the distances
    curve = metrics.knn_precision_recall_curve(real, syn, ks=(1, 2))
    assert [c["k"] for c in curve] == [1, 2]
    for c in curve:
        assert {key: c[key] for key in ("precision", "recall", "f1")} == \
            pytest.approx(metrics.knn_precision_recall(real, syn, k=c["k"]))
    assert curve[1]["precision"] == pytest.approx(1.0)


def test_knn_needs_more_samples_than_k():
    with pytest.raises(ValueError, match="no 3-th nearest neighbour"):
        metrics.knn_precision_recall(_column([0, 1, 2]), _column([0, 1, 2, 3]), k=3)


def test_adversarial_accuracy_constructed_cases():
    real = _column([0, 1, 10])
    # synthetic on top of real: every nearest neighbour is from the other set
    copies = metrics.adversarial_accuracy(real, real + 0.01)
    assert copies == {"aa_real": 0.0, "aa_syn": 0.0, "aats": 0.0}
    # far away: every nearest neighbour is from the own set
    far = metrics.adversarial_accuracy(real, real + 1000)
    assert far == {"aa_real": 1.0, "aa_syn": 1.0, "aats": 1.0}
    # worked by hand: real 0 -> d_RR 1, d_RS .5 (wrong); 1 -> 1, .5 (wrong); 10 -> 9, 9.5 (right): 1/3
    # synthetic .5 -> d_SS 19.5, d_SR .5 (wrong); 20 -> 1, 10 (right); 21 -> 1, 11 (right): 2/3
    mixed = metrics.adversarial_accuracy(real, _column([0.5, 20, 21]))
    assert mixed == pytest.approx({"aa_real": 1 / 3, "aa_syn": 2 / 3, "aats": 0.5})


def test_adversarial_accuracy_counts_ties_as_wrong():
    # real 0: d_RR 2 < d_RS 4 (right); real 2: d_RR 2 = d_RS 2, a tie (wrong) -> 1/2
    # synthetic 4: d_SS 6 > d_SR 2 (wrong); 10: d_SS 6 < d_SR 8 (right) -> 1/2
    out = metrics.adversarial_accuracy(_column([0, 2]), _column([4, 10]))
    assert out == {"aa_real": 0.5, "aa_syn": 0.5, "aats": 0.5}


def test_exact_copies_counted_with_multiplicity():
    train = np.array([[0, 1, 2], [2, 2, 2], [1, 1, 1]], dtype=np.uint8)
    syn = np.array([[0, 1, 2], [0, 1, 2], [2, 2, 2], [2, 2, 1], [0, 0, 0]], dtype=np.uint8)
    assert metrics.exact_copies(train, syn) == 3
    assert metrics.exact_copies(train, syn[3:]) == 0


# ---------------------------------------------------------------------------------------
# GWAS, PCA


def test_gwas_betas_by_hand():
    x = np.array([[0, 1], [1, 1], [2, 1]], dtype=np.uint8)
    assert metrics.gwas_betas(x, [1.0, 3.0, 5.0]).tolist() == pytest.approx([2.0, 0.0])
    rng = np.random.default_rng(4)
    x = rng.integers(0, 3, (50, 8)).astype(np.uint8)
    y = x @ rng.normal(size=8) + rng.normal(size=50)
    assert metrics.gwas_beta_r(x, y, x, y) == pytest.approx(1.0)
    slope = np.polyfit(x[:, 3].astype(float), y, 1)[0]
    assert metrics.gwas_betas(x, y)[3] == pytest.approx(slope)


def test_pca_coordinates_project_on_real_axes():
    rng = np.random.default_rng(5)
    real = rng.integers(0, 3, (30, 12)).astype(np.uint8)
    a, b, ratio = metrics.pca_coordinates(real, real, num_components=3)
    assert a.shape == (30, 3) and np.allclose(a, b)
    assert np.allclose(a.mean(axis=0), 0.0)
    centred = real - real.mean(axis=0)
    sing = np.linalg.svd(centred, compute_uv=False)
    assert ratio == pytest.approx(sing[:3] ** 2 / (sing ** 2).sum())
    assert np.allclose((a ** 2).sum(axis=0), sing[:3] ** 2)  # coordinates on axis i have sum of squares s_i²
    # data on a line: one axis explains everything, and a shifted copy lands shifted along it
    line = np.outer(np.arange(5.0), [1.0, 2.0])
    a, b, ratio = metrics.pca_coordinates(line, line + [1.0, 2.0], num_components=1)
    assert ratio[0] == pytest.approx(1.0) and np.allclose(np.abs(b - a), math.sqrt(5))


# ---------------------------------------------------------------------------------------
# continuous data


def test_energy_distance_by_hand():
    assert metrics.energy_distance([0.0], [1.0]) == pytest.approx(2.0)
    # 2 * mean|x - y| - mean|x - x'| - mean|y - y'| = 2 * 1 - (0 + 2 + 2 + 0) / 4 - 0 = 1
    assert metrics.energy_distance([0.0, 2.0], [1.0]) == pytest.approx(1.0)
    rng = np.random.default_rng(6)
    x = rng.normal(size=(40, 3))
    assert metrics.energy_distance(x, x[::-1]) == pytest.approx(0.0, abs=1e-12)
    assert metrics.energy_distance(x, x + 1.0) > 0.5


def test_crps_by_hand_and_against_the_gaussian_closed_form():
    assert metrics.crps([1.0], [[3.0, 3.0, 3.0]]) == pytest.approx(2.0)  # a point mass: |c - y|
    # y = 0, draws -1 and 1: mean |x - y| = 1, minus (2 + 2) / (2 * 2 * 1) = 1
    assert metrics.crps([0.0], [[-1.0, 1.0]]) == pytest.approx(0.0)
    # N(0, sigma²) forecast: CRPS = sigma (z (2 Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi)), Gneiting et al. 2005
    rng = np.random.default_rng(7)
    sigma, y = 2.0, np.array([-1.0, 0.0, 0.5, 3.0])
    draws = rng.normal(0.0, sigma, size=(4, 20000))
    z = y / sigma
    closed = sigma * (z * (2 * norm.cdf(z) - 1) + 2 * norm.pdf(z) - 1 / math.sqrt(math.pi))
    assert metrics.crps(y, draws) == pytest.approx(closed.mean(), rel=0.02)
    with pytest.raises(ValueError, match="m >= 2"):
        metrics.crps([0.0], [[1.0]])


def test_clr_and_correlation_distance_by_hand():
    c = metrics.clr(np.array([[1.0, 2.0, 4.0]]), pseudocount=0.0)
    assert c.tolist()[0] == pytest.approx([-math.log(2), 0.0, math.log(2)])
    t = np.arange(10.0)
    real = np.column_stack([t, t, np.ones(10)])  # corr(0, 1) = 1; the constant column correlates 0
    syn = np.column_stack([t, -t, t])  # corr(0, 1) = -1, corr(0, 2) = 1, corr(1, 2) = -1
    assert metrics.correlation_distance(real, real) == 0.0
    assert metrics.correlation_distance(real, syn) == pytest.approx((2 + 1 + 1) / 3)
    assert metrics.correlation_distance(real, syn, norm="frobenius") == pytest.approx(math.sqrt(2 * (4 + 1 + 1)))


# ---------------------------------------------------------------------------------------
# the table row


def test_evaluate_genotypes_row(blocks):
    real, syn, train = blocks[:100], blocks[100:], blocks[100:150]
    row = metrics.evaluate_genotypes(real, syn, train=train, window=5, k=3)
    assert tuple(row) == metrics.GENOTYPE_COLUMNS
    assert all(isinstance(v, float) and math.isfinite(v) for v in row.values())
    assert row["exact_copies"] >= 50
    assert row["ld_r"] > 0.95 and row["af_r"] > 0.9
    same = metrics.evaluate_genotypes(real, real, train=real, window=5)
    assert (same["af_r"], same["gf_r"], same["ld_r"], same["precision"], same["recall"]) == pytest.approx((1, 1, 1, 1, 1))
    assert same["aats"] == 0.0 and same["exact_copies"] == 100.0
    assert math.isnan(metrics.evaluate_genotypes(real, syn, window=5)["exact_copies"])


def test_evaluate_genotypes_subsamples_the_larger_set(blocks):
    row = metrics.evaluate_genotypes(blocks[:40], blocks[40:], train=blocks[:10], window=5, random_seed=1)
    again = metrics.evaluate_genotypes(blocks[:40], blocks[40:], train=blocks[:10], window=5, random_seed=1)
    other = metrics.evaluate_genotypes(blocks[:40], blocks[40:], train=blocks[:10], window=5, random_seed=2)
    assert row == again and 0.0 <= row["aats"] <= 1.0
    assert row["af_r"] == other["af_r"]  # frequencies use every individual; only distance scores subsample
