"""Invariants of the selection, mating and allocation kernels under random inputs (hypothesis)."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from bsl.runtime.kernels import allocation, mating, selection

SETTINGS = settings(max_examples=150, deadline=None)


@st.composite
def populations(draw, max_n: int = 24, max_r: int = 4):
    """criterion (R, N) with ties and infinities, and valid (R, N)."""
    r = draw(st.integers(1, max_r))
    n = draw(st.integers(0, max_n))
    values = st.one_of(
        st.integers(-3, 3).map(float),
        st.floats(-1e6, 1e6, allow_nan=False),
        st.sampled_from([float("inf"), float("-inf")]),
    )
    crit = draw(st.lists(st.lists(values, min_size=n, max_size=n), min_size=r, max_size=r))
    valid = draw(st.lists(st.lists(st.booleans(), min_size=n, max_size=n), min_size=r, max_size=r))
    crit_t = torch.tensor(crit, dtype=torch.float64).reshape(r, n)
    valid_t = torch.tensor(valid, dtype=torch.bool).reshape(r, n)
    return crit_t, valid_t


@SETTINGS
@given(populations(), st.integers(0, 30))
def test_top_k_exact_count_no_repeats_and_truncation(pop, k):
    crit, valid = pop
    idx, ok = selection.top_k(crit, k, valid)
    assert idx.shape == (crit.shape[0], k)
    n_valid = valid.sum(1)
    for r in range(crit.shape[0]):
        assert ok[r].sum().item() == min(k, n_valid[r].item())
        picked = idx[r][ok[r]].tolist()
        assert len(set(picked)) == len(picked)
        assert all(valid[r, i] for i in picked)
        unpicked = [i for i in range(crit.shape[1]) if valid[r, i] and i not in picked]
        if picked and unpicked:
            assert crit[r, picked].min() >= crit[r, unpicked].max()


@SETTINGS
@given(populations(), st.integers(0, 4), st.integers(1, 5), st.integers(0, 2**31))
def test_top_k_within_family_counts(pop, k, f, seed):
    crit, valid = pop
    family = torch.randint(0, f, crit.shape, generator=torch.Generator().manual_seed(seed))
    idx, ok = selection.top_k_within_family(crit, family, k, valid, f)
    assert idx.shape == (crit.shape[0], k * f)
    for r in range(crit.shape[0]):
        picked = idx[r][ok[r]].tolist()
        assert len(set(picked)) == len(picked)
        for fam in range(f):
            members = valid[r] & (family[r] == fam)
            block = idx[r, fam * k:(fam + 1) * k][ok[r, fam * k:(fam + 1) * k]]
            assert block.numel() == min(k, members.sum().item())
            assert (family[r, block] == fam).all()


@st.composite
def pair_scores(draw, max_p: int = 40, max_r: int = 3):
    r = draw(st.integers(1, max_r))
    p = draw(st.integers(1, max_p))
    scores = draw(
        st.lists(
            st.lists(st.floats(-50, 50, allow_nan=False), min_size=p, max_size=p),
            min_size=r,
            max_size=r,
        )
    )
    valid = draw(st.lists(st.lists(st.booleans(), min_size=p, max_size=p), min_size=r, max_size=r))
    return (
        torch.tensor(scores, dtype=torch.float64).reshape(r, p),
        torch.tensor(valid, dtype=torch.bool).reshape(r, p),
    )


def _check_counts(counts, total, valid):
    assert counts.dtype == torch.int64
    assert (counts >= 0).all()
    assert (counts[~valid] == 0).all()
    sums = counts.sum(1)
    assert (sums[valid.any(1)] == total).all()
    assert (sums[~valid.any(1)] == 0).all()


@SETTINGS
@given(pair_scores(), st.integers(0, 500), st.floats(0.0, 20.0))
def test_softmax_counts_nonnegative_and_exact(ps, total, scale):
    scores, valid = ps
    _check_counts(allocation.softmax(scores * scale, total, valid), total, valid)


@SETTINGS
@given(pair_scores(), st.integers(0, 500))
def test_equal_counts_nonnegative_exact_and_balanced(ps, total):
    scores, valid = ps
    counts = allocation.equal(total, valid, scores)
    _check_counts(counts, total, valid)
    for r in range(counts.shape[0]):
        c = counts[r][valid[r]]
        if c.numel():
            assert c.max() - c.min() <= 1


@SETTINGS
@given(pair_scores(), st.integers(0, 500), st.integers(0, 600))
def test_progeny_parents_groups_by_pair(ps, total, num_slots):
    scores, valid = ps
    counts = allocation.softmax(scores, total, valid)
    pair, ok = allocation.progeny_parents(counts, num_slots)
    assert (ok.sum(1) == counts.sum(1).clamp_max(num_slots)).all()
    assert (pair[:, 1:] >= pair[:, :-1]).all() or num_slots < 2
    for r in range(counts.shape[0]):
        got = torch.bincount(pair[r][ok[r]], minlength=counts.shape[1])
        if counts[r].sum() <= num_slots:
            assert torch.equal(got, counts[r])


@SETTINGS
@given(
    st.integers(1, 6),
    st.integers(0, 12),
    st.integers(0, 20),
    st.booleans(),
    st.integers(0, 2**31),
)
def test_random_pairs_never_self_without_selfing(r, n, p, selfing, seed):
    g = torch.Generator().manual_seed(seed)
    valid = torch.rand(r, n, generator=g) < 0.6
    m, f, ok = mating.random_pairs(valid, p, g, selfing=selfing)
    assert m.shape == f.shape == ok.shape == (r, p)
    n_valid = valid.sum(1)
    need = 1 if selfing else 2
    assert (ok == (n_valid >= need).unsqueeze(1)).all()
    if n and p:
        assert valid.gather(1, m)[ok].all() and valid.gather(1, f)[ok].all()
    if not selfing:
        assert (m[ok] != f[ok]).all()
