"""The genai datasets: GenotypeData validation, the coalescent genotypes, the G×E trait, microbiome compositions."""
from __future__ import annotations

import numpy as np
import pytest

from bsl.diagnostics import DataError
from bsl.genai import data
from bsl.genai.metrics import clr, ld_r2


def _genotypes(dosages, **kw) -> data.GenotypeData:
    dosages = np.asarray(dosages)
    n, num_snps = dosages.shape
    return data.GenotypeData(dosages=dosages, chromosome=np.zeros(num_snps, dtype=np.int64),
                             positions_morgans=np.linspace(0.0, 0.1, num_snps),
                             names=[f"ind{i}" for i in range(n)], **kw)


# ---------------------------------------------------------------------------------------
# GenotypeData


def test_dosage_3_is_a_data_error_naming_row_and_column():
    with pytest.raises(DataError) as err:
        _genotypes([[0, 1, 2], [2, 1, 3]])
    assert err.value.code == "BSL502"
    assert "individual 1 ('ind1'), SNP 2 holds 3" in err.value.message


@pytest.mark.parametrize("bad", [0.5, np.nan, -1])
def test_non_dosage_values_are_data_errors(bad):
    with pytest.raises(DataError, match="individual 0.*SNP 1"):
        _genotypes(np.array([[0.0, bad], [1.0, 2.0]]))


def test_arrays_are_coerced_to_documented_dtypes():
    g = _genotypes(np.array([[0, 1], [2, 1]], dtype=np.int64))
    assert g.dosages.dtype == np.uint8 and g.chromosome.dtype == np.int32
    assert g.positions_morgans.dtype == np.float64
    assert (g.num_individuals, g.num_snps) == (2, 2)
    assert g.subset([1]).names == ["ind1"] and g.subset([1]).dosages.tolist() == [[2, 1]]


def test_inconsistent_map_and_names_are_data_errors():
    with pytest.raises(DataError, match="one entry per SNP") as err:
        data.GenotypeData(dosages=np.zeros((2, 3)), chromosome=np.zeros(2), positions_morgans=np.zeros(3),
                          names=["a", "b"])
    assert err.value.code == "BSL503"
    with pytest.raises(DataError, match="unique"):
        data.GenotypeData(dosages=np.zeros((2, 1)), chromosome=[0], positions_morgans=[0.0], names=["a", "a"])
    with pytest.raises(DataError, match="decrease"):
        data.GenotypeData(dosages=np.zeros((1, 2)), chromosome=[0, 0], positions_morgans=[0.2, 0.1], names=["a"])


def test_with_dosages_keeps_the_map_and_validates():
    g = _genotypes([[0, 1, 2]])
    syn = g.with_dosages(np.array([[1, 1, 1], [2, 2, 0]]), name_prefix="vae")
    assert syn.names == ["vae_0", "vae_1"] and np.array_equal(syn.positions_morgans, g.positions_morgans)
    with pytest.raises(DataError, match="SNP 0 holds 5"):
        g.with_dosages(np.array([[5, 1, 1]]))


# ---------------------------------------------------------------------------------------
# genotype_dataset and split


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    cache = tmp_path_factory.mktemp("genai-cache")
    return data.genotype_dataset(num_individuals=80, num_snps=300, num_chromosomes=3, random_seed=2,
                                 cache_dir=cache), cache


def test_genotype_dataset_shapes_map_and_maf(small):
    g, _ = small
    assert g.dosages.shape == (80, 300) and g.dosages.dtype == np.uint8
    assert set(np.unique(g.dosages)) <= {0, 1, 2}
    assert np.bincount(g.chromosome).tolist() == [100, 100, 100]
    for c in range(3):
        assert np.all(np.diff(g.positions_morgans[g.chromosome == c]) > 0)
    p = g.dosages.mean(axis=0) / 2
    assert np.minimum(p, 1 - p).min() >= data.MAF  # the MAF filter ran on exactly these individuals
    assert len({row.tobytes() for row in g.dosages}) == 80


