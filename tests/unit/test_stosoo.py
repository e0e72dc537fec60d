"""StoSOO's settings, node arithmetic, sweep rules and checkpoints; the search-space map; the
baselines' checkpoints."""
from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings as hyp_settings, strategies as st

from bsl.optimize.baselines import cma_es, random_search
from bsl.optimize.search_space import SearchSpace
from bsl.optimize.stosoo import (
    STATE_FORMAT,
    StoSOO,
    StoSOOSettings,
    cell_bounds,
    cell_centre,
    depth_cap,
    middle_child,
    optimize,
    reference_width,
    split_cell,
    upper_bound,
    widest_dimension,
)


def fractions(xs, limit=1000):
    return [Fraction(float(x)).limit_denominator(limit) for x in xs]


def run(opt, f, count):
    """Ask and tell ``count`` times; the points asked, as scalars for 1-D runs."""
    asked = []
    for _ in range(count):
        x = opt.ask()
        asked.append(x[0] if len(x) == 1 else x)
        opt.tell(f(x))
    return asked


# ------------------------------------------------------------------------------- settings


def test_settings_for_20000_evaluations():
    s = StoSOOSettings.from_budget(20_000)
    assert s.num_children == 3
    assert s.max_evals_per_node == 21  # ceil(20000 / log(20000)^3) = ceil(20.59)
    assert s.max_depth == 31  # min(ceil(sqrt(20000 / 21)), 33) = min(ceil(30.86), 33)
    assert s.delta == pytest.approx(1 / math.sqrt(20_000))
    assert s.width_base == pytest.approx(math.log(20_000 * 21 * math.sqrt(20_000)) / 2)


def test_settings_small_budget_and_overrides():
    s = StoSOOSettings.from_budget(100)
    assert (s.max_evals_per_node, s.max_depth) == (2, 8)  # ceil(100/97.7), ceil(sqrt(50))
    s = StoSOOSettings.from_budget(100, 2, max_evals_per_node=5, max_depth=4, delta=0.5)
    assert (s.num_children, s.max_evals_per_node, s.max_depth, s.delta) == (2, 5, 4, 0.5)
    # the derived depth follows an overridden max_evals_per_node
    assert StoSOOSettings.from_budget(100, max_evals_per_node=1).max_depth == 10


def test_depth_cap_keeps_positions_below_9e15():
    assert depth_cap(3) == 33 == math.floor(math.log(9e15, 3))
    assert depth_cap(2) == 52
    assert StoSOOSettings.from_budget(10**9, max_evals_per_node=1).max_depth == 33


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n": 1}, "budget n must be at least 2"),
        ({"n": 100, "k": 1}, "children per expansion k must be at least 2"),
        ({"n": 100.5}, "budget n must be an integer"),
        ({"n": 100, "max_evals_per_node": 0}, "max_evals_per_node must be at least 1"),
        ({"n": 100, "delta": 0.0}, "delta must be a positive finite number"),
    ],
)
def test_settings_refuse_bad_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        StoSOOSettings.from_budget(**kwargs)


# ----------------------------------------------------------------------- node arithmetic


def test_upper_bound_formula():
    assert upper_bound(0.25, 4, 2.0) == 0.25 + math.sqrt(2.0 / 4)
    assert upper_bound(0.0, 0, 2.0) == math.inf
    s = StoSOOSettings.from_budget(20_000)
    b = upper_bound(1.5, 7, s.width_base)
    assert b == pytest.approx(1.5 + math.sqrt(math.log(20_000 * 21 / s.delta) / 2 / 7))


def test_widest_dimension_is_first_on_tie():
    assert widest_dimension((1, 0, 0)) == 1
    assert widest_dimension((2, 2, 2)) == 0
    assert middle_child(3) == 1 and middle_child(5) == 2 and middle_child(2) is None


def test_reference_widths_are_the_r_code_floating_point_widths():
    # myStoSOO.R: xMin + (xMax - xMin) * (c - 1) / k and xMin + (xMax - xMin) * c / k from [0, 1]
    assert reference_width(0, 0, 3) == 1.0
    assert reference_width(1, 0, 3) == 1 / 3 and reference_width(1, 1, 3) == 2 / 3 - 1 / 3
    assert reference_width(1, 2, 3) == 1 - 2 / 3 > 1 / 3  # the upper third is one ulp wider
    lo, hi = 2 / 3, 1.0  # upper third, then its lower third: [2/3, 2/3 + (1 - 2/3) / 3]
    assert reference_width(2, 6, 3) == (lo + (hi - lo) * 1 / 3) - (lo + (hi - lo) * 0 / 3)
    for level in range(8):
        for index in range(3**level):
            assert reference_width(level, index, 3) == pytest.approx(3.0**-level, rel=1e-12)


