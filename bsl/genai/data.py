"""Datasets bsl makes itself for generative models: coalescent genotypes, a non-additive G×E trait, and log-normal microbiome compositions."""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

import numpy as np

from bsl.diagnostics import DataError

#: Diploid effective size of the coalescent behind ``genotype_dataset``.
EFFECTIVE_SIZE = 1000
#: Genetic length per kept SNP: a chromosome is ``num_snps * MORGANS_PER_SNP`` Morgans long, so
#: SNP density, and with it LD measured in SNPs, does not change with ``num_snps``.
MORGANS_PER_SNP = 1.5e-4
#: Chromosomes carrying fewer SNPs are simulated at the length of this many, so enough sites segregate.
MIN_SNPS_PER_LENGTH = 100
#: Minimum minor-allele frequency of a kept SNP in the simulated pool (a SNP-chip-like ascertainment).
MAF = 0.05

#: Variance shares of the terms of ``phenotype_dataset``'s trait (they sum to 1).
DEFAULT_VARIANCE_SHARES = {"additive": 0.35, "dominance": 0.10, "epistasis": 0.15, "gxe": 0.15,
                           "environment": 0.10, "residual": 0.15}


# ---------------------------------------------------------------------------------------
# argument parsing


def _parse_int(name: str, value: Any, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer; got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}")
    return int(value)