def test_genotype_dataset_is_cached_and_reproducible(small):
    g, cache = small
    assert len(list(cache.glob("founders-*.npz"))) == 1
    again = data.genotype_dataset(num_individuals=80, num_snps=300, num_chromosomes=3, random_seed=2, cache_dir=cache)
    assert np.array_equal(g.dosages, again.dosages) and g.names == again.names
    other = data.genotype_dataset(num_individuals=80, num_snps=300, num_chromosomes=3, random_seed=3, cache_dir=cache)
    assert not np.array_equal(g.dosages, other.dosages)


def test_genotype_dataset_has_ld_that_decays(small):
    g, _ = small
    r2 = ld_r2(g, max_distance=50, chromosome=g.chromosome)
    adjacent, far = np.nanmean(r2[:, 0]), np.nanmean(r2[:, 49])
    assert adjacent > 0.2
    assert adjacent > 3 * far


def test_genotype_dataset_rejects_bad_arguments():
    with pytest.raises(ValueError, match="num_snps must be >= 3"):
        data.genotype_dataset(num_individuals=10, num_snps=2, num_chromosomes=3)
    with pytest.raises(TypeError, match="num_individuals must be an integer"):
        data.genotype_dataset(num_individuals=10.0, num_snps=20)


def test_split_is_a_seeded_partition(small):
    g, _ = small
    train, test = data.split(g, num_train=60, random_seed=4)
    assert (train.num_individuals, test.num_individuals) == (60, 20)
    assert set(train.names).isdisjoint(test.names) and set(train.names) | set(test.names) == set(g.names)
    row = {name: i for i, name in enumerate(g.names)}
    assert np.array_equal(test.dosages, g.dosages[[row[n] for n in test.names]])
    assert data.split(g, num_train=60, random_seed=4)[1].names == test.names
    assert data.split(g, num_train=60, random_seed=5)[1].names != test.names
    with pytest.raises(ValueError, match="test set is not empty"):
        data.split(g, num_train=80)


# ---------------------------------------------------------------------------------------
# phenotype_dataset


@pytest.fixture(scope="module")
def random_genotypes():
    rng = np.random.default_rng(0)
    return rng.binomial(2, rng.uniform(0.1, 0.9, size=60), size=(1200, 60)).astype(np.uint8)


def test_phenotype_shapes_and_variance_shares(random_genotypes):
    ph = data.phenotype_dataset(random_genotypes, num_environments=4, num_covariates=3, num_qtl=30,
                                num_epistatic_pairs=40, random_seed=1)
    n = random_genotypes.shape[0]
    assert ph.y.shape == (n,) and ph.environment.shape == (n, 3) and ph.environment_covariates.shape == (4, 3)
    assert np.bincount(ph.environment_label).tolist() == [300] * 4
    assert np.array_equal(ph.environment, ph.environment_covariates[ph.environment_label])
    parts = ph.model.components(random_genotypes, ph.environment)
    for term, share in data.DEFAULT_VARIANCE_SHARES.items():
        if term != "residual":
            assert parts[term].var() == pytest.approx(share, rel=1e-9)
    assert ph.expected.mean() == pytest.approx(0.0, abs=1e-9)
    residual = ph.y - ph.expected
    assert residual.var() == pytest.approx(0.15, rel=0.15)  # sd of a variance estimate from 1200 draws ~ 4 %


def test_epistasis_is_the_double_difference_of_expected_values(random_genotypes):
    # for an additive-by-additive pair (j, k): f(x + e_j + e_k) - f(x + e_j) - f(x + e_k) + f(x) = g_jk at x = 0,
    # while additive, dominance (at 0 -> 1 steps of different loci) and GxE terms cancel
    ph = data.phenotype_dataset(random_genotypes, num_qtl=10, num_epistatic_pairs=5, random_seed=2)
    model, w = ph.model, ph.environment[:1]
    for p, (a, b) in enumerate(model.epistatic_pairs):
        j, k = model.qtl[a], model.qtl[b]
        x = np.zeros((4, random_genotypes.shape[1]), dtype=np.uint8)
        x[1, j] = x[2, k] = 1
        x[3, [j, k]] = 1
        f = model.expected(x, np.repeat(w, 4, axis=0))
        assert f[3] - f[1] - f[2] + f[0] == pytest.approx(model.epistasis[p], abs=1e-12)
        assert model.epistasis[p] != 0


