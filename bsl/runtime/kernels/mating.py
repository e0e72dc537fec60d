"""Mating designs: which pairs of parents (indices into one parent population) are crossed.

Static designs (diallel, factorial, planned tables) return ``(P,)`` int64 tensors that
``expand_pairs`` broadcasts over replicates; random mating draws ``(R, P)`` pairs per
replicate with an explicit ``torch.Generator``. Layout follows ``docs/architecture.md``:
pairs are ``mothers, fathers (R, P) int64`` with ``valid (R, P) bool``.
"""

from __future__ import annotations

import torch

from bsl.runtime import rng


def diallel(n: int, selfing: bool, device: torch.device | str = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
    """Half diallel among ``n`` parents.

    Pairs ``(i, j)`` with ``i <= j`` (``i < j`` without selfing), row-major: i = 0 with
    j = 0..n-1, then i = 1, ... That gives n(n+1)/2 pairs with selfing, n(n-1)/2 without.
    Note: myBreedSimulatR's ``diallelWithSelfing`` (``R/myCross.R``) lists the
    ``combn`` pairs first and appends the selfs at the end; bsl interleaves them.

    Returns ``mothers (P,)``, ``fathers (P,)`` int64.
    """
    if n < 0:
        raise ValueError(f"diallel: number of parents must be >= 0, got {n}")
    pairs = torch.triu_indices(n, n, offset=0 if selfing else 1, device=device)  # (2, P)
    return pairs[0].contiguous(), pairs[1].contiguous()


def factorial(
    n_a: int, n_b: int, offset_b: int, device: torch.device | str = "cpu"
) -> tuple[torch.Tensor, torch.Tensor]:
    """Every cross between group A (indices ``0..n_a-1``) and group B (``offset_b..offset_b+n_b-1``).

    Row-major over A: (a0, b0), (a0, b1), ..., (a1, b0), ... Returns ``(n_a*n_b,)`` twice.
    """
    if n_a < 0 or n_b < 0 or offset_b < 0:
        raise ValueError(
            f"factorial: n_a, n_b and offset_b must be >= 0, got {n_a}, {n_b}, {offset_b}"
        )
    a = torch.arange(n_a, dtype=torch.int64, device=device)
    b = torch.arange(n_b, dtype=torch.int64, device=device) + offset_b
    return a.repeat_interleave(n_b), b.repeat(n_a)  # (P,), (P,)


def plan_pairs(
    mother_idx: list[int], father_idx: list[int], device: torch.device | str = "cpu"
) -> tuple[torch.Tensor, torch.Tensor]:
    """Static pair tensors from a planned crossing table (two equal-length index lists)."""
    if len(mother_idx) != len(father_idx):
        raise ValueError(
            f"plan_pairs: {len(mother_idx)} mothers but {len(father_idx)} fathers"
        )
    if any(i < 0 for i in mother_idx) or any(i < 0 for i in father_idx):
        raise ValueError("plan_pairs: parent indices must be >= 0")
    mothers = torch.tensor(list(mother_idx), dtype=torch.int64, device=device)  # (P,)
    fathers = torch.tensor(list(father_idx), dtype=torch.int64, device=device)  # (P,)
    return mothers, fathers


def expand_pairs(
    mothers: torch.Tensor,
    fathers: torch.Tensor,
    num_replicates: int,
    parent_valid: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Broadcast a static design ``(P,)`` to every replicate.

    Returns ``mothers (R, P)``, ``fathers (R, P)`` and ``valid (R, P)``. With
    ``parent_valid (R, N)`` a pair is valid only when both parents are; otherwise all
    pairs are valid.
    """
    p = mothers.shape[0]
    m = mothers.unsqueeze(0).expand(num_replicates, p).contiguous()  # (R, P)
    f = fathers.unsqueeze(0).expand(num_replicates, p).contiguous()  # (R, P)
    if parent_valid is None:
        valid = torch.ones(num_replicates, p, dtype=torch.bool, device=mothers.device)
    else:
        valid = parent_valid.gather(1, m) & parent_valid.gather(1, f)  # (R, P)
    return m, f, valid


def random_pairs(
    valid: torch.Tensor,
    num_pairs: int,
    generator: torch.Generator,
    selfing: bool = False,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Random mating: each pair draws its parents uniformly among the valid individuals.

    Without selfing the father is uniform among the valid individuals other than the
    mother, so every ordered pair of distinct parents is equally likely. Pairs are drawn
    independently (with replacement). A replicate with fewer than 2 valid individuals
    (1 with selfing) gets only invalid pairs.

    valid: (R, N) bool. Returns ``mothers, fathers (R, P) int64``, ``pair_valid (R, P)``.
    """
    if num_pairs < 0:
        raise ValueError(f"random_pairs: num_pairs must be >= 0, got {num_pairs}")
    num_replicates, n = valid.shape
    device = valid.device
    # Valid individuals first, in index order: rank r of a replicate maps to valid_first[r].
    valid_first = torch.sort((~valid).to(torch.int8), dim=1, stable=True).indices  # (R, N)
    n_valid = valid.sum(dim=1, keepdim=True)  # (R, 1)
    u = rng.rand(generator, num_replicates, (2, num_pairs), device=device).transpose(0, 1)  # (2, R, P)
    mother_rank = (u[0] * n_valid).floor().long()  # (R, P)
    mother_rank = torch.minimum(mother_rank, (n_valid - 1).clamp_min(0))
    if selfing:
        father_rank = (u[1] * n_valid).floor().long()
        father_rank = torch.minimum(father_rank, (n_valid - 1).clamp_min(0))
        pair_valid = (n_valid >= 1).expand(num_replicates, num_pairs)
    else:
        # Uniform over the other n_valid - 1 ranks: draw in 0..n-2 and skip the mother.
        others = (n_valid - 1).clamp_min(0)
        father_rank = (u[1] * others).floor().long()
        father_rank = torch.minimum(father_rank, (others - 1).clamp_min(0))
        father_rank = father_rank + (father_rank >= mother_rank).long()
        father_rank = torch.minimum(father_rank, (n_valid - 1).clamp_min(0))
        pair_valid = (n_valid >= 2).expand(num_replicates, num_pairs)
    if n == 0:
        zeros = torch.zeros(num_replicates, num_pairs, dtype=torch.int64, device=device)
        return zeros, zeros.clone(), torch.zeros_like(zeros, dtype=torch.bool)
    mothers = valid_first.gather(1, mother_rank)  # (R, P)
    fathers = valid_first.gather(1, father_rank)  # (R, P)
    return mothers, fathers, pair_valid.contiguous()
