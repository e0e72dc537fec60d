"""Metrics that compare synthetic with real data: the genotype metrics of Xie et al. (2025) and distribution scores for continuous data.

Genotype metrics take dosage matrices ``(n, L)`` (or ``GenotypeData``); SNP columns of the
real and synthetic sets must match. Conventions shared by every function here:

* A correlation that is undefined because one side has zero variance is reported as 0
  (a constant carries no information about the other side), never NaN.
* A monomorphic SNP has r² = 0 with every other SNP and a GWAS slope of 0.
* Distances between individuals are Euclidean on dosages unless ``metric="manhattan"``; they
  are computed in row blocks of at most ``BLOCK_BYTES`` so memory stays bounded.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from bsl.genai.data import GenotypeData, as_dosages

#: Memory bound of one block of pairwise distances (float64).
BLOCK_BYTES = 64 * 2**20
METRICS = ("euclidean", "manhattan")


def _parse_metric(metric: str) -> str:
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(map(repr, METRICS))}; got {metric!r}")
    return metric


def _pair(real: Any, synthetic: Any) -> tuple[np.ndarray, np.ndarray]:
    r = as_dosages(real, name="real")
    s = as_dosages(synthetic, name="synthetic")
    if r.shape[1] != s.shape[1]:
        raise ValueError(f"real has {r.shape[1]} SNPs and synthetic {s.shape[1]}; they must match")
    return r, s


def _matrix(x: Any, name: str) -> np.ndarray:
    """A finite float64 matrix (n, d); a vector is one column."""
    a = np.asarray(x.dosages if isinstance(x, GenotypeData) else x, dtype=np.float64)
    a = a[:, None] if a.ndim == 1 else a
    if a.ndim != 2 or a.shape[0] < 1:
        raise ValueError(f"{name} must be a non-empty (n, d) matrix or (n,) vector; got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def pearson(a: Any, b: Any) -> float:
    """Pearson correlation of two equal-length vectors; 0 when either is constant."""
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError(f"vectors of different lengths: {a.size} and {b.size}")
    a, b = a - a.mean(), b - b.mean()
    den = math.sqrt(float(a @ a) * float(b @ b))
    return 0.0 if den <= 1e-300 else float(np.clip((a @ b) / den, -1.0, 1.0))


# ---------------------------------------------------------------------------------------
# frequencies and differentiation


def allele_frequencies(dosages: Any) -> np.ndarray:
    """Alternative-allele frequency of each SNP, mean dosage / 2, (L,)."""
    return as_dosages(dosages).mean(axis=0) / 2.0


def genotype_frequencies(dosages: Any) -> np.ndarray:
    """Frequencies of genotypes 0, 1, 2 at each SNP, (L, 3); rows sum to 1."""
    x = as_dosages(dosages)
    return np.stack([(x == g).mean(axis=0) for g in (0, 1, 2)], axis=1)


def allele_frequency_r(real: Any, synthetic: Any) -> float:
    """Pearson r between real and synthetic allele frequencies over SNPs (Xie et al. 2025)."""
    r, s = _pair(real, synthetic)
    return pearson(allele_frequencies(r), allele_frequencies(s))


def genotype_frequency_r(real: Any, synthetic: Any) -> float:
    """Pearson r between real and synthetic genotype frequencies over all (SNP, genotype) cells, 3L values."""
    r, s = _pair(real, synthetic)
    return pearson(genotype_frequencies(r), genotype_frequencies(s))


def hudson_fst(real: Any, synthetic: Any) -> float:
    """Hudson's F_ST between the two sets, as a ratio of averages over SNPs (Bhatia et al. 2013, eq. 10).

    With allele frequencies p1, p2 and n1, n2 sampled haplotypes (twice the individuals):
    N_j = (p1 - p2)² - p1(1 - p1)/(n1 - 1) - p2(1 - p2)/(n2 - 1), D_j = p1(1 - p2) + p2(1 - p1),
    F_ST = Σ_j N_j / Σ_j D_j. Near 0 (slightly negative is possible) for samples of one
    population; 0 when every SNP is fixed for the same allele in both.
    """
    r, s = _pair(real, synthetic)
    n1, n2 = 2 * r.shape[0], 2 * s.shape[0]
    if min(n1, n2) < 2:
        raise ValueError("hudson_fst needs at least one individual (two haplotypes) in each set")
    p1, p2 = allele_frequencies(r), allele_frequencies(s)
    num = (p1 - p2) ** 2 - p1 * (1 - p1) / (n1 - 1) - p2 * (1 - p2) / (n2 - 1)
    den = p1 * (1 - p2) + p2 * (1 - p1)
    total = float(den.sum())
    return 0.0 if total <= 0 else float(num.sum()) / total


# ---------------------------------------------------------------------------------------
# linkage disequilibrium


def ld_r2(dosages: Any, *, max_distance: int, chromosome: Any = None) -> np.ndarray:
    """r² between each SNP and the next ``max_distance`` SNPs, (L, max_distance).

    r is the Pearson correlation of dosages, the composite LD estimator that needs no phase
    (Rogers & Huff 2009; the estimator Xie et al. 2025 use). Entry ``[j, d - 1]`` is r² of SNPs
    j and j + d; NaN where j + d is past the last SNP or, when ``chromosome`` (L,) is given, on
    another chromosome. A monomorphic SNP has r² = 0.
    """
    x = as_dosages(dosages).astype(np.float64)
    n, num_snps = x.shape
    width = _parse_positive_int("max_distance", max_distance)
    sd = x.std(axis=0)
    z = np.where(sd > 0, (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0), 0.0)  # (n, L) standardized
    out = np.full((num_snps, width), np.nan)
    block = max(1, min(num_snps, (BLOCK_BYTES // 8) // max(1, num_snps + width)))
    d = np.arange(1, width + 1)
    for start in range(0, num_snps, block):
        stop = min(num_snps, start + block)
        hi = min(num_snps, stop + width)
        corr = np.full((stop - start, stop - start + width), np.nan)  # padded so every (j, d) indexes
        corr[:, :hi - start - 1] = z[:, start:stop].T @ z[:, start + 1:hi] / n  # (b, hi - start - 1)
        rows = np.arange(stop - start)[:, None]
        out[start:stop] = np.minimum(corr[rows, rows + d[None, :] - 1] ** 2, 1.0)
    if chromosome is not None:
        chrom = np.asarray(chromosome)
        if chrom.shape != (num_snps,):
            raise ValueError(f"chromosome must have shape ({num_snps},); got {chrom.shape}")
        other = np.arange(num_snps)[:, None] + d[None, :]
        inside = other < num_snps
        cross = np.zeros_like(out, dtype=bool)
        cross[inside] = chrom[other[inside]] != np.broadcast_to(chrom[:, None], out.shape)[inside]
        out[cross] = np.nan
    return out


def ld_r(real: Any, synthetic: Any, *, window: int = 50, chromosome: Any = None) -> float:
    """Pearson r between real and synthetic LD r² over all SNP pairs at most ``window`` SNPs apart.

    Pairs are those of ``ld_r2`` (same chromosome when ``chromosome`` is given); a SNP that is
    monomorphic in one set enters with r² = 0 there, so a model that loses a SNP's variation
    is penalised rather than excused.
    """
    r, s = _pair(real, synthetic)
    if chromosome is None and isinstance(real, GenotypeData):
        chromosome = real.chromosome
    a = ld_r2(r, max_distance=window, chromosome=chromosome)
    b = ld_r2(s, max_distance=window, chromosome=chromosome)
    keep = ~np.isnan(a)
    return pearson(a[keep], b[keep])


def ld_decay(dosages: Any, *, max_distance: int = 500, num_bins: int = 20, edges: Any = None,
             chromosome: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Mean r² (``ld_r2``) of SNP pairs binned by their distance in SNPs, for LD-decay curves.

    Args:
        dosages: genotypes (n, L).
        max_distance: largest distance in SNPs considered.
        num_bins: bins spaced evenly on a log scale from 1 to ``max_distance`` (bins too narrow
            to hold an integer distance are merged, so there may be fewer).
        edges: integer bin edges instead, increasing, from >= 1; bin i holds distances
            ``edges[i] <= d < edges[i + 1]`` (``max_distance`` is then ``edges[-1] - 1``).
        chromosome: (L,) chromosome of each SNP, so that pairs stay within one.

    Returns:
        ``(distance, mean_r2)``, each (B,): ``distance`` is the mean SNP distance of the pairs in a
        bin; bins without pairs are left out.
    """
    if edges is None:
        width = _parse_positive_int("max_distance", max_distance)
        edges = np.unique(np.round(np.geomspace(1, width + 1, _parse_positive_int("num_bins", num_bins) + 1)))
    edges = np.asarray(edges)
    if edges.ndim != 1 or edges.size < 2 or edges[0] < 1 or np.any(np.diff(edges) <= 0) or \
            np.any(edges != np.round(edges)):
        raise ValueError(f"edges must be increasing integers >= 1, at least two; got {edges.tolist()}")
    edges = edges.astype(np.int64)
    r2 = ld_r2(dosages, max_distance=int(edges[-1]) - 1, chromosome=chromosome)  # (L, D)
    distance, mean_r2 = [], []
    for lo, hi in zip(edges[:-1], edges[1:]):
        cols = r2[:, lo - 1:hi - 1]
        ok = ~np.isnan(cols)
        if ok.any():
            distance.append(float((np.nonzero(ok)[1] + lo).mean()))
            mean_r2.append(float(cols[ok].mean()))
    return np.array(distance), np.array(mean_r2)


