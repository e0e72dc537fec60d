"""The reference rows: independent samplers (the floor) and real against real (the ceiling)."""
from __future__ import annotations

import numpy as np
import pytest

from bsl.genai import data, metrics, references


@pytest.fixture(scope="module")
def strong_ld():
    """600 individuals, 80 SNPs in blocks of 4 nearly identical columns; on a two-chromosome map."""
    rng = np.random.default_rng(11)
    base = np.repeat(rng.binomial(2, rng.uniform(0.15, 0.85, 20), size=(600, 20)), 4, axis=1)
    noise = rng.random(base.shape) < 0.05
    dosages = np.where(noise, rng.integers(0, 3, base.shape), base).astype(np.uint8)
    return data.GenotypeData(dosages=dosages, chromosome=np.repeat([0, 1], 40),
                             positions_morgans=np.tile(np.linspace(0, 0.1, 40), 2),
                             names=[f"r{i}" for i in range(600)])


def test_independent_sampler_keeps_frequencies_and_destroys_ld(strong_ld):
    syn = references.independent_snp_sampler(strong_ld, num_samples=3000, random_seed=1)
    assert isinstance(syn, data.GenotypeData) and syn.dosages.shape == (3000, 80)
    assert syn.names[0] == "independent_0" and np.array_equal(syn.chromosome, strong_ld.chromosome)
    # genotype frequencies within sampling error: s.d. of a frequency <= sqrt(.25 / 3000) ~ 0.009
    diff = metrics.genotype_frequencies(syn) - metrics.genotype_frequencies(strong_ld)
    assert np.abs(diff).max() < 0.045
    assert metrics.allele_frequency_r(strong_ld, syn) > 0.99
    real_adjacent = np.nanmean(metrics.ld_r2(strong_ld, max_distance=1)[:, 0])
    syn_adjacent = np.nanmean(metrics.ld_r2(syn, max_distance=1)[:, 0])
    assert real_adjacent > 0.5 and syn_adjacent < 0.01
    assert abs(metrics.ld_r(strong_ld, syn, window=3)) < 0.2


def test_independent_sampler_never_draws_an_absent_genotype():
    x = np.array([[0, 1, 2], [0, 1, 2], [1, 1, 2]], dtype=np.uint8)
    syn = references.independent_snp_sampler(x, num_samples=2000, random_seed=2)
    assert isinstance(syn, np.ndarray) and syn.dtype == np.uint8
    assert set(np.unique(syn[:, 0])) == {0, 1} and set(np.unique(syn[:, 1])) == {1} and set(np.unique(syn[:, 2])) == {2}
    with pytest.raises(ValueError, match="num_samples must be an integer >= 1"):
        references.independent_snp_sampler(x, num_samples=0)


def test_real_vs_real_is_the_ceiling_and_independent_the_floor(strong_ld):
    ceiling = references.real_vs_real(strong_ld, num_samples=200, random_seed=3, window=3)
    train, test = data.split(strong_ld, num_train=400, random_seed=3)
    floor = metrics.evaluate_genotypes(
        test, references.independent_snp_sampler(train, num_samples=200, random_seed=3), train=train, window=3)
    assert set(ceiling) == set(metrics.GENOTYPE_COLUMNS)
    assert ceiling["exact_copies"] == 0.0  # distinct real individuals
    assert ceiling["ld_r"] > 0.9 > 0.2 > floor["ld_r"]
    assert ceiling["af_r"] > 0.95 and floor["af_r"] > 0.95  # frequencies do not tell them apart
    assert ceiling["precision"] > floor["precision"]
    assert abs(ceiling["aats"] - 0.5) < 0.15
    with pytest.raises(ValueError, match="need 800 individuals; data has 600"):
        references.real_vs_real(strong_ld, num_samples=400)


def test_independent_log_normal_matches_marginals_but_not_correlations():
    mb = data.microbiome_dataset(num_samples=800, num_species=15, reads=10000, random_seed=4)
    fitted = references.IndependentLogNormal.fit(mb.counts[:400])
    syn = fitted.sample(400, random_seed=5)
    assert syn.shape == (400, 15) and np.allclose(syn.sum(axis=1), 10000)
    # marginal of each species' share: medians agree in log space
    log_ratio = np.median(np.log(syn), axis=0) - np.median(np.log(mb.counts[400:]), axis=0)
    assert np.abs(log_ratio).max() < 0.5
    baseline = metrics.correlation_distance(metrics.clr(mb.counts[400:]), metrics.clr(syn))
    ceiling = metrics.correlation_distance(metrics.clr(mb.counts[400:]), metrics.clr(mb.counts[:400]))
    assert baseline > 2 * ceiling
    with pytest.raises(ValueError, match="pseudocount"):
        references.IndependentLogNormal.fit(np.array([[0.0, 1.0], [1.0, 1.0]]))


