"""Reference rows every results table shows: the floor (samplers that ignore dependence) and the ceiling (real against real)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from bsl.genai.data import GenotypeData, as_dosages
from bsl.genai.metrics import evaluate_genotypes


def _parse_count(name: str, value: Any, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}")
    return int(value)


# ---------------------------------------------------------------------------------------
# genotypes


def independent_snp_sampler(train: GenotypeData | Any, *, num_samples: int, random_seed: int = 0) -> GenotypeData | np.ndarray:
    """Synthetic genotypes with every SNP drawn independently from its training genotype frequencies.

    Reproduces allele and genotype frequencies (up to sampling error) and nothing else: no LD,
    no population structure. It is the floor a generative model must clear.

    Args:
        train: training genotypes, ``GenotypeData`` or dosages (n, L).
        num_samples: individuals to draw.
        random_seed: seed of the draws.

    Returns:
        ``GenotypeData`` on the training map (names ``independent_<i>``) when ``train`` is one,
        otherwise dosages ``uint8`` (num_samples, L).
    """
    num_samples = _parse_count("num_samples", num_samples)
    x = as_dosages(train, name="train")
    # P(g <= 0) and P(g <= 1) counted directly, so a genotype absent from training is never drawn
    at_most_0, at_most_1 = (x == 0).mean(axis=0), (x <= 1).mean(axis=0)  # (L,) each
    u = np.random.default_rng(random_seed).random((num_samples, x.shape[1]))  # (m, L)
    dosages = (u >= at_most_0).astype(np.uint8) + (u >= at_most_1).astype(np.uint8)  # inverse CDF
    if isinstance(train, GenotypeData):
        return train.with_dosages(dosages, name_prefix="independent")
    return dosages


def real_vs_real(data: GenotypeData | Any, *, num_samples: int | None = None, random_seed: int = 0,
                 window: int = 50, k: int = 5, metric: str = "euclidean") -> dict[str, float]:
    """``evaluate_genotypes`` between two disjoint random sets of real individuals: the ceiling.

    Set A plays the real test set and the training set, set B the synthetic set, so
    ``exact_copies`` counts real individuals of B identical to one of A. Distance-based scores
    depend on set size: give ``num_samples`` equal to the test-set size the models are scored on.

    Args:
        data: real genotypes with at least ``2 * num_samples`` individuals.
        num_samples: individuals in each set; default half of ``data``.
        random_seed: seed of the draw of the two sets (and of evaluate's subsampling).
        window, k, metric: as in ``evaluate_genotypes``.
    """
    n = data.num_individuals if isinstance(data, GenotypeData) else as_dosages(data).shape[0]
    size = n // 2 if num_samples is None else _parse_count("num_samples", num_samples, minimum=2)
    if 2 * size > n:
        raise ValueError(f"two disjoint sets of {size} need {2 * size} individuals; data has {n}")
    order = np.random.default_rng(random_seed).permutation(n)
    a, b = np.sort(order[:size]), np.sort(order[size:2 * size])
    if isinstance(data, GenotypeData):
        set_a, set_b = data.subset(a), data.subset(b)
    else:
        x = as_dosages(data)
        set_a, set_b = x[a], x[b]
    return evaluate_genotypes(set_a, set_b, train=set_a, window=window, k=k, metric=metric, random_seed=random_seed)


# ---------------------------------------------------------------------------------------
# microbiome


@dataclass(frozen=True, eq=False)
class IndependentLogNormal:
    """Each species' log-abundance an independent Gaussian fitted to data, rescaled to a read depth.

    The model of the seed microbiome simulation without its shared factors: it matches every
    species' marginal but puts nothing between species except compositional closure.

    Attributes:
        log_means, log_sds: (S,) mean and s.d. of log(counts + pseudocount) per species.
        reads: reads each sample is rescaled to (the mean row total of the fitted data).
    """

    log_means: np.ndarray
    log_sds: np.ndarray
    reads: float

    @classmethod
    def fit(cls, counts: Any, *, pseudocount: float = 0.0) -> IndependentLogNormal:
        """Fit on abundances (n, S) >= 0; ``pseudocount`` > 0 is needed when some are 0."""
        x = np.asarray(counts, dtype=np.float64)
        if x.ndim != 2 or x.shape[0] < 2 or not np.all(np.isfinite(x)) or np.any(x < 0):
            raise ValueError(f"counts must be a finite, non-negative (n >= 2, S) matrix; got shape {x.shape}")
        if np.any(x + pseudocount <= 0):
            raise ValueError("counts hold zeros: give a pseudocount > 0 (e.g. 0.5) to take logarithms")
        logx = np.log(x + pseudocount)
        return cls(log_means=logx.mean(axis=0), log_sds=logx.std(axis=0, ddof=1), reads=float(x.sum(axis=1).mean()))

    def sample(self, num_samples: int, *, random_seed: int = 0) -> np.ndarray:
        """Draw ``num_samples`` compositions (num_samples, S), each row summing to ``reads``."""
        num_samples = _parse_count("num_samples", num_samples)
        z = np.random.default_rng(random_seed).normal(size=(num_samples, self.log_means.size))
        log_abundance = self.log_means + self.log_sds * z
        abundance = np.exp(log_abundance - log_abundance.max(axis=1, keepdims=True))
        return self.reads * abundance / abundance.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------------------------------
# phenotypes


@dataclass(frozen=True, eq=False)
class AdditiveGaussianPhenotype:
    """y = b0 + w·γ + x·β + e, e ~ N(0, σ²): ridge regression on dosages, environment covariates unpenalised.

    The conditional sampler with no dominance, epistasis or G×E: the baseline against which
    conditional phenotype generators are scored with ``crps`` and ``energy_distance``.

    Attributes:
        snp_effects: (L,) β; environment_effects: (C,) γ; intercept: b0.
        residual_sd: σ, the leave-one-out (or leave-group-out) root mean squared error of the fit (a predictive s.d.).
        ridge_lambda: the penalty used.
    """

    snp_effects: np.ndarray
    environment_effects: np.ndarray
    intercept: float
    residual_sd: float
    ridge_lambda: float

    @classmethod
    def fit(cls, genotypes: Any, environment: Any, y: Any, *, ridge_lambda: float | None = None,
            groups: Any = None) -> AdditiveGaussianPhenotype:
        """Fit by ridge regression.

        β minimises ‖M(y - Xβ)‖² + λ‖β‖², with M projecting out the unpenalised columns
        Z = [1, W] (Frisch-Waugh-Lovell), solved through the eigendecomposition of the n x n
        kernel MX(MX)ᵀ (a thin SVD of MX when there are fewer SNPs than individuals; the kernel's
        zero eigenvalues change neither β nor the fit); then (b0, γ) is least squares of y - Xβ on
        Z. With ``ridge_lambda=None``, λ minimises the leave-one-out error e_i / (1 - H_ii) of the
        projected problem (Allen 1974) over 25 values, 1e-3 .. 1e3 times the mean kernel eigenvalue.
        With ``groups``, rows sharing a label (one individual's records in several trials) are left
        out together: the held-out residuals of group g are (I - H_gg)⁻¹ e_g, so neither λ nor σ
        is chosen with the individual's own other records in the fit.

        Args:
            genotypes: dosages (n, L) or ``GenotypeData``.
            environment: (n, C) environment covariates (one-hot columns for categorical labels;
                (n,) is one covariate).
            y: (n,) phenotypes.
            ridge_lambda: penalty λ > 0, or None to choose it by leave-one-out.
            groups: (n,) labels of rows that share a genotype, left out together; None: every row alone.
        """
        x = as_dosages(genotypes, name="genotypes").astype(np.float64)
        n = x.shape[0]
        w = _environment(environment, n)
        y = np.asarray(y, dtype=np.float64).ravel()
        if y.shape != (n,) or not np.all(np.isfinite(y)):
            raise ValueError(f"y must be {n} finite values, one per individual; got shape {y.shape}")
        z = np.column_stack([np.ones(n), w])  # (n, 1 + C)
        z_pinv = np.linalg.pinv(z)  # (1 + C, n)

        def project(v):  # M v = v - Z (Z⁺ v)
            return v - z @ (z_pinv @ v)

        xm, ym = project(x), project(y)
        if xm.shape[1] < n:  # fewer SNPs than individuals: the kernel's nonzero spectrum from a thin SVD
            eigvec, sing, _ = np.linalg.svd(xm, full_matrices=False)  # (n, L), (L,)
            eigval = sing ** 2
        else:
            eigval, eigvec = np.linalg.eigh(xm @ xm.T)  # (n,), (n, n)
            eigval = np.maximum(eigval, 0.0)
        uy = eigvec.T @ ym
        held_out = _leave_group_out(eigvec, uy, ym, _group_rows(groups, n), z, z_pinv)
        if ridge_lambda is None:
            grid = max(float(eigval.sum()) / n, 1e-12) * np.logspace(-3, 3, 25)
            errors = [float(np.mean(held_out(eigval / (eigval + lam)) ** 2)) for lam in grid]
            lam = float(grid[int(np.argmin(errors))])
        else:
            if not (isinstance(ridge_lambda, (int, float)) and ridge_lambda > 0):
                raise ValueError(f"ridge_lambda must be a number > 0 or None; got {ridge_lambda!r}")
            lam = float(ridge_lambda)
        alpha = eigvec @ (uy / (eigval + lam))  # (n,)
        beta = xm.T @ alpha  # (L,)
        fixed = z_pinv @ (y - x @ beta)  # (1 + C,)
        loo_rmse = float(np.sqrt(np.mean(held_out(eigval / (eigval + lam)) ** 2)))
        return cls(snp_effects=beta, environment_effects=fixed[1:], intercept=float(fixed[0]),
                   residual_sd=loo_rmse, ridge_lambda=lam)

    def predict(self, genotypes: Any, environment: Any) -> np.ndarray:
        """Conditional mean b0 + w·γ + x·β for each row, (n,)."""
        x = as_dosages(genotypes, name="genotypes").astype(np.float64)
        if x.shape[1] != self.snp_effects.size:
            raise ValueError(f"genotypes have {x.shape[1]} SNPs; the model was fitted on {self.snp_effects.size}")
        w = _environment(environment, x.shape[0])
        if w.shape[1] != self.environment_effects.size:
            raise ValueError(f"environment has {w.shape[1]} covariates; the model was fitted on "
                             f"{self.environment_effects.size}")
        return self.intercept + w @ self.environment_effects + x @ self.snp_effects

    def sample(self, genotypes: Any, environment: Any, *, num_samples_per_row: int = 1,
               random_seed: int = 0) -> np.ndarray:
        """Draw phenotypes for each (genotype, environment) row, (n, num_samples_per_row)."""
        mean = self.predict(genotypes, environment)
        m = _parse_count("num_samples_per_row", num_samples_per_row)
        noise = np.random.default_rng(random_seed).normal(0.0, self.residual_sd, size=(mean.size, m))
        return mean[:, None] + noise


def _group_rows(groups: Any, n: int) -> list[np.ndarray]:
    """Row indices of each group, batched by group size: [(G_k, k) arrays]; singletons when ``groups`` is None."""
    if groups is None:
        return [np.arange(n)[:, None]]
    labels = np.unique(np.asarray(groups), return_inverse=True)[1].reshape(-1)
    if labels.size != n:
        raise ValueError(f"groups has {labels.size} labels; expected {n}, one per row of y")
    order = np.argsort(labels, kind="stable")
    members = np.split(order, np.flatnonzero(np.diff(labels[order])) + 1)
    by_size: dict[int, list[np.ndarray]] = {}
    for rows in members:
        by_size.setdefault(rows.size, []).append(rows)
    return [np.stack(rows) for rows in by_size.values()]


def _leave_group_out(eigvec: np.ndarray, uy: np.ndarray, ym: np.ndarray, batches: list[np.ndarray],
                     z: np.ndarray | None = None, z_pinv: np.ndarray | None = None):
    """shrink (r,) → the held-out residuals (n,) of the ridge fit when each group of rows is left out.

    The fit's hat matrix is H = P_Z + V diag(shrink) Vᵀ (P_Z = Z Z⁺ for the unpenalised columns,
    V the eigenvectors of the projected kernel); e = (I - H) y, and group g's held-out residuals
    are (I - H_gg)⁻¹ e_g, one batched solve per group size. Leaving P_Z out would let the mean of
    the held-out rows leak into the fit, which an almost interpolating ridge (small λ, more SNPs
    than individuals) turns into held-out errors far below the real ones."""

    def held_out(shrink: np.ndarray) -> np.ndarray:
        resid = ym - eigvec @ (shrink * uy)
        out = np.empty_like(resid)
        for rows in batches:  # (G, k)
            v = eigvec[rows]  # (G, k, r)
            h = np.einsum("gkr,r,glr->gkl", v, shrink, v)  # (G, k, k) diagonal blocks of H
            if z is not None:
                h = h + np.einsum("gkc,cgl->gkl", z[rows], z_pinv[:, rows])
            eye = np.eye(rows.shape[1])
            out[rows] = np.linalg.solve(eye - h + 1e-12 * eye, resid[rows][..., None])[..., 0]
        return out

    return held_out


def _environment(environment: Any, n: int) -> np.ndarray:
    w = np.asarray(environment, dtype=np.float64)
    w = w[:, None] if w.ndim == 1 else w
    if w.ndim != 2 or w.shape[0] != n or not np.all(np.isfinite(w)):
        raise ValueError(f"environment must be finite covariates of shape ({n}, C); got shape {w.shape}")
    return w