def test_reference_split_rule_prefers_the_dimension_whose_width_rounds_up():
    # after every dimension is split once, the exact rule goes back to dimension 0; the reference
    # code's float widths pick the first dimension in an upper third
    levels, index = (1, 1, 1, 1), (1, 0, 2, 2)
    assert widest_dimension(levels) == 0
    assert widest_dimension(levels, index, 3, "reference") == 2
    assert widest_dimension(levels, (0, 1, 0, 1), 3, "reference") == 0  # all equal: the first
    assert widest_dimension((0, 1), (0, 2), 3, "reference") == 0  # an unsplit dimension is widest
    # the paper's Table 2 point (1.00, 0.33, 1.67, 1.89) on [0, 2]: weight 4 split twice at depth 6
    levels, index = (1, 1, 2, 2), (1, 0, 7, 8)
    assert cell_centre(levels, index, 3) * 2 == pytest.approx([1.0, 1 / 3, 5 / 3, 17 / 9])
    path = [((0, 0, 0, 0), (0, 0, 0, 0))]
    for _ in range(6):
        lv, ix = path[-1]
        j = widest_dimension(lv, ix, 3, "reference")
        target = index[j] // 3 ** (levels[j] - lv[j] - 1)
        path.append(next(c for c in split_cell(lv, ix, 3, "reference") if c[1][j] == target))
    assert path[-1] == (levels, index)
    with pytest.raises(ValueError, match="split"):
        widest_dimension(levels, None, 3, "reference")


def test_split_rule_is_a_setting_that_round_trips():
    s = StoSOOSettings.from_budget(4000, split="reference")
    assert s.split == "reference" and StoSOOSettings.from_dict(s.to_dict()) == s
    assert StoSOOSettings.from_budget(4000).split == "exact"
    old = {k: v for k, v in s.to_dict().items() if k != "split"}  # a checkpoint from before the rule
    assert StoSOOSettings.from_dict(old).split == "exact"
    with pytest.raises(ValueError, match="split must be one of exact, reference"):
        StoSOOSettings.from_budget(4000, split="float")


def test_reference_split_changes_the_tree_only_past_depth_d():
    def f(x):
        return float(-np.sum((x - np.array([0.8, 0.3])) ** 2))
    runs = {}
    for rule in ("exact", "reference"):
        opt = StoSOO(2, StoSOOSettings.from_budget(300, max_evals_per_node=1, split=rule))
        runs[rule] = [tuple(x) for x in run(opt, f, 60)]
    first = next(i for i, (a, b) in enumerate(zip(runs["exact"], runs["reference"])) if a != b)
    assert first >= 5  # root and the depth-1 and depth-2 children are the same under both rules


