"""Isometric log-ratio coordinates of compositions (counts), the unconstrained space the conditional models work in for microbiome data."""
from __future__ import annotations

import numpy as np


def ilr_basis(num_parts: int) -> np.ndarray:
    """Orthonormal basis (S, S - 1) of the zero-sum subspace of R^S, from the Helmert contrasts.

    Column k (k = 1 .. S-1) is (1, …, 1, -k, 0, …, 0) / sqrt(k (k + 1)) with k ones (Egozcue et
    al. 2003, isometric log-ratio transform). It is orthogonal to (1, …, 1), so CLR = ILR Vᵀ exactly.
    """
    if num_parts < 2:
        raise ValueError(f"a composition needs at least 2 parts; got {num_parts}")
    basis = np.zeros((num_parts, num_parts - 1))
    for k in range(1, num_parts):
        basis[:k, k - 1] = 1.0
        basis[k, k - 1] = -float(k)
        basis[:, k - 1] /= np.sqrt(k * (k + 1.0))
    return basis


def compositions_to_ilr(counts: np.ndarray, *, pseudocount: float) -> np.ndarray:
    """Counts (n, S) >= 0 → ILR coordinates (n, S - 1) of log(counts + pseudocount).

    CLR (Aitchison 1982) rows sum to zero, so a density on them is degenerate; projecting on the
    Helmert basis drops that one redundant direction without losing information.
    """
    logx = np.log(counts + pseudocount)
    clr = logx - logx.mean(axis=1, keepdims=True)
    return clr @ ilr_basis(counts.shape[1])


def ilr_to_compositions(coordinates: np.ndarray, *, reads: float, pseudocount: float) -> np.ndarray:
    """ILR coordinates (m, S - 1) → counts (m, S) whose rows sum to ``reads``.

    The inverse of ``compositions_to_ilr`` up to closure: x + c ∝ exp(CLR), scaled so that
    Σ (x + c) = reads + S c; then x = max(·, 0) - c clipped at 0 and rescaled to sum to ``reads``.
    Counts are real numbers, as ``MicrobiomeData.counts`` (rescaled, not rounded).
    """
    s = coordinates.shape[1] + 1
    clr = coordinates @ ilr_basis(s).T  # (m, S)
    shifted = np.exp(clr - clr.max(axis=1, keepdims=True))
    shifted *= (reads + s * pseudocount) / shifted.sum(axis=1, keepdims=True)
    counts = np.maximum(shifted - pseudocount, 0.0)
    total = counts.sum(axis=1, keepdims=True)
    return reads * counts / np.where(total > 0, total, 1.0)
