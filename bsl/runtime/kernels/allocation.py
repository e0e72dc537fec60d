"""Progeny allocation: how many progeny each mating pair gets, and which pair each progeny slot comes from.

Counts are ``(R, P) int64``, batched over replicates; invalid pairs always get 0.
The rules follow Hamazaki & Iwata (2024), "AI breeder" progeny allocation, and the
authors' reference code, myBreedSimulatR ``R/myCross.R`` (``allocateProgenies``):

* equal allocation (paper, "Equal allocation method"): every valid pair gets
  ``total // n_valid``; the remainder goes one each to the best pairs by a rank score
  (250 over 120 pairs: 3 to the best 10, 2 to the other 110). The R code instead
  shuffles the pairs (``sample``) and gives the remainder to the first pairs of the
  shuffle; pass a random ``rank_score`` to reproduce that.
* softmax ("weightedAllocation"): ``n0 = round(total * exp(s) / sum(exp(s)))``; R's
  ``round`` is IEC 60559 half to even, as is ``torch.round``. That is the code since
  2023 (commit 5d80695); the paper's Equation 1 and the 2021 code its results came from
  (``R/myCross.R`` at 281d546) take the floor instead, ``rounding = "floor"``: a pair
  expected to get less than one progeny gets none, and the 30 to 60 progeny the floors
  leave go one each to the best pairs, so the allocation is sharper at the same
  weights. Either way pairs are ranked by ``s``
  with ``order(s, decreasing = TRUE)`` (stable: ties keep pair order, lower index
  first). If ``sum(n0) < total`` the shortfall ``d`` is added one each to the ``d``
  top-ranked pairs (``nProgenies[1:nResids] + 1``, zero-count pairs included); if
  ``sum(n0) > total`` one is removed from each of the ``|d|`` lowest-ranked pairs that
  still have progeny (``rev(rev(which(nProgenies != 0))[1:|d|])``). Pairs left at 0
  are dropped. With ``minimumUnitAllocate = 1`` (the paper's setting) that is all.
"""

from __future__ import annotations

import torch

from bsl.runtime.kernels.selection import rank_order


