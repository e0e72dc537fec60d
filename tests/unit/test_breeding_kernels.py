"""Selection, mating and allocation kernels against the single-replicate reference in bsl.runtime.reference.breeding."""

from __future__ import annotations

import random

import pytest
import torch

from bsl.runtime.kernels import allocation, mating, selection
from bsl.runtime.reference import breeding as ref

R = 64  # replicates per random test


def _random_inputs(seed: int, n: int, p_valid: float = 0.8, ties: bool = False):
    g = torch.Generator().manual_seed(seed)
    if ties:
        crit = torch.randint(0, 4, (R, n), generator=g).to(torch.float64)  # (R, N) many ties
    else:
        crit = torch.randn(R, n, generator=g, dtype=torch.float64)
    valid = torch.rand(R, n, generator=g) < p_valid  # (R, N)
    valid[0] = False  # a replicate with nothing valid
    valid[1] = True
    return crit, valid


# ---------------------------------------------------------------- selection


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("k", [0, 1, 5, 20, 30])
def test_top_k_matches_reference(k, ties):
    crit, valid = _random_inputs(1 + k, 20, ties=ties)
    idx, ok = selection.top_k(crit, k, valid)
    assert idx.shape == (R, k) and ok.shape == (R, k)
    for r in range(R):
        expected = ref.top_k(crit[r].tolist(), k, valid[r].tolist())
        got = idx[r][ok[r]].tolist()
        assert got == expected
        # valid slots come first
        assert ok[r].tolist() == [True] * len(expected) + [False] * (k - len(expected))


def test_top_k_invalid_never_before_valid_even_at_minus_inf():
    crit = torch.tensor([[5.0, -torch.inf, 7.0, float("nan")]])
    valid = torch.tensor([[False, True, False, True]])
    idx, ok = selection.top_k(crit, 3, valid)
    assert idx[0, 0].item() == 1 and ok[0].tolist() == [True, False, False]


@pytest.mark.parametrize("ties", [False, True])
def test_top_k_within_family_matches_reference(ties):
    n, f, k = 30, 5, 3
    crit, valid = _random_inputs(7, n, ties=ties)
    g = torch.Generator().manual_seed(8)
    family = torch.randint(0, f + 1, (R, n), generator=g)  # id f is out of range
    idx, ok = selection.top_k_within_family(crit, family, k, valid, f)
    assert idx.shape == (R, f * k)
    for r in range(R):
        expected = ref.top_k_within_family(crit[r].tolist(), family[r].tolist(), k, valid[r].tolist(), f)
        for fam in range(f):
            block = slice(fam * k, (fam + 1) * k)
            got = idx[r, block][ok[r, block]].tolist()
            assert got == expected[fam]
            assert ok[r, block].tolist() == [True] * len(expected[fam]) + [False] * (k - len(expected[fam]))


@pytest.mark.parametrize(
    "fraction,n,expected",
    [(0.1, 250, 25), (0.5, 5, 3), (0.25, 10, 3), (0.35, 10, 4), (0.001, 10, 1), (1.0, 7, 7), (0.3, 15, 5)],
)
def test_proportion_to_count(fraction, n, expected):
    assert selection.proportion_to_count(fraction, n) == expected
    assert ref.proportion_to_count(fraction, n) == expected


def test_proportion_to_count_rejects_bad_fraction():
    with pytest.raises(ValueError):
        selection.proportion_to_count(0.0, 10)
    with pytest.raises(ValueError):
        selection.proportion_to_count(1.5, 10)


# ---------------------------------------------------------------- mating


