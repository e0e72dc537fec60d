"""Truncation selection kernels: the best k individuals per replicate, overall or per family.

All kernels are batched over replicates ``R`` and follow the data-layout contract in
``docs/architecture.md``: padded slots carry ``valid == False`` and are never chosen
before a valid individual. Ties are broken deterministically, lower index first, which
matches R's ``order(x, decreasing = TRUE)`` (a stable radix sort since R 3.3.0), the
ordering used by the reference simulator myBreedSimulatR (``R/myCross.R``).
"""

from __future__ import annotations

import math

import torch


def rank_order(criterion: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Permutation that puts each replicate's individuals best first.

    Valid individuals come first, by ``criterion`` descending, ties lower index first;
    invalid ones (and NaN criteria) follow in index order.

    criterion: (R, N) float; valid: (R, N) bool. Returns (R, N) int64.
    """
    valid = valid & ~torch.isnan(criterion)
    key = torch.where(valid, criterion, torch.full_like(criterion, -math.inf))
    # Two stable sorts: the secondary key (criterion) first, then the primary (validity),
    # so a valid individual with criterion -inf still precedes every padded slot.
    by_value = torch.sort(key, dim=1, descending=True, stable=True).indices  # (R, N)
    if bool(valid.all()):
        return by_value  # the validity sort would keep this order
    valid_in_value_order = valid.gather(1, by_value).to(torch.int8)
    by_validity = torch.sort(valid_in_value_order, dim=1, descending=True, stable=True).indices
    return by_value.gather(1, by_validity)  # (R, N)


def top_k(
    criterion: torch.Tensor, k: int, valid: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """The ``k`` best individuals of each replicate, best first.

    criterion: (R, N) float, larger is better; k: number to select (>= 0);
    valid: (R, N) bool. Returns ``idx (R, k) int64`` into the N axis and
    ``valid (R, k) bool``; when a replicate has fewer than ``k`` valid individuals the
    extra slots are invalid (their index is meaningless but in range).
    """
    if k < 0:
        raise ValueError(f"top_k: k must be >= 0, got {k}")
    num_replicates, n = criterion.shape
    order = rank_order(criterion, valid)  # (R, N)
    take = min(k, n)
    idx = order[:, :take]  # (R, take)
    picked_valid = (valid & ~torch.isnan(criterion)).gather(1, idx)  # (R, take)
    if take < k:
        pad = k - take
        idx = torch.cat([idx, idx.new_zeros(num_replicates, pad)], dim=1)  # (R, k)
        picked_valid = torch.cat(
            [picked_valid, picked_valid.new_zeros(num_replicates, pad)], dim=1
        )
    return idx, picked_valid


def top_k_within_family(
    criterion: torch.Tensor,
    family: torch.Tensor,
    k_per_family: int,
    valid: torch.Tensor,
    num_families: int,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The ``k_per_family`` best individuals of every family, ordered by family then rank.

    criterion: (R, N) float; family: (R, N) int64 in ``0..num_families-1`` (other ids
    are treated as invalid); valid: (R, N) bool. Returns ``idx (R, k*F)`` and
    ``valid (R, k*F)`` where slot ``f*k + r`` holds rank ``r`` of family ``f``; families
    with fewer than ``k`` valid members leave invalid padding.
    """
    if k_per_family < 0 or num_families < 0:
        raise ValueError(
            f"top_k_within_family: k_per_family and num_families must be >= 0, "
            f"got {k_per_family} and {num_families}"
        )
    num_replicates, n = criterion.shape
    k, f = k_per_family, num_families
    in_range = (family >= 0) & (family < f)
    valid = valid & in_range & ~torch.isnan(criterion)
    by_rank = rank_order(criterion, valid)  # (R, N)
    # Stable sort of the rank order by family id (invalid -> f, last) groups families
    # while keeping the within-family rank order.
    family_key = torch.where(valid, family, torch.full_like(family, f))
    family_in_rank_order = family_key.gather(1, by_rank)  # (R, N)
    regroup = torch.sort(family_in_rank_order, dim=1, stable=True).indices  # (R, N)
    grouped = by_rank.gather(1, regroup)  # (R, N): family-major, best first within
    # Members per family and where each family's block starts in `grouped`.
    counts = torch.zeros(num_replicates, f + 1, dtype=torch.int64, device=criterion.device)
    counts.scatter_add_(1, family_key, torch.ones_like(family_key))  # (R, F+1)
    counts = counts[:, :f]  # (R, F)
    starts = torch.cumsum(counts, dim=1) - counts  # (R, F)
    rank = torch.arange(k, device=criterion.device)  # (k,)
    source = starts.unsqueeze(2) + rank  # (R, F, k)
    slot_valid = rank < counts.unsqueeze(2)  # (R, F, k)
    if n == 0:
        idx = torch.zeros(num_replicates, f * k, dtype=torch.int64, device=criterion.device)
        return idx, torch.zeros_like(idx, dtype=torch.bool)
    # Padding slots point at the family's start (in range); they are marked invalid.
    source = torch.where(slot_valid, source, torch.zeros_like(source)).clamp_max(n - 1)
    idx = grouped.gather(1, source.reshape(num_replicates, f * k))  # (R, F*k)
    return idx, slot_valid.reshape(num_replicates, f * k)


def proportion_to_count(fraction: float, n: int) -> int:
    """Number of individuals selected when keeping ``fraction`` of ``n``.

    Rounds half up (2.5 -> 3) and never returns less than 1. A tiny tolerance makes
    products such as ``0.35 * 10`` that land a hair below ``x.5`` in binary round up
    as written. Note: myBreedSimulatR uses R's ``round(nInd * propSel)`` (half to even,
    ``R/mySimBsCma.R``); bsl specifies half up.
    """
    if not (0.0 < fraction <= 1.0):
        raise ValueError(f"proportion must be in (0, 1], got {fraction}")
    if n < 0:
        raise ValueError(f"population size must be >= 0, got {n}")
    return max(1, math.floor(fraction * n + 0.5 + 1e-9))