def _ranks(score: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Rank (0 = best) of each pair among its replicate's valid pairs; invalid pairs rank last.

    score: (R, P) float; valid: (R, P) bool. Returns (R, P) int64.
    """
    order = rank_order(score, valid)  # (R, P)
    ranks = torch.empty_like(order)
    positions = torch.arange(order.shape[1], device=order.device).expand_as(order)
    ranks.scatter_(1, order, positions)  # inverse permutation
    return ranks


def equal(total: int, pair_valid: torch.Tensor, rank_score: torch.Tensor) -> torch.Tensor:
    """Equal allocation of ``total`` progeny over each replicate's valid pairs.

    Each valid pair gets ``total // n_valid``; the ``total % n_valid`` left over go one
    each to the best pairs by ``rank_score`` (descending, ties lower index first, NaN
    ranked as -inf).
    total: progeny per replicate (>= 0); pair_valid: (R, P) bool; rank_score: (R, P).
    Returns counts (R, P) int64; a replicate with no valid pair gets all zeros.
    """
    if total < 0:
        raise ValueError(f"equal allocation: total must be >= 0, got {total}")
    n_valid = pair_valid.sum(dim=1, keepdim=True)  # (R, 1)
    safe = n_valid.clamp_min(1)
    base = total // safe  # (R, 1)
    remainder = total - base * safe  # (R, 1)
    # A NaN score ranks as -inf (the pair still gets its share, ranked last).
    score = rank_score.to(torch.float64)
    score = torch.where(torch.isnan(score), torch.full_like(score, -torch.inf), score)
    ranks = _ranks(score, pair_valid)  # (R, P)
    counts = base + (ranks < remainder).long()  # (R, P)
    return torch.where(pair_valid, counts, torch.zeros_like(counts))


def fixed(n: int, pair_valid: torch.Tensor) -> torch.Tensor:
    """Exactly ``n`` progeny for every valid pair. pair_valid: (R, P). Returns (R, P) int64."""
    if n < 0:
        raise ValueError(f"fixed allocation: progeny per pair must be >= 0, got {n}")
    return pair_valid.long() * n


ROUNDINGS = ("round", "floor")


def softmax(scores: torch.Tensor, total: int, pair_valid: torch.Tensor, rounding: str = "round") -> torch.Tensor:
    """Softmax allocation of ``total`` progeny (Hamazaki & Iwata 2024, Eq. 1, as coded in R).

    scores: (R, P) float, the weighted features ``Omega h`` of each pair (finite);
    total: progeny per replicate (>= 0); pair_valid: (R, P) bool; rounding: "round"
    (myBreedSimulatR since 2023) or "floor" (Eq. 1 and the paper's 2021 code).
    Returns counts (R, P) int64 summing to ``total`` in every replicate with a valid pair.
    """
    if total < 0:
        raise ValueError(f"softmax allocation: total must be >= 0, got {total}")
    if rounding not in ROUNDINGS:
        raise ValueError(f"softmax allocation: rounding must be one of {', '.join(ROUNDINGS)}, got {rounding!r}")
    s = scores.to(torch.float64)
    masked = torch.where(pair_valid, s, torch.full_like(s, -torch.inf))  # (R, P)
    row_max = masked.amax(dim=1, keepdim=True)  # (R, 1)
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
    # exp(s - max) for stability; softmax is invariant to the shift.
    weights = torch.where(pair_valid, torch.exp(s - row_max), torch.zeros_like(s))  # (R, P)
    denom = weights.sum(dim=1, keepdim=True).clamp_min(torch.finfo(torch.float64).tiny)
    # Same operation order as R: total * exp(s) / sum(exp(s)).
    expected = total * weights / denom  # (R, P)
    counts = (torch.round(expected) if rounding == "round" else torch.floor(expected)).long()  # half to even like R
    ranks = _ranks(s, pair_valid)  # (R, P)
    n_valid = pair_valid.sum(dim=1, keepdim=True)  # (R, 1)
    shortfall = torch.where(n_valid > 0, total - counts.sum(dim=1, keepdim=True), 0)  # (R, 1)
    # Short: one more each to the `shortfall` best pairs. Rounding loses < 1/2 per pair
    # and the floor < 1, so shortfall < n_valid and one pass is what R does; the `//`
    # term only guards against a degenerate input and is zero in practice.
    short = shortfall.clamp_min(0)
    safe_valid = n_valid.clamp_min(1)
    add = short // safe_valid + (ranks < short % safe_valid).long()
    counts = counts + torch.where(pair_valid, add, torch.zeros_like(add))
    # Over: one fewer each for the `excess` lowest-ranked pairs that still have progeny.
    # Every pair rounded up has >= 1 progeny and contributes < 1/2 excess, so there are
    # always enough such pairs.
    excess = (-shortfall).clamp_min(0)  # (R, 1)
    order = rank_order(s, pair_valid)  # (R, P), best first
    nonzero_sorted = (counts.gather(1, order) > 0).long()  # (R, P)
    seen = torch.cumsum(nonzero_sorted, dim=1)  # nonzero pairs at or above each position
    from_end = seen[:, -1:] - seen  # nonzero pairs strictly below each position
    remove_sorted = (nonzero_sorted > 0) & (from_end < excess)
    remove = torch.zeros_like(remove_sorted).scatter_(1, order, remove_sorted)
    counts = counts - remove.long()
    return torch.where(pair_valid, counts, torch.zeros_like(counts))


def progeny_parents(counts: torch.Tensor, num_slots: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Expand per-pair counts into progeny slots, grouped by pair in pair order.

    counts: (R, P) int64 (non-negative); num_slots: width S of the progeny population.
    Returns ``pair_of_progeny (R, S) int64`` (index into P) and ``valid (R, S) bool``;
    slots at or beyond a replicate's total are invalid (pair index clamped in range).
    """
    num_replicates, p = counts.shape
    if p == 0:
        idx = torch.zeros(num_replicates, num_slots, dtype=torch.int64, device=counts.device)
        return idx, torch.zeros_like(idx, dtype=torch.bool)
    ends = torch.cumsum(counts, dim=1)  # (R, P): slot after each pair's last progeny
    slots = torch.arange(num_slots, device=counts.device).expand(num_replicates, num_slots)
    # First pair whose end exceeds the slot; zero-count pairs are skipped automatically.
    pair = torch.searchsorted(ends, slots.contiguous(), right=True)  # (R, S)
    valid = slots < ends[:, -1:]
    return pair.clamp_max(p - 1), valid