def test_dominance_and_additive_terms_under_allele_swap(random_genotypes):
    w = np.zeros((random_genotypes.shape[0], 3))
    swapped = 2 - random_genotypes
    dom = data.phenotype_dataset(random_genotypes, variance_shares={"dominance": 1.0}, num_qtl=20).model
    assert np.allclose(dom.expected(random_genotypes, w), dom.expected(swapped, w))  # heterozygotes unchanged
    assert dom.expected(random_genotypes, w).std() > 0.5
    add = data.phenotype_dataset(random_genotypes, variance_shares={"additive": 1.0}, num_qtl=20).model
    assert np.allclose(add.expected(random_genotypes, w) + add.expected(swapped, w), 2 * add.intercept)


def test_gxe_reranks_individuals_across_environments(random_genotypes):
    ph = data.phenotype_dataset(random_genotypes, num_environments=2, num_qtl=30, num_epistatic_pairs=20,
                                random_seed=3)
    n = random_genotypes.shape[0]
    env = ph.environment_covariates
    diff = ph.model.expected(random_genotypes, np.repeat(env[:1], n, 0)) - \
        ph.model.expected(random_genotypes, np.repeat(env[1:], n, 0))
    assert diff.std() > 0.1
    no_gxe = data.phenotype_dataset(random_genotypes, num_environments=2, num_qtl=30, num_epistatic_pairs=20,
                                    random_seed=3,
                                    variance_shares={"additive": 0.5, "environment": 0.2, "residual": 0.3})
    diff = no_gxe.model.expected(random_genotypes, np.repeat(env[:1], n, 0)) - \
        no_gxe.model.expected(random_genotypes, np.repeat(env[1:], n, 0))
    assert diff.std() < 1e-12


def test_phenotype_arguments_are_validated(random_genotypes):
    with pytest.raises(ValueError, match="sum to 1"):
        data.phenotype_dataset(random_genotypes, num_qtl=10, num_epistatic_pairs=5, variance_shares={"additive": 0.5})
    with pytest.raises(ValueError, match="valid terms: additive"):
        data.phenotype_dataset(random_genotypes, num_qtl=10, num_epistatic_pairs=5, variance_shares={"additve": 1.0})
    with pytest.raises(ValueError, match="num_qtl must be <= the 60 SNPs"):
        data.phenotype_dataset(random_genotypes, num_qtl=61)


# ---------------------------------------------------------------------------------------
# microbiome_dataset


def test_microbiome_rows_sum_to_reads_and_parameters_in_range():
    mb = data.microbiome_dataset(num_samples=200, num_species=30, reads=5000, random_seed=4)
    assert mb.counts.shape == (200, 30) and np.all(mb.counts > 0)
    assert np.allclose(mb.counts.sum(axis=1), 5000)
    assert mb.log_means.min() >= -3 and mb.log_means.max() <= 3
    assert mb.log_sds.min() >= 0.5 and mb.log_sds.max() <= 1.5
    assert np.allclose(np.linalg.norm(mb.loadings, axis=1), np.sqrt(0.6))


def test_microbiome_without_factors_is_the_seed_log_normal():
    # log(c_s / c_t) = mu_s - mu_t + sigma_s z_s - sigma_t z_t: closure cancels in a log-ratio
    mb = data.microbiome_dataset(num_samples=20000, num_species=4, num_factors=0, random_seed=5)
    ratio = np.log(mb.counts[:, 0] / mb.counts[:, 1])
    assert ratio.mean() == pytest.approx(mb.log_means[0] - mb.log_means[1], abs=0.05)
    assert ratio.var() == pytest.approx(mb.log_sds[0] ** 2 + mb.log_sds[1] ** 2, rel=0.05)


def test_microbiome_factors_correlate_species():
    def mean_abs_corr(mb):
        c = np.corrcoef(clr(mb.counts), rowvar=False)
        return np.abs(c[np.triu_indices_from(c, k=1)]).mean()

    independent = data.microbiome_dataset(num_samples=1000, num_species=20, num_factors=0, random_seed=6)
    factors = data.microbiome_dataset(num_samples=1000, num_species=20, random_seed=6)
    assert mean_abs_corr(factors) > 2 * mean_abs_corr(independent)
