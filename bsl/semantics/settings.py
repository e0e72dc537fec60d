"""Checks of settings blocks (`key value` lines checked against builtins' rules) and of the files they name."""
from __future__ import annotations

from pathlib import Path

from bsl.diagnostics import did_you_mean
from bsl.source import Span
from bsl.syntax import ast
from bsl.semantics import builtins as B
from bsl.semantics.values import fmt_num


class SettingChecks:
    """Settings, their values, distributions and file paths (a mixin of the checker)."""

    # ---- settings blocks -------------------------------------------------------------
    def check_settings(self, settings: list[ast.Setting], rules: dict[str, B.SettingRule], block: str) -> None:
        seen: set[str] = set()
        for s in settings:
            rule = rules.get(s.key)
            if rule is None:
                hint = did_you_mean(s.key, rules) or f"settings of `{block}`: {', '.join(rules) or 'none'}"
                self.error("BSL204", f"unknown setting `{s.key}` in `{block}`", s.key_span, hint)
                continue
            if s.key in seen:
                self.error("BSL404", f"setting `{s.key}` is given twice in `{block}`", s.key_span)
            seen.add(s.key)
            self.check_setting_value(s, rule, block)

    def check_setting_value(self, s: ast.Setting, rule: B.SettingRule, block: str) -> None:
        v = s.value
        span = getattr(v, "span", s.span)
        if s.comparator and s.comparator not in rule.comparators:
            self.error("BSL305", f"`{s.key}` does not take `{s.comparator}`", s.span,
                       f"write `{s.key} <value>`")
        if s.by and s.by not in rule.by:
            options = ", ".join(f"`by {b}`" for b in rule.by) or "no `by` clause"
            self.error("BSL306", f"`{s.key}` cannot be picked `by {s.by}`", s.span,
                       (did_you_mean(s.by, rule.by) or f"use {options}"))
        if s.per and s.per not in rule.per:
            self.error("BSL306", f"`{s.key}` cannot be given `per {s.per}`", s.span,
                       did_you_mean(s.per, rule.per) or "remove the `per` clause")
        kind = rule.kind
        if kind in ("int", "number", "int_or_string"):
            if kind == "int_or_string" and isinstance(v, ast.String):
                return
            num = self.number_value(v)
            if num is None:
                self.error("BSL307", f"`{s.key}` expects a number", span, rule.doc or None)
                return
            if kind in ("int", "int_or_string") and num != int(num):
                self.error("BSL308", f"`{s.key}` must be a whole number, not {fmt_num(num)}", span)
            self.check_range(s.key, num, rule, span)
        elif kind == "length":
            if isinstance(v, ast.Quantity) and v.unit in ("M", "cM"):
                num = v.value / 100 if v.unit == "cM" else v.value
            else:
                num = self.number_value(v)
                if num is None or isinstance(v, ast.Quantity):
                    self.error("BSL309", f"`{s.key}` expects a length such as `1 M` or `150 cM`", span)
                    return
            self.check_range(s.key, num, rule, span)
        elif kind in ("name", "name_or_string"):
            if kind == "name_or_string" and isinstance(v, ast.String):
                self.check_file(v.value, span, "map file")
                return
            if not isinstance(v, ast.Name) or (rule.choices and v.id not in rule.choices):
                got = v.id if isinstance(v, ast.Name) else "this value"
                close = did_you_mean(got, rule.choices) if isinstance(v, ast.Name) else None
                self.error("BSL310", f"`{s.key}` cannot be `{got}`", span,
                           close or (f"choose one of: {', '.join(rule.choices)}" if rule.choices else None))
        elif kind == "call":
            self.check_distribution(s.key, v, rule.choices)

    def check_range(self, key: str, num: float, rule: B.SettingRule, span: Span) -> None:
        if rule.minimum is not None and num < rule.minimum:
            self.error("BSL311", f"`{key}` must be at least {fmt_num(rule.minimum)}, got {fmt_num(num)}", span)
        if rule.maximum is not None and num > rule.maximum:
            self.error("BSL311", f"`{key}` must be at most {fmt_num(rule.maximum)}, got {fmt_num(num)}", span)

    def check_distribution(self, key: str, v: ast.Expr, choices: tuple[str, ...]) -> None:
        span = getattr(v, "span", None)
        if not isinstance(v, ast.Call) or v.func not in choices:
            name = v.func if isinstance(v, ast.Call) else None
            self.error("BSL312", f"`{key}` expects a distribution: {', '.join(c + '(...)' for c in choices)}", span,
                       did_you_mean(name, choices) if name else None)
            return
        counts, names = B.DISTRIBUTIONS[v.func]
        if len(v.args) not in counts or v.kwargs:
            self.error("BSL313", f"`{v.func}` takes {' or '.join(map(str, counts))} numbers ({', '.join(names)})", span)
            return
        values = [self.number_value(a) for a in v.args]
        if any(x is None for x in values):
            self.error("BSL313", f"the parameters of `{v.func}` must be numbers", span)
            return
        if v.func == "normal" and values[1] < 0:
            self.error("BSL314", "the variance of `normal` cannot be negative", v.args[1].span)
        if v.func == "gamma" and any(x <= 0 for x in values):
            self.error("BSL314", "the shape and scale of `gamma` must be positive", span)

    def resolve(self, path: str) -> Path:
        """A path of the scheme, relative to the scheme file's folder."""
        p = Path(path)
        return p if p.is_absolute() else self.base_dir / p

    def check_file(self, path: str, span: Span, what: str) -> None:
        full = self.resolve(path)
        if not full.is_file():
            self.error("BSL501", f"{what} `{path}` does not exist", span,
                       "paths are relative to the folder of the scheme file")