@hyp_settings(max_examples=200, deadline=None)
@given(
    k=st.integers(2, 5),
    depth=st.integers(0, 9),
    dim=st.integers(1, 4),
    data=st.data(),
)
def test_children_partition_their_parent(k, depth, dim, data):
    # the levels a cell has at this depth when every split takes the widest dimension
    levels = tuple(depth // dim + (j < depth % dim) for j in range(dim))
    index = tuple(data.draw(st.integers(0, k**lev - 1)) for lev in levels)
    lower, upper = cell_bounds(levels, index, k)
    children = split_cell(levels, index, k)
    j = widest_dimension(levels)
    assert len(children) == k
    bounds = [cell_bounds(lev, idx, k) for lev, idx in children]
    # untouched dimensions are the parent's; the split dimension is cut into k equal, abutting pieces
    for c, (lo, hi) in enumerate(bounds):
        others = [d for d in range(dim) if d != j]
        assert np.array_equal(lo[others], lower[others]) and np.array_equal(hi[others], upper[others])
        assert hi[j] - lo[j] == pytest.approx((upper[j] - lower[j]) / k)
        if c > 0:
            assert lo[j] == bounds[c - 1][1][j]
    assert bounds[0][0][j] == lower[j] and bounds[-1][1][j] == upper[j]
    # centres are the cells' midpoints; for odd k the middle child's is exactly the parent's
    for lev, idx in children:
        lo, hi = cell_bounds(lev, idx, k)
        assert np.allclose(cell_centre(lev, idx, k), (lo + hi) / 2, rtol=0, atol=1e-15)
    if k % 2 == 1:
        mid_levels, mid_index = children[middle_child(k)]
        assert np.array_equal(cell_centre(mid_levels, mid_index, k), cell_centre(levels, index, k))


def test_middle_child_inherits_and_is_not_evaluated():
    s = StoSOOSettings.from_budget(50, max_evals_per_node=2)
    opt = StoSOO(2, s)
    values = iter([1.0, 3.0, 10.0, 20.0])
    run(opt, lambda x: next(values), 2)  # the root, twice
    x = opt.ask()  # the root is full: the next sweep expands it and asks for child 0
    assert opt.evaluations == 2
    root = opt._nodes[0]
    left, middle, right = (opt._nodes[i] for i in root.children)
    assert middle.rewards == [1.0, 3.0] and middle.mean == 2.0 and middle.b == root.b
    assert opt._pending == [root.children[0], root.children[2]]
    assert np.array_equal(x, [1 / 6, 0.5])  # dimension 0 is split first
    opt.tell(10.0)
    assert np.array_equal(opt.ask(), [5 / 6, 0.5])
    opt.tell(20.0)
    assert opt.evaluations == 4 and left.rewards == [10.0] and right.rewards == [20.0]


# ------------------------------------------------------------------------- sweep behaviour


def test_sweep_on_a_hand_checked_case():
    """f(x) = x on [0, 1], n = 20, 2 evaluations per node, max depth 3, so that
    width_base W = log(20 * 2 * sqrt(20)) / 2 = 2.5934, sqrt(W) = 1.6104, sqrt(W / 2) = 1.1387.

    1-2  sweeps 1-2 evaluate the root (1/2) twice.
    3-4  sweep 3 expands it: children 1/6 and 5/6 are evaluated, 1/2 is inherited.
    5    sweep 4, depth 1: b(5/6) = 5/6 + sqrt(W) is largest; 5/6 is evaluated again.
    6-7  sweep 5, depth 1: b(5/6) = 5/6 + sqrt(W/2) = 1.972 beats b(1/6) = 1.777: expand 5/6
         into 13/18, (5/6), 17/18.
    8-9  sweep 6, depth 1: 1/6 (1.777) beats 1/2 (1.639): evaluate 1/6; v_max = 1.777. depth 2:
         17/18 (2.555) beats 13/18 (2.333) and >= v_max: evaluate 17/18.
    10-12 sweep 7, depth 1: 1/2 (1.639) beats 1/6 (now 1.305) and is full: expand it into 7/18,
         (1/2), 11/18. depth 2 then includes those new children: 13/18 (2.333) is largest.
    """
    s = StoSOOSettings.from_budget(20, max_evals_per_node=2, max_depth=3)
    opt = StoSOO(1, s)
    asked = run(opt, lambda x: float(x[0]), 12)
    assert fractions(asked) == [Fraction(n, d) for n, d in [
        (1, 2), (1, 2), (1, 6), (5, 6), (5, 6), (13, 18), (17, 18), (1, 6), (17, 18),
        (7, 18), (11, 18), (13, 18)]]
    x, mean = opt.recommend()  # the best expanded node at depth 1: 5/6
    assert fractions(x) == [Fraction(5, 6)] and mean == pytest.approx(5 / 6)


def test_sweep_acts_on_every_tied_leaf():
    """f(x) = -|x - 1/2|, 1 evaluation per node: after the root and its middle child are
    expanded, 1/6 and 5/6 tie at depth 1 and both are expanded, in position order (evaluations
    6-9); then depth 2's best, the inherited 1/2, is expanded (10-11); the next sweep expands the
    tied 7/18 and 11/18 (12-15)."""
    s = StoSOOSettings.from_budget(20, max_evals_per_node=1, max_depth=4)
    opt = StoSOO(1, s)
    asked = run(opt, lambda x: -abs(float(x[0]) - 0.5), 15)
    assert fractions(asked) == [Fraction(n, d) for n, d in [
        (1, 2), (1, 6), (5, 6), (7, 18), (11, 18), (1, 18), (5, 18), (13, 18), (17, 18),
        (25, 54), (29, 54), (19, 54), (23, 54), (31, 54), (35, 54)]]


def test_a_depth_whose_best_bound_is_below_v_max_is_skipped():
    """A hand-built tree: at depth 1, leaf A (mean 1) and expanded B; at depth 2, B's children
    (mean 0). A is evaluated (v_max = b(A) = 1 + sqrt(W)); depth 2's best, sqrt(W), is below it,
    so the sweep ends; the next sweep finds A full and expands it."""
    s = StoSOOSettings.from_budget(100, max_evals_per_node=2, max_depth=5)
    opt = StoSOO(1, s)
    state = opt.to_state()

    def node(depth, position, index, rewards, children=None):
        return {"depth": depth, "position": position, "levels": [depth], "index": [index],
                "rewards": rewards, "children": children}

    state["nodes"] = [
        node(0, 0, 0, [0.5, 0.5], [1, 2, 3]),
        node(1, 0, 0, [1.0]),  # A
        node(1, 1, 1, [0.5, 0.5], [4, 5, 6]),  # B
        node(1, 2, 2, [-5.0, -5.0]),
        node(2, 3, 3, [0.0]),
        node(2, 4, 4, [0.0, 0.0]),
        node(2, 5, 5, [0.0]),
    ]
    state.update(pending=[], evaluations=8, sweeps=3, sweep_start=5)
    opt = StoSOO.from_state(json.loads(json.dumps(state)))
    assert fractions(opt.ask()) == [Fraction(1, 6)]  # A
    opt.tell(1.0)
    # had depth 2 not been skipped, the next point would be B's first child, 7/18
    assert fractions(opt.ask()) == [Fraction(1, 18)]  # A expanded: its first child
    assert opt._nodes[1].children is not None


def test_run_stops_between_sweeps_once_the_budget_is_spent():
    s = StoSOOSettings.from_budget(30)
    result = optimize(lambda x: -float(np.sum((x - 0.2) ** 2)), 2, 30, settings=s)
    n = len(result.trace)
    assert 30 <= n <= 30 + 2 * s.max_depth  # at most one sweep's evaluations past n
    assert [r.evaluation for r in result.trace] == list(range(1, n + 1))


def test_run_stops_when_the_tree_is_exhausted():
    # depth 0 only: the root is evaluated and expanded, after which no sweep can act
    s = StoSOOSettings.from_budget(1000, max_evals_per_node=1, max_depth=1)
    result = optimize(lambda x: 0.0, 1, 1000, settings=s)
    assert len(result.trace) == 3


def test_minimizing_negates_values_and_reports_them_on_the_objective_scale():
    result = optimize(lambda x: float(np.sum((x - 0.8) ** 2)), 1, 200, maximize=False)
    assert result.best_x_unit[0] == pytest.approx(0.8, abs=0.05)
    assert result.best_value == pytest.approx(float((result.best_x_unit[0] - 0.8) ** 2))
    assert all(r.value >= 0 for r in result.trace)


def test_misuse_is_reported():
    opt = StoSOO(1, StoSOOSettings.from_budget(10))
    with pytest.raises(RuntimeError, match="call ask"):
        opt.tell(1.0)
    opt.ask()
    with pytest.raises(ValueError, match="finite"):
        opt.tell(float("nan"))
    with pytest.raises(ValueError, match="not a StoSOO state"):
        StoSOO.from_state({"format": "something else"})
    with pytest.raises(ValueError, match="budget"):
        optimize(lambda x: 0.0, 1, 10, settings=StoSOOSettings.from_budget(20))


# ------------------------------------------------------------------------------- resume


def noisy_objective(seed: int, start: int = 0):
    """A noisy 2-D bump whose noise depends only on how many evaluations came before, so
    that a resumed run sees the values the uninterrupted run saw."""
    noise = np.random.default_rng(seed).normal(0.0, 0.2, size=1000)
    count = [start]

    def f(x):
        t = count[0]
        count[0] += 1
        return float(np.exp(-np.sum((x - [0.3, 0.6]) ** 2) / 0.02) + noise[t])

    return f


def test_resume_after_evaluation_77_gives_the_same_trace_and_answer():
    s = StoSOOSettings.from_budget(200)
    saved = {}

    def checkpoint(row, state):
        if row.evaluation == 77:
            saved["state"] = json.dumps(state())

    full = optimize(noisy_objective(5), 2, 200, settings=s, callback=checkpoint)
    state = json.loads(saved["state"])
    assert state["format"] == STATE_FORMAT and state["evaluations"] == 77

    resumed = optimize(noisy_objective(5, start=77), 2, 200, state=state)
    assert resumed.trace == full.trace
    assert np.array_equal(resumed.best_x_unit, full.best_x_unit)
    assert resumed.best_value == full.best_value
    assert len(full.trace) >= 200


def test_resume_between_ask_and_tell():
    s = StoSOOSettings.from_budget(200)
    f, g = noisy_objective(9), noisy_objective(9, start=77)
    a = StoSOO(2, s)
    run(a, f, 77)
    x = a.ask()  # killed after asking, before telling
    b = StoSOO.from_state(json.loads(json.dumps(a.to_state())))
    assert np.array_equal(b.ask(), x)
    for opt, h in ((a, f), (b, g)):
        while (x := opt.ask()) is not None:
            opt.tell(h(x))
    assert a.trace[77:] == b.trace[77:]
    assert a.to_state() == b.to_state()


def test_replaying_the_values_rebuilds_the_state():
    s = StoSOOSettings.from_budget(200)
    a = StoSOO(2, s)
    run(a, noisy_objective(2), 120)
    b = StoSOO.replay(2, s, [row.value for row in a.trace])
    assert b.to_state() == a.to_state()
    with pytest.raises(ValueError, match="the run ended after"):
        StoSOO.replay(1, StoSOOSettings.from_budget(10, max_evals_per_node=1, max_depth=1), [0.0] * 5)


def test_resume_refuses_a_mismatched_run():
    state = StoSOO(2, StoSOOSettings.from_budget(200)).to_state()
    with pytest.raises(ValueError, match="checkpoint was made for"):
        optimize(lambda x: 0.0, 3, 200, state=state)


@pytest.mark.parametrize("method", [random_search, cma_es])
def test_baselines_resume_by_replay(method):
    saved = {}

    def checkpoint(row, state):
        if row.evaluation == 77:
            saved["state"] = json.dumps(state())

    full = method(noisy_objective(3), 2, 120, random_seed=4, callback=checkpoint)
    resumed = method(noisy_objective(3, start=77), 2, 120, random_seed=4,
                     state=json.loads(saved["state"]))
    assert resumed.trace == full.trace and len(full.trace) == 120
    assert np.array_equal(resumed.best_x_unit, full.best_x_unit)
    assert all(0.0 <= v <= 1.0 for row in full.trace for v in row.x_unit)


# ------------------------------------------------------------------------- search space


def test_search_space_maps_the_centre_to_the_start():
    space = SearchSpace.build([0.0, 0.0, 1.0], [2.0, 10.0, 1.0], start=[1.0, 1.0, 1.0],
                              names=["h", "g", "fixed"])
    assert np.array_equal(space.to_domain([0.5, 0.5, 0.5]), [1.0, 1.0, 1.0])
    assert np.array_equal(space.to_domain([0.0, 0.0, 0.0]), [0.0, 0.0, 1.0])
    assert np.array_equal(space.to_domain([1.0, 1.0, 1.0]), [2.0, 10.0, 1.0])
    # [0, 2] with start 1 is centred: one linear map; g is linear on each half
    assert space.to_domain([0.25, 0.25, 0.9])[:2] == pytest.approx([0.5, 0.5])
    assert space.to_domain([0.75, 0.75, 0.9])[:2] == pytest.approx([1.5, 5.5])
    u = np.array([0.1, 0.9, 0.5])
    assert space.to_unit(space.to_domain(u)) == pytest.approx(u)
    assert SearchSpace.build([0.0], [2.0]).start == (1.0,)


@pytest.mark.parametrize(
    "args, message",
    [
        (([2.0], [0.0]), r"parameter x\[0\]: domain \[2, 0\] is empty"),
        (([0.0], [2.0], [3.0], ["h"]), r"parameter h: start 3 lies outside its domain \[0, 2\]"),
        (([0.0, 0.0], [1.0]), "got 2 lower bounds but 1 upper bounds"),
        (([], []), "at least one parameter"),
        (([0.0], [math.inf]), "finite bounds"),
    ],
)
def test_search_space_refuses_bad_domains(args, message):
    with pytest.raises(ValueError, match=message):
        SearchSpace.build(*args)


def test_search_space_refuses_points_outside():
    space = SearchSpace.build([0.0], [2.0], names=["h"])
    with pytest.raises(ValueError, match=r"h = 1.5 lies outside \[0, 1\]"):
        space.to_domain([1.5])
    with pytest.raises(ValueError, match=r"h = -1 lies outside \[0, 2\]"):
        space.to_unit([-1.0])
