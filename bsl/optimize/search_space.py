"""The map between the optimizers' unit cube [0, 1]^D and a box of parameter values.

Each dimension maps linearly, with the cube's centre 0.5 going to the parameter's start value:
when the start is the domain's midpoint (the default) the map is the single linear map
``x = lower + u * (upper - lower)`` of the reference code (myBreedSimulatR ``stoSOO``'s
``maximizeFunc``); otherwise it is linear on each half, [0, 0.5] onto [lower, start] and
[0.5, 1] onto [start, upper], so that StoSOO's root cell is centred on the start.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class SearchSpace:
    """A box domain with a start value per dimension. Build it with ``SearchSpace.build``."""

    lower: tuple[float, ...]
    upper: tuple[float, ...]
    start: tuple[float, ...]
    names: tuple[str, ...]

    @classmethod
    def build(
        cls,
        lower: Sequence[float],
        upper: Sequence[float],
        start: Sequence[float] | None = None,
        names: Sequence[str] | None = None,
    ) -> SearchSpace:
        """Validate and build. ``start`` defaults to the domain's midpoints; ``names`` (for the
        error messages) to ``x[0]``, ``x[1]``, .... A domain with ``lower == upper`` is a fixed
        value; one with ``lower > upper`` is empty and refused."""
        lower = _parse_vector("lower bounds", lower)
        upper = _parse_vector("upper bounds", upper)
        dim = len(lower)
        if dim == 0:
            raise ValueError("a search space needs at least one parameter; got no bounds")
        if len(upper) != dim:
            raise ValueError(f"got {dim} lower bounds but {len(upper)} upper bounds")
        if names is None:
            names = tuple(f"x[{j}]" for j in range(dim))
        names = tuple(str(n) for n in names)
        if len(names) != dim:
            raise ValueError(f"got {dim} bounds but {len(names)} names")
        for name, lo, hi in zip(names, lower, upper):
            if not (math.isfinite(lo) and math.isfinite(hi)):
                raise ValueError(f"parameter {name}: domain [{lo:g}, {hi:g}] must have finite bounds")
            if lo > hi:
                raise ValueError(
                    f"parameter {name}: domain [{lo:g}, {hi:g}] is empty; "
                    "the lower bound must not exceed the upper bound"
                )
        if start is None:
            start = tuple((lo + hi) / 2 for lo, hi in zip(lower, upper))
        start = _parse_vector("start values", start)
        if len(start) != dim:
            raise ValueError(f"got {dim} bounds but {len(start)} start values")
        for name, lo, hi, s in zip(names, lower, upper, start):
            if not (math.isfinite(s) and lo <= s <= hi):
                raise ValueError(f"parameter {name}: start {s:g} lies outside its domain [{lo:g}, {hi:g}]")
        return cls(lower, upper, start, names)

    @property
    def dim(self) -> int:
        return len(self.lower)

    def to_domain(self, u: Sequence[float]) -> np.ndarray:
        """Map a point of the unit cube, shaped (D,), to parameter values, shaped (D,)."""
        u = self._check(u, "unit-cube point", np.zeros(self.dim), np.ones(self.dim))
        lo, hi, s = (np.asarray(v) for v in (self.lower, self.upper, self.start))
        linear = lo + u * (hi - lo)
        below = lo + (s - lo) * (u / 0.5)
        above = s + (hi - s) * ((u - 0.5) / 0.5)
        return np.where(self._centred, linear, np.where(u <= 0.5, below, above))

    def to_unit(self, x: Sequence[float]) -> np.ndarray:
        """Map parameter values, shaped (D,), to the unit cube (the inverse of ``to_domain``
        where that is one-to-one; the start value, and so a fixed value, maps to 0.5)."""
        lo, hi, s = (np.asarray(v) for v in (self.lower, self.upper, self.start))
        x = self._check(x, "parameter values", lo, hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            linear = (x - lo) / (hi - lo)
            below = 0.5 * (x - lo) / (s - lo)
            above = 0.5 + 0.5 * (x - s) / (hi - s)
        u = np.where(self._centred, linear, np.where(x < s, below, above))
        return np.where(x == s, 0.5, u)  # also covers fixed values and a start on a bound

    @property
    def _centred(self) -> np.ndarray:
        return np.array([s == (lo + hi) / 2 for lo, hi, s in zip(self.lower, self.upper, self.start)])

    def _check(self, v, what: str, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        v = np.asarray(v, dtype=float)
        if v.shape != (self.dim,):
            raise ValueError(f"expected {self.dim} {what}, got shape {v.shape}")
        outside = [j for j in range(self.dim) if not (lo[j] <= v[j] <= hi[j])]
        if outside:
            j = outside[0]
            raise ValueError(f"{what}: {self.names[j]} = {v[j]:g} lies outside [{lo[j]:g}, {hi[j]:g}]")
        return v


def _parse_vector(what: str, values) -> tuple[float, ...]:
    try:
        vector = tuple(float(v) for v in np.atleast_1d(np.asarray(values, dtype=float)))
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be numbers, got {values!r}") from None
    return vector
