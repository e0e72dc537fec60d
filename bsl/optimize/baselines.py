"""Baseline optimizers over the unit cube, random search and CMA-ES (from ``cma``), with the
same call shape, trace and checkpoints as ``stosoo.optimize``.

Both are seeded, so a run is a pure function of the objective's values. A checkpoint is the
list of values seen so far: resuming replays the run from its seed, feeding the recorded values
instead of calling the objective, and so continues exactly where the first run stopped.
Neither averages repeated evaluations: the answer is the best single value observed, which
on a noisy objective is biased upwards (downwards when minimizing).
"""
from __future__ import annotations

import math
import warnings
from typing import Iterator

import numpy as np

from bsl.optimize.stosoo import Callback, Objective, Result, TraceRow

STATE_FORMAT = "bsl.optimize.baseline/1"


def random_search(
    f: Objective,
    dim: int,
    budget: int,
    *,
    maximize: bool = True,
    random_seed: int = 0,
    callback: Callback | None = None,
    state: dict | None = None,
) -> Result:
    """Evaluate the cube's centre (the start), then ``budget - 1`` points drawn uniformly from
    the unit cube with ``numpy.random.default_rng(random_seed)``."""

    def points(values: list[float]) -> Iterator[np.ndarray]:
        rng = np.random.default_rng(random_seed)
        yield np.full(dim, 0.5)
        while True:
            yield rng.random(dim)  # (D,)

    return _drive("random_search", points, f, dim, budget, maximize, random_seed, callback, state)


def cma_es(
    f: Objective,
    dim: int,
    budget: int,
    *,
    maximize: bool = True,
    random_seed: int = 0,
    sigma0: float = 0.3,
    callback: Callback | None = None,
    state: dict | None = None,
) -> Result:
    """CMA-ES (Hansen's ``cma`` package) started at the cube's centre with step size
    ``sigma0`` (in cube units), its own bound handling on [0, 1] and seed ``random_seed``;
    points are also clipped to the cube before they are evaluated. It stops at ``budget``
    evaluations, mid-generation if need be."""
    with warnings.catch_warnings():  # cma warns when matplotlib is missing; we do not plot
        warnings.simplefilter("ignore")
        import cma

    sign = -1.0 if maximize else 1.0  # cma minimizes

    def points(values: list[float]) -> Iterator[np.ndarray]:
        options = {
            "seed": random_seed + 1,  # cma treats seed 0 as "seed from the clock"
            "bounds": [0.0, 1.0],
            "verbose": -9,
            "verb_log": 0,  # no outcmaes/ files
            "verb_disp": 0,
        }
        es = cma.CMAEvolutionStrategy(np.full(dim, 0.5), sigma0, options)
        while True:
            candidates = es.ask()
            start = len(values)
            for x in candidates:
                yield np.clip(np.asarray(x, dtype=float), 0.0, 1.0)  # (D,)
            es.tell(candidates, [sign * v for v in values[start : start + len(candidates)]])

    return _drive("cma_es", points, f, dim, budget, maximize, random_seed, callback, state)


def _drive(method, points, f, dim, budget, maximize, random_seed, callback, state) -> Result:
    """Run a seeded point generator against ``f`` (or, for the first evaluations of a resumed
    run, against the recorded values), keeping the best observed value."""
    if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
        raise ValueError(f"dim must be a positive integer, got {dim!r}")
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise ValueError(f"budget must be a positive integer, got {budget!r}")
    header = {"format": STATE_FORMAT, "method": method, "dim": dim, "budget": budget,
              "maximize": bool(maximize), "random_seed": random_seed}
    recorded: list[float] = []
    if state is not None:
        found = {key: state.get(key) for key in header}
        if found != header:
            raise ValueError(f"the checkpoint was made for {found}, but this run asks for {header}")
        recorded = [float(v) for v in state["values"]]
    better = (lambda a, b: a > b) if maximize else (lambda a, b: a < b)
    values: list[float] = []  # every value so far, in order; the generators read it
    trace: list[TraceRow] = []
    best_x, best_value = None, math.nan

    def snapshot() -> dict:
        return {**header, "values": list(values)}

    for x in points(values):
        if len(values) >= budget:
            break
        t = len(values)
        value = recorded[t] if t < len(recorded) else float(f(x))
        values.append(value)
        if best_x is None or better(value, best_value):
            best_x, best_value = x.copy(), value
        row = TraceRow(t + 1, tuple(float(v) for v in x), value, best_value)
        trace.append(row)
        if callback is not None and t >= len(recorded):
            callback(row, snapshot)
    return Result(best_x, best_value, trace)