@pytest.mark.parametrize("n", [0, 1, 2, 5, 15])
@pytest.mark.parametrize("selfing", [False, True])
def test_diallel(n, selfing):
    m, f = mating.diallel(n, selfing)
    assert m.dtype == torch.int64
    assert list(zip(m.tolist(), f.tolist())) == ref.diallel(n, selfing)
    assert len(m) == (n * (n + 1) // 2 if selfing else n * (n - 1) // 2)


def test_diallel_15_with_selfing_is_120():
    assert mating.diallel(15, True)[0].numel() == 120


def test_factorial_and_plan():
    m, f = mating.factorial(3, 4, 10)
    assert list(zip(m.tolist(), f.tolist())) == ref.factorial(3, 4, 10)
    m, f = mating.plan_pairs([0, 2, 1], [1, 3, 3])
    assert m.tolist() == [0, 2, 1] and f.tolist() == [1, 3, 3]
    with pytest.raises(ValueError):
        mating.plan_pairs([0], [1, 2])


def test_expand_pairs():
    m, f = mating.diallel(4, False)
    parent_valid = torch.tensor([[True, True, True, True], [True, False, True, True]])
    em, ef, ok = mating.expand_pairs(m, f, 2, parent_valid)
    assert em.shape == (2, 6) and (em[1] == m).all() and (ef[0] == f).all()
    assert ok[0].all()
    assert ok[1].tolist() == [(a != 1 and b != 1) for a, b in zip(m.tolist(), f.tolist())]
    assert mating.expand_pairs(m, f, 3)[2].all()


@pytest.mark.parametrize("selfing", [False, True])
def test_random_pairs_valid_and_uniform(selfing):
    n, reps, p = 6, 4000, 5
    valid = torch.ones(reps, n, dtype=torch.bool)
    valid[:, 2] = False
    valid[0] = False
    valid[1] = False
    valid[1, 4] = True  # one valid individual
    g = torch.Generator().manual_seed(3)
    m, f, ok = mating.random_pairs(valid, p, g, selfing=selfing)
    assert m.shape == (reps, p) and ok.shape == (reps, p)
    assert not ok[0].any()
    assert ok[1].all() == selfing and (ok[1].any() == selfing)
    body_m, body_f = m[2:], f[2:]
    assert ok[2:].all()
    assert (body_m != 2).all() and (body_f != 2).all()
    if not selfing:
        assert (body_m != body_f).all()
    # Each of the 5 valid parents should appear ~1/5 of the time as mother and as father.
    for parents in (body_m, body_f):
        freq = torch.bincount(parents.flatten(), minlength=n).double() / parents.numel()
        for i in (0, 1, 3, 4, 5):
            assert abs(freq[i].item() - 0.2) < 0.01
    # The reference draws from the same distribution.
    rng = random.Random(3)
    refp = ref.random_pairs([True, True, False, True, True, True], 20000, rng, selfing)
    ref_self = sum(a == b for a, b in refp) / len(refp)
    ker_self = (body_m == body_f).double().mean().item()
    assert abs(ref_self - ker_self) < 0.02


def test_random_pairs_is_seeded():
    valid = torch.ones(8, 10, dtype=torch.bool)
    a = mating.random_pairs(valid, 7, torch.Generator().manual_seed(9))
    b = mating.random_pairs(valid, 7, torch.Generator().manual_seed(9))
    assert all(torch.equal(x, y) for x, y in zip(a, b))


# ---------------------------------------------------------------- allocation


def test_equal_250_over_120_pairs():
    g = torch.Generator().manual_seed(0)
    score = torch.randn(3, 120, generator=g)
    valid = torch.ones(3, 120, dtype=torch.bool)
    counts = allocation.equal(250, valid, score)
    assert (counts.sum(1) == 250).all()
    for r in range(3):
        best = torch.argsort(score[r], descending=True)[:10]
        assert (counts[r, best] == 3).all()
        assert (counts[r] == 3).sum() == 10 and (counts[r] == 2).sum() == 110


def test_equal_ties_lower_index_first():
    counts = allocation.equal(5, torch.ones(1, 4, dtype=torch.bool), torch.zeros(1, 4))
    assert counts.tolist() == [[2, 1, 1, 1]]


@pytest.mark.parametrize("total", [0, 3, 17, 250])
def test_equal_matches_reference(total):
    score, valid = _random_inputs(11, 30, ties=True)
    score[2, 3] = float("nan")
    counts = allocation.equal(total, valid, score)
    for r in range(R):
        assert counts[r].tolist() == ref.equal(total, valid[r].tolist(), score[r].tolist())


def test_fixed():
    valid = torch.tensor([[True, False, True]])
    assert allocation.fixed(4, valid).tolist() == [[4, 0, 4]]
    assert ref.fixed(4, [True, False, True]) == [4, 0, 4]


@pytest.mark.parametrize("rounding", ["round", "floor"])
@pytest.mark.parametrize("scale", [0.0, 0.5, 2.0, 8.0, 50.0])
@pytest.mark.parametrize("total", [0, 1, 37, 250])
def test_softmax_matches_reference(scale, total, rounding):
    score, valid = _random_inputs(int(scale * 10) + total, 40)
    score = score * scale
    counts = allocation.softmax(score, total, valid, rounding)
    assert counts.dtype == torch.int64
    for r in range(R):
        expected = ref.softmax(score[r].tolist(), total, valid[r].tolist(), rounding)
        assert counts[r].tolist() == expected
    has_valid = valid.any(1)
    assert (counts.sum(1)[has_valid] == total).all()
    assert (counts.sum(1)[~has_valid] == 0).all()
    assert (counts >= 0).all() and (counts[~valid] == 0).all()


def test_softmax_equal_scores_reproduce_equal_allocation():
    for total, p in [(250, 120), (3, 2), (7, 4), (100, 7), (5, 9)]:
        valid = torch.ones(2, p, dtype=torch.bool)
        flat = torch.full((2, p), 1.7, dtype=torch.float64)
        soft = allocation.softmax(flat, total, valid)
        eq = allocation.equal(total, valid, flat)
        assert (soft.sum(1) == total).all()
        # Same multiset of counts (which tied pair gets the extra one may differ).
        assert sorted(soft[0].tolist()) == sorted(eq[0].tolist()), (total, p)


def test_softmax_250_120_equal_scores_counts():
    counts = allocation.softmax(torch.zeros(1, 120), 250, torch.ones(1, 120, dtype=torch.bool))
    assert (counts == 2).sum() == 110 and (counts == 3).sum() == 10


def test_softmax_zero_pairs_and_invalid_pairs():
    # One dominant pair: the others round to zero and get nothing.
    score = torch.tensor([[0.0, 30.0, 0.0, 0.0, 100.0]])
    valid = torch.tensor([[True, True, True, True, False]])
    counts = allocation.softmax(score, 10, valid)
    assert counts.tolist() == [[0, 10, 0, 0, 0]]
    slots, ok = allocation.progeny_parents(counts, 12)
    assert slots[ok].tolist() == [1] * 10 and ok.sum() == 10


def test_softmax_stable_for_huge_scores():
    score = torch.tensor([[1000.0, 999.0, -1000.0]], dtype=torch.float64)
    counts = allocation.softmax(score, 100, torch.ones(1, 3, dtype=torch.bool))
    assert counts.sum() == 100 and counts[0, 2] == 0 and counts[0, 0] > counts[0, 1]


def test_softmax_half_to_even_and_repair_like_r():
    # total 3 over 2 equal pairs: round(1.5) = 2 each (half to even), over by 1,
    # the lowest-ranked nonzero pair (pair 1 under R's stable order) loses one.
    counts = allocation.softmax(torch.zeros(1, 2), 3, torch.ones(1, 2, dtype=torch.bool))
    assert counts.tolist() == [[2, 1]]
    # total 5 over 2: round(2.5) = 2 each, short by 1, the top pair (pair 0) gains one.
    counts = allocation.softmax(torch.zeros(1, 2), 5, torch.ones(1, 2, dtype=torch.bool))
    assert counts.tolist() == [[3, 2]]


def test_softmax_floor_is_equation_1_with_the_shortfall_to_the_best_pairs():
    # 10 progeny over expectations 10 * (0.47, 0.32, 0.17, 0.04) = 4.7, 3.2, 1.7, 0.4:
    # floor 4, 3, 1, 0 (short by 2: +1 to the two best) -> 5, 4, 1, 0; round 5, 3, 2, 0.
    p = torch.tensor([[0.47, 0.32, 0.17, 0.04]], dtype=torch.float64)
    valid = torch.ones(1, 4, dtype=torch.bool)
    assert allocation.softmax(p.log(), 10, valid, "floor").tolist() == [[5, 4, 1, 0]]
    assert allocation.softmax(p.log(), 10, valid, "round").tolist() == [[5, 3, 2, 0]]
    # 250 over 120 pairs at the paper's scale: the floor leaves more pairs without progeny.
    m, f = mating.diallel(15, True)
    score = torch.randn(1, 120, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    ok = torch.ones(1, 120, dtype=torch.bool)
    floor, rnd = allocation.softmax(score, 250, ok, "floor"), allocation.softmax(score, 250, ok, "round")
    assert floor.sum() == rnd.sum() == 250 and (floor == 0).sum() > (rnd == 0).sum()
    with pytest.raises(ValueError, match="rounding"):
        allocation.softmax(score, 250, ok, "ceiling")


@pytest.mark.parametrize("num_slots", [0, 10, 50, 300])
def test_progeny_parents_matches_reference(num_slots):
    g = torch.Generator().manual_seed(num_slots)
    counts = torch.randint(0, 5, (R, 25), generator=g)  # (R, P), with zeros
    counts[0] = 0
    pair, ok = allocation.progeny_parents(counts, num_slots)
    assert pair.shape == (R, num_slots) and pair.dtype == torch.int64
    assert ((pair >= 0) & (pair < 25)).all()
    for r in range(R):
        exp_pair, exp_ok = ref.progeny_parents(counts[r].tolist(), num_slots)
        assert ok[r].tolist() == exp_ok
        assert pair[r][ok[r]].tolist() == [p for p, v in zip(exp_pair, exp_ok) if v]


def test_allocation_pipeline_from_diallel():
    # 15 parents, diallel with selfing -> 120 pairs, 250 progeny.
    m, f = mating.diallel(15, True)
    em, ef, ok = mating.expand_pairs(m, f, 4)
    score = torch.randn(4, 120, generator=torch.Generator().manual_seed(5))
    counts = allocation.softmax(score * 3.0, 250, ok)
    pair, slot_ok = allocation.progeny_parents(counts, 250)
    assert slot_ok.all()
    mothers = em.gather(1, pair)  # (R, 250)
    assert mothers.shape == (4, 250)
    assert torch.equal(torch.bincount(pair[0], minlength=120), counts[0])