def _parse_positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


# ---------------------------------------------------------------------------------------
# distances between individuals


def pairwise_distances(a: Any, b: Any, *, metric: str = "euclidean") -> np.ndarray:
    """Distances between the rows of ``a`` (m, d) and ``b`` (n, d), (m, n) float64.

    Euclidean distances come from |a|² + |b|² - 2 a·b (exact for dosages, whose products are small
    integers). Manhattan distances of 0/1/2 dosages use |u - v| = (u - v)² - 2([u = 0][v = 2] +
    [u = 2][v = 0]), three matrix products instead of an (m, n, d) difference; other data go
    through ``torch.cdist``. Both inputs count as dosages when they are ``uint8`` (or
    ``GenotypeData``) with values <= 2.
    """
    metric = _parse_metric(metric)
    dosage = all(isinstance(v, GenotypeData) or np.asarray(v).dtype == np.uint8 for v in (a, b))
    a, b = _matrix(a, "a"), _matrix(b, "b")
    dosage = dosage and a.max(initial=0) <= 2 and b.max(initial=0) <= 2
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"rows of a have {a.shape[1]} columns and rows of b {b.shape[1]}")
    if metric == "manhattan" and not dosage:
        import torch

        return torch.cdist(torch.from_numpy(a), torch.from_numpy(b), p=1).numpy()
    squared = np.add.outer(np.einsum("ij,ij->i", a, a), np.einsum("ij,ij->i", b, b)) - 2.0 * (a @ b.T)
    np.maximum(squared, 0.0, out=squared)
    if metric == "euclidean":
        return np.sqrt(squared)
    return squared - 2.0 * ((a == 0).astype(np.float64) @ (b == 2).T + (a == 2).astype(np.float64) @ (b == 0).T)


