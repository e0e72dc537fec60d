"""Slow, obviously-correct single-replicate versions of the selection, mating and allocation kernels: the test oracle.

Written with plain Python lists and sorts, independently of the batched torch code in
``bsl.runtime.kernels``; each function documents the rule it encodes. Sources: Hamazaki
& Iwata (2024) and myBreedSimulatR ``R/myCross.R`` (see ``kernels/allocation.py``).
"""

from __future__ import annotations

import math
import random
from typing import Sequence


def best_first(criterion: Sequence[float], valid: Sequence[bool]) -> list[int]:
    """Indices of the valid individuals (NaN counts as invalid), best first, ties lower index first."""
    ok = [i for i in range(len(criterion)) if valid[i] and not math.isnan(criterion[i])]
    # Python's sort is stable, so sorting by -value keeps lower indices first among ties.
    return sorted(ok, key=lambda i: -criterion[i])


def top_k(criterion: Sequence[float], k: int, valid: Sequence[bool]) -> list[int]:
    """The valid individuals picked, best first (at most k of them)."""
    return best_first(criterion, valid)[:k]


def top_k_within_family(
    criterion: Sequence[float],
    family: Sequence[int],
    k_per_family: int,
    valid: Sequence[bool],
    num_families: int,
) -> list[list[int]]:
    """For each family 0..F-1, its best k valid members, best first."""
    result = []
    for fam in range(num_families):
        members_valid = [bool(valid[i]) and family[i] == fam for i in range(len(criterion))]
        result.append(best_first(criterion, members_valid)[:k_per_family])
    return result


def proportion_to_count(fraction: float, n: int) -> int:
    """Half-up rounding of fraction*n, at least 1 (decimal arithmetic on the printed value)."""
    from decimal import ROUND_HALF_UP, Decimal

    exact = Decimal(repr(fraction)) * n
    return max(1, int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def diallel(n: int, selfing: bool) -> list[tuple[int, int]]:
    """All (i, j) with i <= j (i < j without selfing), i outer, j inner."""
    pairs = []
    for i in range(n):
        for j in range(n):
            if j > i or (selfing and j == i):
                pairs.append((i, j))
    return pairs


def factorial(n_a: int, n_b: int, offset_b: int) -> list[tuple[int, int]]:
    """Every (a, offset_b + b), a outer."""
    return [(a, offset_b + b) for a in range(n_a) for b in range(n_b)]


def random_pairs(
    valid: Sequence[bool], num_pairs: int, rng: random.Random, selfing: bool = False
) -> list[tuple[int, int]] | None:
    """Pairs drawn uniformly among valid individuals (distinct unless selfing); None if too few."""
    pool = [i for i in range(len(valid)) if valid[i]]
    if len(pool) < (1 if selfing else 2):
        return None
    pairs = []
    for _ in range(num_pairs):
        if selfing:
            pairs.append((rng.choice(pool), rng.choice(pool)))
        else:
            mother, father = rng.sample(pool, 2)
            pairs.append((mother, father))
    return pairs


def _rank_pairs(score: Sequence[float], valid: Sequence[bool]) -> list[int]:
    """Valid pair indices best first by score, ties by pair order (R's stable order(decreasing=TRUE))."""
    return best_first(score, valid)


def equal(total: int, pair_valid: Sequence[bool], rank_score: Sequence[float]) -> list[int]:
    """Hand out progeny round-robin over the valid pairs in rank order until total is spent."""
    counts = [0] * len(pair_valid)
    # A NaN score ranks as -inf: the pair still takes part, ranked last.
    score = [-math.inf if math.isnan(x) else x for x in rank_score]
    ranked = _rank_pairs(score, pair_valid)
    if not ranked:
        return counts
    for t in range(total):
        counts[ranked[t % len(ranked)]] += 1
    return counts


def fixed(n: int, pair_valid: Sequence[bool]) -> list[int]:
    """n per valid pair."""
    return [n if v else 0 for v in pair_valid]


def _round_half_even(x: float) -> int:
    """R's round(x) (IEC 60559): halves go to the even neighbour. Python's round does the same."""
    return int(round(x))


def softmax(scores: Sequence[float], total: int, pair_valid: Sequence[bool], rounding: str = "round") -> list[int]:
    """Transcription of myBreedSimulatR ``allocateProgenies`` (weightedAllocation, unit 1).

    n0 = round(total * softmax(s)) over valid pairs (floor with rounding="floor", as
    Eq. 1 and the 2021 code); sort pairs by s decreasing; if short
    by d, +1 to the first d sorted pairs; if over by e, -1 to the last e sorted pairs
    that are nonzero.
    """
    counts = [0] * len(scores)
    ids = [i for i in range(len(scores)) if pair_valid[i]]
    if not ids:
        return counts
    top = max(scores[i] for i in ids)
    w = {i: math.exp(scores[i] - top) for i in ids}
    z = math.fsum(w.values())
    for i in ids:
        x = total * w[i] / z
        counts[i] = math.floor(x) if rounding == "floor" else _round_half_even(x)
    ranked = _rank_pairs(scores, pair_valid)
    diff = total - sum(counts)
    while diff > 0:  # R does one pass; diff < n_valid in practice so this loops once
        for i in ranked[: min(diff, len(ranked))]:
            counts[i] += 1
        diff = total - sum(counts)
    if diff < 0:
        nonzero = [i for i in ranked if counts[i] != 0]
        for i in nonzero[len(nonzero) + diff:]:
            counts[i] -= 1
    return counts


def progeny_parents(counts: Sequence[int], num_slots: int) -> tuple[list[int], list[bool]]:
    """Pair of each progeny slot, pair 0's progeny first; unused slots invalid (pair -1)."""
    pairs: list[int] = []
    for pair, c in enumerate(counts):
        pairs.extend([pair] * int(c))
    pairs = pairs[:num_slots]
    valid = [True] * len(pairs) + [False] * (num_slots - len(pairs))
    return pairs + [-1] * (num_slots - len(pairs)), valid