def test_additive_gaussian_phenotype_recovers_an_additive_trait():
    rng = np.random.default_rng(6)
    n, num_snps = 600, 40
    x = rng.binomial(2, 0.5, size=(n, num_snps)).astype(np.uint8)
    w = rng.normal(size=(n, 2))
    beta = rng.normal(0, 0.3, num_snps)
    truth = 1.0 + w @ np.array([2.0, -1.0]) + x @ beta
    y = truth + rng.normal(0, 0.5, n)
    model = references.AdditiveGaussianPhenotype.fit(x[:500], w[:500], y[:500])
    assert model.environment_effects == pytest.approx([2.0, -1.0], abs=0.1)  # unpenalised
    assert metrics.pearson(model.predict(x[500:], w[500:]), truth[500:]) > 0.95
    assert model.residual_sd == pytest.approx(0.5, rel=0.25)
    draws = model.sample(x[500:], w[500:], num_samples_per_row=30, random_seed=7)
    assert draws.shape == (100, 30)
    assert np.array_equal(draws, model.sample(x[500:], w[500:], num_samples_per_row=30, random_seed=7))
    # the conditional sampler beats a sampler that ignores genotype and environment
    marginal = rng.choice(y[:500], size=(100, 30))
    assert metrics.crps(y[500:], draws) < 0.6 * metrics.crps(y[500:], marginal)


def test_additive_baseline_misses_the_non_additive_trait():
    g = data.genotype_dataset(num_individuals=400, num_snps=200, num_chromosomes=2, random_seed=8)
    ph = data.phenotype_dataset(g, num_qtl=20, num_epistatic_pairs=30, random_seed=8)
    model = references.AdditiveGaussianPhenotype.fit(g.subset(range(300)), ph.environment[:300], ph.y[:300])
    test = g.subset(range(300, 400))
    env = ph.environment[300:]
    draws = model.sample(test, env, num_samples_per_row=40, random_seed=9)
    oracle = np.stack([ph.model.sample(test, env, random_seed=s) for s in range(40)], axis=1)
    assert metrics.crps(ph.y[300:], oracle) < metrics.crps(ph.y[300:], draws)
    with pytest.raises(ValueError, match="environment has 1 covariates"):
        model.predict(test, np.zeros(100))


def test_leave_group_out_residuals_match_refits_without_the_group():
    # (I - H_gg)^-1 e_g is the residual of a ridge refit on every row but group g's (no unpenalised terms).
    rng = np.random.default_rng(10)
    n, num_cols, lam = 30, 12, 2.0
    x = rng.normal(size=(n, num_cols))
    y = rng.normal(size=n)
    groups = rng.integers(0, 11, size=n)
    eigvec, sing, _ = np.linalg.svd(x, full_matrices=False)
    held_out = references._leave_group_out(eigvec, eigvec.T @ y, y, references._group_rows(groups, n))
    residuals = held_out(sing ** 2 / (sing ** 2 + lam))
    for g in np.unique(groups):
        out = groups == g
        beta = np.linalg.solve(x[~out].T @ x[~out] + lam * np.eye(num_cols), x[~out].T @ y[~out])
        assert residuals[out] == pytest.approx(y[out] - x[out] @ beta, abs=1e-9)
    singles = references._leave_group_out(eigvec, eigvec.T @ y, y, references._group_rows(None, n))
    leverage = (eigvec ** 2) @ (sing ** 2 / (sing ** 2 + lam))
    assert singles(sing ** 2 / (sing ** 2 + lam)) == pytest.approx((y - x @ np.linalg.solve(
        x.T @ x + lam * np.eye(num_cols), x.T @ y)) / (1 - leverage), abs=1e-9)
    # with an unpenalised intercept and covariate, against refits of the whole model (more SNPs than rows)
    dosages, w = rng.integers(0, 3, size=(n, 50)), rng.normal(size=(n, 1))
    model = references.AdditiveGaussianPhenotype.fit(dosages, w, y, ridge_lambda=lam, groups=groups)
    errors = []
    for g in np.unique(groups):
        out = groups == g
        refit = references.AdditiveGaussianPhenotype.fit(dosages[~out], w[~out], y[~out], ridge_lambda=lam)
        errors.append(y[out] - refit.predict(dosages[out], w[out]))
    assert model.residual_sd == pytest.approx(np.sqrt(np.mean(np.concatenate(errors) ** 2)), rel=1e-9)


def test_grouped_baseline_sd_is_the_error_on_new_individuals():
    # Three records per individual: leaving one record out keeps the individual's other two in the fit,
    # so its s.d. is too small for a new individual; leaving the individual out is not.
    rng = np.random.default_rng(11)
    num_individuals, num_snps = 200, 300
    x = rng.binomial(2, 0.3, size=(num_individuals, num_snps)).astype(np.uint8)
    genetic = x @ rng.normal(0, 0.1, num_snps) + rng.normal(0, 1.0, num_individuals)  # part not additive in x
    rows = np.repeat(np.arange(num_individuals), 3)
    y = genetic[rows] + rng.normal(0, 0.3, rows.size)
    train = rows < 150
    by_record = references.AdditiveGaussianPhenotype.fit(x[rows[train]], np.zeros((train.sum(), 0)), y[train])
    by_individual = references.AdditiveGaussianPhenotype.fit(x[rows[train]], np.zeros((train.sum(), 0)), y[train],
                                                             groups=rows[train])
    error = np.sqrt(np.mean((y[~train] - by_individual.predict(x[rows[~train]], np.zeros(((~train).sum(), 0)))) ** 2))
    assert by_record.residual_sd < 0.8 * by_individual.residual_sd
    assert by_individual.residual_sd == pytest.approx(error, rel=0.2)
    with pytest.raises(ValueError, match="groups has 3 labels"):
        references.AdditiveGaussianPhenotype.fit(x[:10], np.zeros((10, 0)), y[:10], groups=[1, 2, 3])