def _parse_fraction(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number in [0, 1]; got {value!r}")
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be in [0, 1]; got {value}")
    return value


def _parse_variance_shares(shares: Mapping[str, float] | None) -> dict[str, float]:
    if shares is None:
        return dict(DEFAULT_VARIANCE_SHARES)
    unknown = sorted(set(shares) - set(DEFAULT_VARIANCE_SHARES))
    if unknown:
        raise ValueError(f"unknown variance share(s) {', '.join(map(repr, unknown))}; "
                         f"valid terms: {', '.join(DEFAULT_VARIANCE_SHARES)}")
    out = {k: _parse_fraction(f"variance_shares[{k!r}]", shares.get(k, 0.0)) for k in DEFAULT_VARIANCE_SHARES}
    if not math.isclose(sum(out.values()), 1.0, abs_tol=1e-9):
        raise ValueError(f"variance_shares must sum to 1; got {sum(out.values()):.6g} from {out}")
    return out


def as_dosages(dosages: Any, *, name: str = "dosages", names: list[str] | None = None) -> np.ndarray:
    """Check a genotype matrix and return it as a C-contiguous ``uint8`` array ``(n, L)``.

    Args:
        dosages: array-like ``(n, L)`` of alternative-allele counts; integers, booleans or
            whole-number floats, each 0, 1 or 2. A ``GenotypeData`` is accepted as is.
        name: what to call the matrix in error messages.
        names: individual names, quoted in the message for a bad value when given.

    Raises:
        DataError: BSL503 for a shape that is not 2-D; BSL502 for a value other than 0, 1, 2
            (the message names the first offending individual and SNP).
    """
    if isinstance(dosages, GenotypeData):
        return dosages.dosages
    array = np.asarray(dosages)
    if array.ndim != 2:
        raise DataError(f"{name} must be a 2-D matrix (individuals, SNPs); got shape {array.shape}", code="BSL503")
    if array.dtype.kind not in "biuf":
        raise DataError(f"{name} must hold the numbers 0, 1 or 2; got dtype {array.dtype}", code="BSL502")
    bad = (array != 0) & (array != 1) & (array != 2)  # also catches NaN and fractions
    if bad.any():
        row, col = (int(v) for v in np.argwhere(bad)[0])
        who = f"individual {row}" + (f" ({names[row]!r})" if names is not None and row < len(names) else "")
        raise DataError(f"{name}: {who}, SNP {col} holds {array[row, col].item()!r}; a dosage must be 0, 1 or 2 "
                        f"({int(bad.sum())} bad value(s) in all)", code="BSL502",
                        hint="dosages count alternative alleles of a diploid; recode or impute first")
    return np.ascontiguousarray(array, dtype=np.uint8)


# ---------------------------------------------------------------------------------------
# genotypes


@dataclass(frozen=True, eq=False)  # arrays: compare fields yourself
class GenotypeData:
    """Unphased diploid genotypes on a genetic map.

    Attributes:
        dosages: ``uint8`` ``(n, L)``, alternative-allele count 0, 1 or 2 per individual and SNP.
        chromosome: ``int32`` ``(L,)``, 0-based chromosome of each SNP; chromosomes contiguous, in order.
        positions_morgans: ``float64`` ``(L,)``, map position, non-decreasing within a chromosome.
        names: the ``n`` individual ids, unique.
        source: optional free text saying how the data was made (provenance).

    Arrays are coerced to the documented dtypes; anything inconsistent raises ``DataError``.
    """

    dosages: np.ndarray
    chromosome: np.ndarray
    positions_morgans: np.ndarray
    names: list[str]
    source: str | None = field(default=None)

    def __post_init__(self) -> None:
        names = [str(x) for x in self.names]
        dosages = as_dosages(self.dosages, names=names)
        n, num_snps = dosages.shape
        chrom = np.asarray(self.chromosome)
        pos = np.asarray(self.positions_morgans)
        if chrom.shape != (num_snps,) or pos.shape != (num_snps,):
            raise DataError(f"chromosome {chrom.shape} and positions_morgans {pos.shape} must both have shape "
                            f"({num_snps},), one entry per SNP", code="BSL503")
        if chrom.size and chrom.dtype.kind not in "iu":
            raise DataError(f"chromosome indices must be integers; got dtype {chrom.dtype}", code="BSL502")
        if pos.size and (pos.dtype.kind not in "iuf" or not np.all(np.isfinite(pos))):
            raise DataError("positions_morgans must be finite numbers", code="BSL502")
        if np.any(np.diff(chrom) < 0):
            raise DataError("SNPs must be sorted by chromosome (chromosomes contiguous and in order)", code="BSL502")
        same = np.diff(chrom) == 0
        if np.any(np.diff(pos)[same] < 0):
            j = int(np.flatnonzero(same & (np.diff(pos) < 0))[0])
            raise DataError(f"positions_morgans decrease between SNP {j} and SNP {j + 1} on chromosome {chrom[j]}",
                            code="BSL502", hint="sort the SNPs by map position within each chromosome")
        if len(names) != n:
            raise DataError(f"{len(names)} names for {n} individuals", code="BSL503")
        if len(set(names)) != n:
            dup = sorted({x for x in names if names.count(x) > 1})[:3]
            raise DataError(f"individual names must be unique; repeated: {', '.join(dup)}", code="BSL502")
        object.__setattr__(self, "dosages", dosages)
        object.__setattr__(self, "chromosome", np.ascontiguousarray(chrom, dtype=np.int32))
        object.__setattr__(self, "positions_morgans", np.ascontiguousarray(pos, dtype=np.float64))
        object.__setattr__(self, "names", names)

    @property
    def num_individuals(self) -> int:
        return int(self.dosages.shape[0])

    @property
    def num_snps(self) -> int:
        return int(self.dosages.shape[1])

    def subset(self, indices: Any) -> GenotypeData:
        """The individuals at ``indices`` (integer positions), in that order, on the same map."""
        idx = np.asarray(indices, dtype=np.int64)
        return replace(self, dosages=self.dosages[idx], names=[self.names[i] for i in idx])

    def with_dosages(self, dosages: Any, *, name_prefix: str = "synthetic") -> GenotypeData:
        """Other individuals (e.g. a model's samples) on this map, named ``<name_prefix>_<i>``."""
        dosages = as_dosages(dosages)
        if dosages.shape[1] != self.num_snps:
            raise DataError(f"dosages have {dosages.shape[1]} SNPs; this map has {self.num_snps}", code="BSL503")
        return GenotypeData(dosages=dosages, chromosome=self.chromosome, positions_morgans=self.positions_morgans,
                            names=[f"{name_prefix}_{i}" for i in range(dosages.shape[0])],
                            source=f"{name_prefix} on the map of {self.source or 'a GenotypeData'}")


def genotype_dataset(*, num_individuals: int = 2000, num_snps: int = 5000, num_chromosomes: int = 5,
                     random_seed: int = 1, cache_dir: str | os.PathLike | None = None) -> GenotypeData:
    """Unrelated diploids from a neutral coalescent with realistic linkage disequilibrium.

    ``num_snps`` SNPs are spread as evenly as possible over ``num_chromosomes`` chromosomes, each
    ``MORGANS_PER_SNP`` = 1.5e-4 M long per SNP it carries (5 x 0.15 M for 5000 SNPs), and
    simulated with ``bsl.io.coalescent.coalescent_founders``: ``num_individuals`` diploids
    sampled from a population of ``EFFECTIVE_SIZE`` = 1000, mutation rate 1e-8 per bp, no random
    mating afterwards; on each chromosome its share of the biallelic sites with MAF >= ``MAF`` =
    0.05 is kept at random, and dosage = sum of the two haplotypes. A chromosome carrying fewer
    than ``MIN_SNPS_PER_LENGTH`` = 100 SNPs is simulated at the length of 100, so that enough
    sites segregate (such small sets have weaker LD than the full-size data).

    Why these values (measured on 2000 x 5000, seeds 1-3): with Ne = 10000 on 1 M and MAF >= 0.01
    the mean r² of adjacent SNPs is 0.07, far below SNP-chip data. Shrinking Ne x length raises LD,
    but with MAF >= 0.01 the mean adjacent r² stops near 0.18 however small Ne is (a third of the
    SNPs are rare, and r² between SNPs of unequal frequency is bounded well below 1). A chip-like
    MAF >= 0.05 with Ne = 1000 and 1.5e-4 M per SNP gives mean r² ≈ 0.30 between adjacent SNPs
    (median 0.11), 0.12 at 10 SNPs apart, 0.017 at 100 and 0.004 at 500: LD decays over a few
    hundred SNPs.
    Each chromosome holds about 1.7 qualifying sites per SNP asked for, so any seed finds enough.
    Why several chromosomes: the coalescent that gives this LD (4 Ne r = 3000 over 0.75 M) leaves
    long stretches unrecombined, and on one 0.75 M chromosome only 2536 of 4000 sampled
    haplotypes are distinct and two of 2000 individuals have identical genotypes; with five
    independent chromosomes every haplotype and genotype is distinct (nearest-neighbour
    Manhattan distance >= 1667) at the same LD, so exact-copy and nearest-neighbour privacy
    metrics mean what they say.

    Args:
        num_individuals: diploids simulated (>= 2).
        num_snps: SNPs kept (>= num_chromosomes); the genome length scales with it.
        num_chromosomes: independent chromosomes (>= 1).
        random_seed: seed of the simulation (ancestry, mutations, SNP choice).
        cache_dir: when given, the simulation is stored there and reused by later calls with the
            same arguments.

    Returns:
        ``GenotypeData`` with names ``pool_<i>``.
    """
    from bsl.io.coalescent import coalescent_founders

    num_individuals = _parse_int("num_individuals", num_individuals, minimum=2)
    num_chromosomes = _parse_int("num_chromosomes", num_chromosomes, minimum=1)
    num_snps = _parse_int("num_snps", num_snps, minimum=num_chromosomes)
    random_seed = _parse_int("random_seed", random_seed, minimum=0)
    loci = [num_snps // num_chromosomes + (c < num_snps % num_chromosomes) for c in range(num_chromosomes)]
    lengths = [max(n, MIN_SNPS_PER_LENGTH) * MORGANS_PER_SNP for n in loci]
    founders = coalescent_founders(
        num_chromosomes=num_chromosomes, loci_per_chromosome=loci, chromosome_length_morgans=lengths,
        effective_size=EFFECTIVE_SIZE, pool_size=num_individuals, maf=MAF, random_mating_generations=0,
        random_seed=random_seed, cache_dir=cache_dir)
    return GenotypeData(
        dosages=founders.haplotypes.sum(axis=1, dtype=np.uint8),  # (n, L)
        chromosome=founders.chromosome, positions_morgans=founders.positions_morgans, names=founders.names,
        source=(f"genotype_dataset(num_individuals={num_individuals}, num_snps={num_snps}, "
                f"num_chromosomes={num_chromosomes}, random_seed={random_seed}): coalescent "
                f"Ne={EFFECTIVE_SIZE}, {sum(lengths):g} M, MAF>={MAF}"))


def split(data: GenotypeData, *, num_train: int = 1500, random_seed: int = 0) -> tuple[GenotypeData, GenotypeData]:
    """Split individuals at random into disjoint training and test sets.

    Args:
        data: the individuals to split.
        num_train: individuals in the training set, in ``[1, n - 1]``; the rest form the test set.
        random_seed: seed of the random permutation.

    Returns:
        ``(train, test)``, each keeping the original order of its individuals.
    """
    n = data.num_individuals
    num_train = _parse_int("num_train", num_train, minimum=1)
    if num_train >= n:
        raise ValueError(f"num_train must be < the {n} individuals, so the test set is not empty; got {num_train}")
    order = np.random.default_rng(_parse_int("random_seed", random_seed, minimum=0)).permutation(n)
    return data.subset(np.sort(order[:num_train])), data.subset(np.sort(order[num_train:]))


# ---------------------------------------------------------------------------------------
# phenotypes


@dataclass(frozen=True, eq=False)
class TraitModel:
    """The generating model of ``phenotype_dataset``, applicable to any genotypes and environments.

    For dosages ``x`` (n, L) and environment covariates ``w`` (n, C), with ``u_j = x_j - 1``:

        y = intercept + E + A + D + I + GxE + e
        E   = Σ_c m_c w_c                                  environment main effect
        A   = Σ_j a_j u_j                                  additive (Cockerham 1954 coding)
        D   = Σ_j d_j [x_j = 1]                            dominance (heterozygote deviation)
        I   = Σ_(j,k)∈P g_jk u_j u_k                       additive-by-additive epistasis
        GxE = Σ_j Σ_c b_jc w_c u_j                         QTL effects that vary with the covariates
        e   ~ N(0, residual_sd²)

    where ``j`` runs over the QTL. Attributes hold the effects already scaled.
    """

    qtl: np.ndarray  # (Q,) int64, SNP index of each QTL
    additive: np.ndarray  # (Q,) a_j
    dominance: np.ndarray  # (Q,) d_j
    epistatic_pairs: np.ndarray  # (P, 2) int64, positions in ``qtl``
    epistasis: np.ndarray  # (P,) g_jk
    gxe: np.ndarray  # (Q, C) b_jc
    environment_effects: np.ndarray  # (C,) m_c
    intercept: float
    residual_sd: float

    def components(self, dosages: Any, environment: Any) -> dict[str, np.ndarray]:
        """Each term of the model (``environment``, ``additive``, ``dominance``, ``epistasis``, ``gxe``), (n,) each.

        Args:
            dosages: ``(n, L)`` genotypes (or ``GenotypeData``) on the map the model was built on.
            environment: ``(n, C)`` environment covariates of each individual.
        """
        x = as_dosages(dosages)
        w = np.asarray(environment, dtype=np.float64)
        if w.ndim != 2 or w.shape != (x.shape[0], self.gxe.shape[1]):
            raise ValueError(f"environment must have shape ({x.shape[0]}, {self.gxe.shape[1]}); got {w.shape}")
        q = x[:, self.qtl].astype(np.float64)  # (n, Q)
        u = q - 1.0
        j, k = self.epistatic_pairs[:, 0], self.epistatic_pairs[:, 1]
        return {
            "environment": w @ self.environment_effects,
            "additive": u @ self.additive,
            "dominance": (q == 1.0).astype(np.float64) @ self.dominance,
            "epistasis": (u[:, j] * u[:, k]) @ self.epistasis,
            "gxe": np.einsum("nq,qc,nc->n", u, self.gxe, w),
        }

    def expected(self, dosages: Any, environment: Any) -> np.ndarray:
        """Expected phenotype ``y - e`` (n,): every term but the residual, intercept included."""
        return self.intercept + sum(self.components(dosages, environment).values())

    def sample(self, dosages: Any, environment: Any, *, random_seed: int) -> np.ndarray:
        """One phenotype per individual (n,): ``expected`` plus a fresh Gaussian residual."""
        mean = self.expected(dosages, environment)
        return mean + np.random.default_rng(random_seed).normal(0.0, self.residual_sd, size=mean.shape)


@dataclass(frozen=True, eq=False)
class PhenotypeData:
    """A trait measured once per individual, each individual in one environment.

    Attributes:
        y: ``float64`` (n,), the phenotype.
        environment: ``float64`` (n, C), covariates of the environment each individual grew in.
        environment_label: ``int64`` (n,), that environment's index in ``environment_covariates``.
        environment_covariates: ``float64`` (E, C), the covariates of every environment.
        expected: ``float64`` (n,), ``y`` without its residual (the true conditional mean).
        model: the generating ``TraitModel``, to phenotype other genotypes or environments.
    """

    y: np.ndarray
    environment: np.ndarray
    environment_label: np.ndarray
    environment_covariates: np.ndarray
    expected: np.ndarray
    model: TraitModel


def phenotype_dataset(genotypes: GenotypeData | Any, *, num_environments: int = 4, num_covariates: int = 3,
                      num_qtl: int = 100, num_epistatic_pairs: int = 100,
                      variance_shares: Mapping[str, float] | None = None, random_seed: int = 1) -> PhenotypeData:
    """A trait with dominance, epistasis and genotype-by-environment interaction (see ``TraitModel``).

    Environments: each of ``num_environments`` gets ``num_covariates`` continuous covariates
    (think temperature, rainfall, soil), drawn N(0, 1) and then centred and scaled to unit s.d.
    across environments (with one environment they are 0, and there is no E or GxE term).
    Individuals are spread evenly over environments at random.

    Effects: ``num_qtl`` QTL at random SNPs; a_j ~ N(0, 1); d_j = |N(0, 1)| (directional dominance,
    heterozygotes above the parental mean as in heterosis); ``num_epistatic_pairs`` distinct QTL
    pairs with g_jk ~ N(0, 1); b_jc ~ N(0, 1); m_c ~ N(0, 1). Each term is then multiplied by one
    constant so that its variance over these individuals equals its share in ``variance_shares``
    (default: additive 0.35, dominance 0.10, epistasis 0.15, GxE 0.15, environment 0.10, residual
    0.15), the residual s.d. is sqrt(residual share), and the intercept centres ``expected`` at 0.
    The terms are not orthogonal (at a SNP with p != 0.5 the heterozygote indicator and u_j
    covary, and so do u_j u_k and u_j), so var(y) is the sum of the shares plus these
    covariances, not exactly 1. The scaling happens once, here; ``model`` then applies the same
    effects to any genotypes and any covariates, including environments not in the data.

    Args:
        genotypes: the individuals to phenotype, ``GenotypeData`` or dosages ``(n, L)``.
        num_environments: environments (>= 1).
        num_covariates: covariates per environment (>= 1).
        num_qtl: QTL (1 .. L).
        num_epistatic_pairs: interacting QTL pairs (0 .. Q(Q-1)/2).
        variance_shares: share of the phenotypic variance of each term; keys among ``additive``,
            ``dominance``, ``epistasis``, ``gxe``, ``environment``, ``residual`` (missing ones are 0);
            they must sum to 1.
        random_seed: seed of environments, effects and residuals.
    """
    x = as_dosages(genotypes, name="genotypes")
    n, num_snps = x.shape
    num_environments = _parse_int("num_environments", num_environments, minimum=1)
    num_covariates = _parse_int("num_covariates", num_covariates, minimum=1)
    num_qtl = _parse_int("num_qtl", num_qtl, minimum=1)
    if num_qtl > num_snps:
        raise ValueError(f"num_qtl must be <= the {num_snps} SNPs; got {num_qtl}")
    num_epistatic_pairs = _parse_int("num_epistatic_pairs", num_epistatic_pairs, minimum=0)
    if num_epistatic_pairs > num_qtl * (num_qtl - 1) // 2:
        raise ValueError(f"num_epistatic_pairs must be <= {num_qtl * (num_qtl - 1) // 2}, the pairs among "
                         f"{num_qtl} QTL; got {num_epistatic_pairs}")
    shares = _parse_variance_shares(variance_shares)
    rng = np.random.default_rng(_parse_int("random_seed", random_seed, minimum=0))

    table = rng.normal(size=(num_environments, num_covariates))  # (E, C)
    table = table - table.mean(axis=0)
    if num_environments > 1:
        table = table / table.std(axis=0)
    label = rng.permutation(np.arange(n) % num_environments).astype(np.int64)  # (n,)
    environment = table[label]  # (n, C)

    qtl = np.sort(rng.choice(num_snps, size=num_qtl, replace=False)).astype(np.int64)
    upper = np.column_stack(np.triu_indices(num_qtl, k=1))  # all pairs j < k
    pairs = upper[np.sort(rng.choice(len(upper), size=num_epistatic_pairs, replace=False))].astype(np.int64)
    raw = TraitModel(qtl=qtl, additive=rng.normal(size=num_qtl), dominance=np.abs(rng.normal(size=num_qtl)),
                     epistatic_pairs=pairs.reshape(-1, 2), epistasis=rng.normal(size=num_epistatic_pairs),
                     gxe=rng.normal(size=(num_qtl, num_covariates)),
                     environment_effects=rng.normal(size=num_covariates), intercept=0.0, residual_sd=0.0)
    parts = raw.components(x, environment)
    scale = {}
    for term, values in parts.items():
        var = float(values.var())
        scale[term] = math.sqrt(shares[term] / var) if var > 1e-12 else 0.0
    model = replace(raw, additive=raw.additive * scale["additive"], dominance=raw.dominance * scale["dominance"],
                    epistasis=raw.epistasis * scale["epistasis"], gxe=raw.gxe * scale["gxe"],
                    environment_effects=raw.environment_effects * scale["environment"],
                    residual_sd=math.sqrt(shares["residual"]))
    model = replace(model, intercept=-float(model.expected(x, environment).mean()))
    expected = model.expected(x, environment)
    y = expected + rng.normal(0.0, model.residual_sd, size=n)
    return PhenotypeData(y=y, environment=environment, environment_label=label, environment_covariates=table,
                         expected=expected, model=model)


# ---------------------------------------------------------------------------------------
# microbiome


@dataclass(frozen=True, eq=False)
class MicrobiomeData:
    """Species abundances of microbiome samples, each rescaled to the same number of reads.

    Attributes:
        counts: ``float64`` (n, S), abundances; every row sums to ``reads`` (not rounded).
        log_means: ``float64`` (S,), mean log-abundance of each species before rescaling.
        log_sds: ``float64`` (S,), s.d. of log-abundance of each species before rescaling.
        loadings: ``float64`` (S, K), latent-factor loadings (K = 0: independent species).
        reads: reads per sample.
    """

    counts: np.ndarray
    log_means: np.ndarray
    log_sds: np.ndarray
    loadings: np.ndarray
    reads: int


def microbiome_dataset(*, num_samples: int = 1000, num_species: int = 50, reads: int = 20000,
                       num_factors: int = 3, factor_share: float = 0.6, random_seed: int = 1) -> MicrobiomeData:
    """Log-normal species abundances, as the microbiome simulation of Pérez-Enciso et al. (2025), plus shared factors.

    The seed simulation draws, per species s, a log-mean mu_s ~ U(-3, 3) and a log-s.d.
    sigma_s ~ U(0.5, 1.5), abundances a_is = exp(mu_s + sigma_s z_is) with independent z_is ~ N(0, 1),
    and rescales each sample to ``reads``: counts_is = reads * a_is / Σ_t a_it.

    Independent species leave nothing between species but compositional closure, so a model
    could not beat an independent log-normal on correlation structure. By default (``num_factors``
    > 0) z carries K latent factors (a low-rank Gaussian copula, as in factor models of
    co-occurrence):

        z_is = λ_s · f_i + sqrt(1 - |λ_s|²) ε_is,  f_i ~ N(0, I_K),  ε_is ~ N(0, 1),
        λ_s = sqrt(factor_share) v_s,  v_s uniform on the unit sphere of R^K,

    so each z_is stays N(0, 1) (mu_s and sigma_s keep their meaning) and corr(z_s, z_t) =
    factor_share v_s · v_t. ``num_factors=0`` gives the seed simulation exactly.

    Args:
        num_samples: samples (>= 2).
        num_species: species (>= 2).
        reads: reads per sample after rescaling (>= 1).
        num_factors: latent factors K (>= 0).
        factor_share: share of each species' log-abundance variance due to the factors, in [0, 1].
        random_seed: seed of parameters and abundances.
    """
    n = _parse_int("num_samples", num_samples, minimum=2)
    s = _parse_int("num_species", num_species, minimum=2)
    reads = _parse_int("reads", reads, minimum=1)
    k = _parse_int("num_factors", num_factors, minimum=0)
    share = _parse_fraction("factor_share", factor_share) if k else 0.0
    rng = np.random.default_rng(_parse_int("random_seed", random_seed, minimum=0))
    log_means = rng.uniform(-3.0, 3.0, size=s)
    log_sds = rng.uniform(0.5, 1.5, size=s)
    directions = rng.normal(size=(s, k))
    if k:
        directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    loadings = math.sqrt(share) * directions  # (S, K)
    z = rng.normal(size=(n, k)) @ loadings.T + math.sqrt(1.0 - share) * rng.normal(size=(n, s))  # (n, S)
    log_abundance = log_means + log_sds * z
    # subtract the row maximum before exp: the composition is unchanged and nothing overflows
    abundance = np.exp(log_abundance - log_abundance.max(axis=1, keepdims=True))
    counts = reads * abundance / abundance.sum(axis=1, keepdims=True)
    return MicrobiomeData(counts=counts, log_means=log_means, log_sds=log_sds, loadings=loadings, reads=reads)
