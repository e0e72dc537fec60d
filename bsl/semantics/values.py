"""Constant declarations and the values the checker evaluates: constants, numbers, counts and weights per cycle."""
from __future__ import annotations

import math

from bsl.syntax import ast
from bsl.semantics import builtins as B


class ValueChecks:
    """Evaluation of constants and of values that may use the cycle variable (a mixin of the checker)."""

    # ---- constants ---------------------------------------------------------------------
    def check_const(self, d: ast.ConstDecl) -> None:
        if d.name in self.constants:
            self.error("BSL202", f"constant `{d.name}` is declared twice", d.name_span)
            return
        value = self.const_value(d.value)
        if value is not None:
            self.constants[d.name] = value
            self.const_spans[d.name] = d.span

    def const_value(self, e: ast.Expr) -> object | None:
        """Evaluate a constant expression: numbers, vectors, matrices and arithmetic on numbers."""
        if isinstance(e, ast.Number):
            return e.value
        if isinstance(e, ast.Quantity):
            return e.value / 100 if e.unit == "%" else e.value
        if isinstance(e, ast.Neg):
            v = self.const_value(e.operand)
            return -v if isinstance(v, float) else None
        if isinstance(e, ast.Vector):
            items = [self.const_value(x) for x in e.items]
            if any(i is None for i in items):
                return None
            if items and isinstance(items[0], list):
                widths = {len(i) if isinstance(i, list) else -1 for i in items}
                if len(widths) != 1:
                    self.error("BSL302", "rows of a matrix must all have the same length", e.span)
                    return None
            return items
        if isinstance(e, ast.BinOp):
            a, b = self.const_value(e.left), self.const_value(e.right)
            if isinstance(a, float) and isinstance(b, float):
                if e.op == "/" and b == 0:
                    self.error("BSL303", "division by zero", e.span)
                    return None
                return {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else math.nan}[e.op]
            return None
        if isinstance(e, ast.Name) and e.id in self.constants:
            return self.constants[e.id]
        self.error("BSL304", "a constant must be a number, a vector `[...]` or a matrix `[[...], ...]`",
                   getattr(e, "span", None))
        return None

    def number_value(self, e: ast.Expr) -> float | None:
        if isinstance(e, (ast.Number, ast.Neg, ast.BinOp, ast.Name)):
            if isinstance(e, ast.Name) and e.id not in self.constants:
                return None
            v = quiet_const(self, e)
            return v if isinstance(v, float) else None
        return None

    # ---- values inside cycles -------------------------------------------------------------
    def value_at(self, e: ast.Expr, cycle: int, var: str) -> object | None:
        """Evaluate a value that may use the cycle variable: `15`, `n`, `n[cycle]`, `h[cycle]`, `10%`."""
        if isinstance(e, ast.Name) and e.id == var:
            return float(cycle)
        if isinstance(e, ast.Index):
            if e.target not in self.constants:
                self.unknown_name(e.target, e.span, list(self.constants), "constant")
                return None
            base = self.constants[e.target]
            idx = self.value_at(e.index, cycle, var)
            if not isinstance(base, list):
                self.error("BSL329", f"`{e.target}` is a number and cannot be indexed", e.span)
                return None
            if not isinstance(idx, float) or idx != int(idx):
                self.error("BSL330", "an index must be a whole number", e.index.span)
                return None
            if not 1 <= idx <= len(base):
                self.error("BSL331", f"`{e.target}[{int(idx)}]` is out of range: `{e.target}` has {len(base)} entries"
                           f" (indices start at 1)", e.span,
                           f"declare {e.target} with one entry per cycle" if isinstance(e.index, ast.Name) else None)
                return None
            return base[int(idx) - 1]
        if isinstance(e, ast.Quantity) and e.unit == "%":
            return ("%", e.value)
        if isinstance(e, ast.BinOp):
            a, b = self.value_at(e.left, cycle, var), self.value_at(e.right, cycle, var)
            if isinstance(a, float) and isinstance(b, float):
                return {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else math.nan}[e.op]
            return None
        if isinstance(e, ast.Name) and e.id not in self.constants:
            self.unknown_name(e.id, e.span, list(self.constants) + [var], "constant")
            return None
        if isinstance(e, ast.Vector):
            items = [self.value_at(x, cycle, var) for x in e.items]
            return None if any(i is None for i in items) else items
        return quiet_const(self, e)

    def count_value(self, e: ast.Expr, cycle: int, var: str, of_size: int | None, what: str) -> int | None:
        v = self.value_at(e, cycle, var)
        if isinstance(v, tuple):  # a percentage
            if not 0 < v[1] <= 100:
                self.error("BSL332", f"a percentage of {what} must be in (0, 100], got {fmt_num(v[1])}%", e.span)
                return None
            return max(1, int(math.floor(of_size * v[1] / 100 + 0.5))) if of_size else 1
        if not isinstance(v, float):
            if v is not None:
                self.error("BSL333", f"the number of {what} must be a number", e.span)
            return None
        if v != int(v) or v < 1:
            kind = "negative" if v < 0 else ("zero" if v == 0 else "not a whole number")
            self.error("BSL334", f"the number of {what} must be a positive whole number, got {fmt_num(v)} ({kind})"
                       + (f" at cycle {cycle}" if isinstance(e, ast.Index) else ""), e.span)
            return None
        return int(v)

    def vector_value(self, e: ast.Expr, cycle: int, var: str) -> list[float] | None:
        v = self.value_at(e, cycle, var)
        if isinstance(v, float):
            return [v]
        if isinstance(v, list) and all(isinstance(x, float) for x in v):
            return v  # type: ignore[return-value]
        if v is not None:
            self.error("BSL335", "weights must be a vector of numbers, e.g. `[1, 0.5]` or `h[cycle]`", e.span)
        return None

    def bool_value(self, e: ast.Expr | None, default: bool) -> bool:
        if e is None:
            return default
        if isinstance(e, ast.Name) and e.id in B.KEYWORD_VALUES:
            return B.KEYWORD_VALUES[e.id]
        self.error("BSL336", "expected `true` or `false`", getattr(e, "span", None))
        return default


def fmt_num(x: float) -> str:
    """A number as messages show it: `2`, not `2.0`."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def quiet_const(checker: ValueChecks, e: ast.Expr) -> object | None:
    """Evaluate a constant expression without reporting (the caller reports in its own words)."""
    n = len(checker.diags)
    v = checker.const_value(e)
    del checker.diags[n:]
    return v


def quiet_value(checker: ValueChecks, e: ast.Expr, cycle: int, var: str) -> object | None:
    """Evaluate a value at one cycle without reporting (the caller reports in its own words)."""
    n = len(checker.diags)
    v = checker.value_at(e, cycle, var)
    del checker.diags[n:]
    return v