def _row_blocks(num_rows: int, num_cols: int):
    step = max(1, BLOCK_BYTES // (8 * max(1, num_cols)))
    for start in range(0, num_rows, step):
        yield slice(start, min(num_rows, start + step))


def _within_set_neighbour(x: np.ndarray, ks: list[int], metric: str) -> np.ndarray:
    """Distance from each row to its k-th nearest other row of the same set, for each k: (n, len(ks))."""
    n = x.shape[0]
    if n <= max(ks):
        raise ValueError(f"a set of {n} samples has no {max(ks)}-th nearest neighbour; need more than k = {max(ks)} "
                         "samples")
    out = np.empty((n, len(ks)))
    kth = [k - 1 for k in ks]
    for rows in _row_blocks(n, n):
        dist = pairwise_distances(x[rows], x, metric=metric)
        dist[np.arange(dist.shape[0]), np.arange(rows.start, rows.stop)] = np.inf  # not its own neighbour
        out[rows] = np.partition(dist, kth, axis=1)[:, kth]
    return out


def knn_precision_recall(real: Any, synthetic: Any, *, k: int = 5, metric: str = "euclidean") -> dict[str, float]:
    """k-NN precision, recall and F1 (Kynkäänniemi et al. 2019, as used by Xie et al. 2025).

    Each sample's ball has as radius its distance to its k-th nearest neighbour within its own
    set. precision = share of synthetic samples inside at least one real ball (fidelity);
    recall = share of real samples inside at least one synthetic ball (diversity);
    F1 = 2PR / (P + R) (0 when both are 0). A point on a ball's boundary is inside.
    Both scores fall as set size falls; compare sets of equal sizes.

    Args:
        real, synthetic: (n, d) samples (dosages or any numbers).
        k: neighbour defining the radii (each set needs more than k samples).
        metric: ``"euclidean"`` or ``"manhattan"``.
    """
    point = knn_precision_recall_curve(real, synthetic, ks=(k,), metric=metric)[0]
    return {key: point[key] for key in ("precision", "recall", "f1")}


def knn_precision_recall_curve(real: Any, synthetic: Any, *, ks: Any = (1, 2, 3, 5, 10),
                               metric: str = "euclidean") -> list[dict[str, float]]:
    """``knn_precision_recall`` for each k in ``ks``, from one pass over the distances:
    [{"k", "precision", "recall", "f1"}, ...]. Larger k, larger balls: both scores rise with k."""
    metric = _parse_metric(metric)
    ks = [_parse_positive_int("k", k) for k in ks]
    r, s = _as_samples(real, synthetic)
    radius_r = _within_set_neighbour(r, ks, metric)  # (n_real, K)
    radius_s = _within_set_neighbour(s, ks, metric)  # (n_syn, K)
    s_covered = np.zeros((s.shape[0], len(ks)), dtype=bool)
    r_covered = np.zeros((r.shape[0], len(ks)), dtype=bool)
    for rows in _row_blocks(r.shape[0], s.shape[0]):
        dist = pairwise_distances(r[rows], s, metric=metric)  # (b, n_syn)
        for j in range(len(ks)):
            s_covered[:, j] |= (dist <= radius_r[rows, j, None]).any(axis=0)
            r_covered[rows, j] = (dist <= radius_s[None, :, j]).any(axis=1)
    out = []
    for j, k in enumerate(ks):
        precision, recall = float(s_covered[:, j].mean()), float(r_covered[:, j].mean())
        f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
        out.append({"k": k, "precision": precision, "recall": recall, "f1": f1})
    return out


def adversarial_accuracy(real: Any, synthetic: Any, *, metric: str = "euclidean") -> dict[str, float]:
    """Nearest-neighbour adversarial accuracy (Yale et al. 2020), as Xie et al. (2025) report it.

    AA_real = share of real samples whose nearest synthetic sample is farther than their nearest
    other real sample, d_RS(i) > d_RR(i); AA_syn = share of synthetic samples with d_SR(j) >
    d_SS(j); AATS = (AA_real + AA_syn) / 2. A tie counts as misclassified. Ideal 0.5; near 1 the
    sets are told apart (poor fidelity); near 0 synthetic samples sit on real ones (copies,
    a privacy risk). Yale et al. assume equal set sizes.

    Returns:
        ``{"aa_real", "aa_syn", "aats"}``.
    """
    metric = _parse_metric(metric)
    r, s = _as_samples(real, synthetic)
    d_rr = _within_set_neighbour(r, [1], metric)[:, 0]
    d_ss = _within_set_neighbour(s, [1], metric)[:, 0]
    d_rs = np.empty(r.shape[0])
    d_sr = np.full(s.shape[0], np.inf)
    for rows in _row_blocks(r.shape[0], s.shape[0]):
        dist = pairwise_distances(r[rows], s, metric=metric)
        d_rs[rows] = dist.min(axis=1)
        np.minimum(d_sr, dist.min(axis=0), out=d_sr)
    aa_real, aa_syn = float((d_rs > d_rr).mean()), float((d_sr > d_ss).mean())
    return {"aa_real": aa_real, "aa_syn": aa_syn, "aats": (aa_real + aa_syn) / 2}


def _as_samples(real: Any, synthetic: Any) -> tuple[Any, Any]:
    """Dosages stay uint8 (exact Manhattan path); anything else becomes float64."""
    if all(isinstance(v, GenotypeData) or np.asarray(v).dtype == np.uint8 for v in (real, synthetic)):
        return _pair(real, synthetic)
    r, s = _matrix(real, "real"), _matrix(synthetic, "synthetic")
    if r.shape[1] != s.shape[1]:
        raise ValueError(f"real has {r.shape[1]} columns and synthetic {s.shape[1]}; they must match")
    return r, s


def exact_copies(train: Any, synthetic: Any) -> int:
    """Synthetic individuals identical at every SNP to some training individual (with multiplicity)."""
    t, s = _pair(train, synthetic)
    seen = {row.tobytes() for row in t}
    return sum(row.tobytes() in seen for row in s)


# ---------------------------------------------------------------------------------------
# genotype-phenotype association and projections


def gwas_betas(dosages: Any, phenotype: Any) -> np.ndarray:
    """Marginal regression slope of the phenotype on each SNP's dosage, (L,); 0 for a monomorphic SNP.

    beta_j = cov(x_j, y) / var(x_j), the single-SNP least-squares GWAS of Xie et al. (2025).
    """
    x = as_dosages(dosages).astype(np.float64)
    y = np.asarray(phenotype, dtype=np.float64).ravel()
    if y.shape != (x.shape[0],) or not np.all(np.isfinite(y)):
        raise ValueError(f"phenotype must be {x.shape[0]} finite values, one per individual; got shape {y.shape}")
    xc = x - x.mean(axis=0)
    ss = np.einsum("ij,ij->j", xc, xc)
    return np.where(ss > 0, (xc.T @ (y - y.mean())) / np.where(ss > 0, ss, 1.0), 0.0)


def gwas_beta_r(real: Any, real_phenotype: Any, synthetic: Any, synthetic_phenotype: Any) -> float:
    """Pearson r between the per-SNP GWAS slopes of the real and the synthetic population."""
    r, s = _pair(real, synthetic)
    return pearson(gwas_betas(r, real_phenotype), gwas_betas(s, synthetic_phenotype))


def pca_coordinates(real: Any, synthetic: Any, *, num_components: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Real and synthetic samples projected on the principal axes of the real samples, for overlay plots.

    Axes come from the real data centred on their column means (no scaling); synthetic samples
    are centred with the same means.

    Returns:
        ``(real_coords (n_r, K), synthetic_coords (n_s, K), explained_variance_ratio (K,))``.
    """
    r, s = _matrix(real, "real"), _matrix(synthetic, "synthetic")
    if r.shape[1] != s.shape[1]:
        raise ValueError(f"real has {r.shape[1]} columns and synthetic {s.shape[1]}; they must match")
    k = _parse_positive_int("num_components", num_components)
    if k > min(r.shape):
        raise ValueError(f"num_components must be <= {min(r.shape)} (real samples and columns); got {k}")
    mean = r.mean(axis=0)
    rc = r - mean
    if rc.shape[0] < rc.shape[1]:  # fewer samples than columns: eigenvectors of the n x n Gram matrix
        eigval, eigvec = np.linalg.eigh(rc @ rc.T)
        top = np.argsort(eigval)[::-1][:k]
        variance = np.maximum(eigval[top], 0.0)
        axes = (rc.T @ eigvec[:, top] / np.sqrt(np.where(variance > 0, variance, 1.0))).T  # (K, d)
        total = float(np.einsum("ij,ij->", rc, rc))
    else:
        _, sing, vt = np.linalg.svd(rc, full_matrices=False)
        axes, variance, total = vt[:k], sing[:k] ** 2, float((sing ** 2).sum())
    ratio = variance / total if total > 0 else np.zeros(k)
    return rc @ axes.T, (s - mean) @ axes.T, ratio


# ---------------------------------------------------------------------------------------
# continuous data


def energy_distance(x: Any, y: Any) -> float:
    """Energy distance between two samples (Székely & Rizzo 2013, eq. 2.1), V-statistic form.

    E = 2 mean‖x_i - y_j‖ - mean‖x_i - x_i'‖ - mean‖y_j - y_j'‖ (Euclidean; means over all
    pairs, i = i' included). E >= 0 and is 0 only when the two empirical distributions coincide.
    (``scipy.stats.energy_distance`` returns sqrt(E) for one dimension.)

    Args:
        x, y: samples (n, d) and (m, d), or (n,) and (m,) for one dimension.
    """
    a, b = _matrix(x, "x"), _matrix(y, "y")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"x has {a.shape[1]} columns and y {b.shape[1]}; they must match")
    return 2.0 * _mean_distance(a, b) - _mean_distance(a, a) - _mean_distance(b, b)


def _mean_distance(a: np.ndarray, b: np.ndarray) -> float:
    total = 0.0
    for rows in _row_blocks(a.shape[0], b.shape[0]):
        total += float(pairwise_distances(a[rows], b).sum())
    return total / (a.shape[0] * b.shape[0])


def crps(observed: Any, samples: Any) -> float:
    """Mean continuous ranked probability score of a sampler, fair ensemble estimator (lower is better).

    For observation y_i and m draws x_i1..x_im of the sampler's predictive distribution for that
    row: CRPS_i = (1/m) Σ_k |x_ik - y_i| - 1/(2m(m-1)) Σ_k Σ_l |x_ik - x_il| (the kernel form of
    Gneiting & Raftery 2007, eq. 21, with the unbiased pair mean of Ferro 2014, so the expected
    score does not depend on m). Σ_k Σ_l |x_k - x_l| = 2 Σ_i (2i - m - 1) x_(i) over sorted draws.

    Args:
        observed: (n,) observations.
        samples: (n, m) draws, m >= 2, row i conditional on what row i of ``observed`` had.
    """
    y = np.asarray(observed, dtype=np.float64).ravel()
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] != y.size or x.shape[1] < 2:
        raise ValueError(f"samples must have shape ({y.size}, m) with m >= 2 draws per observation; got {x.shape}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("observed and samples must be finite")
    m = x.shape[1]
    spread = 2.0 * (np.sort(x, axis=1) @ (2.0 * np.arange(1, m + 1) - m - 1))  # Σ_k Σ_l |x_k - x_l|, (n,)
    return float(np.mean(np.abs(x - y[:, None]).mean(axis=1) - spread / (2.0 * m * (m - 1))))


def clr(counts: Any, *, pseudocount: float = 0.5) -> np.ndarray:
    """Centred log-ratio transform of compositions (Aitchison 1982): log(x + c) minus its row mean, (n, S)."""
    x = _matrix(counts, "counts")
    if np.any(x < 0) or not pseudocount >= 0:
        raise ValueError("counts must be >= 0 and pseudocount >= 0")
    logx = np.log(x + pseudocount)
    return logx - logx.mean(axis=1, keepdims=True)


def correlation_matrix(x: Any) -> np.ndarray:
    """Pearson correlations between columns, (d, d); a constant column correlates 0 with the others."""
    a = _matrix(x, "x")
    a = a - a.mean(axis=0)
    norm = np.sqrt(np.einsum("ij,ij->j", a, a))
    z = a / np.where(norm > 0, norm, 1.0)
    corr = np.clip(z.T @ z, -1.0, 1.0)
    np.fill_diagonal(corr, 1.0)
    return corr


def correlation_distance(real: Any, synthetic: Any, *, norm: str = "mean_abs") -> float:
    """Distance between the column correlation matrices of two samples.

    ``norm="mean_abs"``: mean |R_real - R_syn| over the d(d-1)/2 column pairs (0 .. 2);
    ``norm="frobenius"``: ‖R_real - R_syn‖_F over the whole matrix. For microbiome counts pass
    ``clr(counts)`` so that compositional closure does not masquerade as correlation.
    """
    if norm not in ("mean_abs", "frobenius"):
        raise ValueError(f"norm must be 'mean_abs' or 'frobenius'; got {norm!r}")
    a, b = correlation_matrix(real), correlation_matrix(synthetic)
    if a.shape != b.shape or a.shape[0] < 2:
        raise ValueError(f"need the same number (>= 2) of columns; got {a.shape[0]} and {b.shape[0]}")
    diff = a - b
    if norm == "frobenius":
        return float(np.linalg.norm(diff))
    return float(np.abs(diff[np.triu_indices(a.shape[0], k=1)]).mean())


# ---------------------------------------------------------------------------------------
# table rows


GENOTYPE_COLUMNS = ("af_r", "gf_r", "ld_r", "fst", "precision", "recall", "f1", "aa_real", "aa_syn", "aats",
                    "exact_copies")


def evaluate_genotypes(real_test: Any, synthetic: Any, *, train: Any = None, window: int = 50, k: int = 5,
                       metric: str = "euclidean", random_seed: int = 0) -> dict[str, float]:
    """One table row of Xie et al. (2025)'s genotype metrics, synthetic against held-out real data.

    Frequencies, LD and F_ST use every individual. The distance-based scores (precision, recall,
    F1, AA) depend on set size, so when the sets differ in size the larger one is subsampled
    at random (``random_seed``) to the size of the smaller.

    Args:
        real_test: real individuals the model did not see (dosages or ``GenotypeData``; a
            ``GenotypeData`` supplies the chromosome of each SNP, so LD pairs stay within one).
        synthetic: generated individuals on the same SNPs.
        train: the model's training individuals, for ``exact_copies`` (NaN when not given).
        window: LD pairs up to this many SNPs apart enter ``ld_r``.
        k: neighbour defining the k-NN radii.
        metric: ``"euclidean"`` or ``"manhattan"`` distance between dosage vectors.
        random_seed: seed of the subsampling.

    Returns:
        ``{name: value}`` for ``GENOTYPE_COLUMNS``: af_r, gf_r, ld_r, fst, precision, recall, f1,
        aa_real, aa_syn, aats, exact_copies.
    """
    chromosome = real_test.chromosome if isinstance(real_test, GenotypeData) else None
    r, s = _pair(real_test, synthetic)
    size = min(r.shape[0], s.shape[0])
    rng = np.random.default_rng(random_seed)
    r_eq = r[np.sort(rng.choice(r.shape[0], size, replace=False))] if r.shape[0] > size else r
    s_eq = s[np.sort(rng.choice(s.shape[0], size, replace=False))] if s.shape[0] > size else s
    row = {"af_r": allele_frequency_r(r, s), "gf_r": genotype_frequency_r(r, s),
           "ld_r": ld_r(r, s, window=window, chromosome=chromosome), "fst": hudson_fst(r, s)}
    row.update(knn_precision_recall(r_eq, s_eq, k=k, metric=metric))
    row.update(adversarial_accuracy(r_eq, s_eq, metric=metric))
    row["exact_copies"] = float("nan") if train is None else float(exact_copies(train, s))
    return row


def evaluate_continuous(real: Any, synthetic: Any, *, compositional: bool = False,
                        pseudocount: float = 0.5) -> dict[str, float]:
    """Energy distance and correlation-structure distance of continuous samples (e.g. microbiome counts).

    With ``compositional=True`` both scores are computed on ``clr(counts, pseudocount)``.

    Returns:
        ``{"energy", "corr_mean_abs", "corr_frobenius"}``.
    """
    a = clr(real, pseudocount=pseudocount) if compositional else _matrix(real, "real")
    b = clr(synthetic, pseudocount=pseudocount) if compositional else _matrix(synthetic, "synthetic")
    return {"energy": energy_distance(a, b), "corr_mean_abs": correlation_distance(a, b),
            "corr_frobenius": correlation_distance(a, b, norm="frobenius")}
