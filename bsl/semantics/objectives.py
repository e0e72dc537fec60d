"""Checks of what a scheme measures and tunes: parameters, `optimize`, objectives and report summaries."""
from __future__ import annotations

from bsl.diagnostics import did_you_mean
from bsl.syntax import ast
from bsl.semantics import builtins as B
from bsl.semantics import models as M
from bsl.semantics.features import uses
from bsl.semantics.types import describe
from bsl.semantics.values import fmt_num, quiet_const


class ObjectiveChecks:
    """`param`, `optimize`, `objective` and `report` (a mixin of the checker)."""

    # ---- parameters and optimization ---------------------------------------------------
    def check_param(self, d: ast.ParamDecl) -> None:
        """`param h[cycle 1..4] = [BV, WBV, GVP] in [0, 2] start 1`: a tunable constant."""
        if d.name in self.constants:
            self.error("BSL202", f"`{d.name}` is already declared", d.span)
            return
        labels = d.value.items if isinstance(d.value, ast.Vector) else [d.value]
        if not labels or not all(isinstance(x, ast.Name) for x in labels):
            self.error("BSL343", "a parameter's value names its columns: `[BV, WBV, GVP]` or one name", d.value.span,
                       "e.g. `param h[cycle 1..4] = [BV, GVP] in [0, 2] start 1`")
            return
        lo, hi = self.number_value(d.lower), self.number_value(d.upper)
        if lo is None or hi is None:
            self.error("BSL307", "a parameter's domain is two numbers: `in [0, 2]`", d.lower.span)
            return
        if lo >= hi:
            self.error("BSL344", f"the domain [{fmt_num(lo)}, {fmt_num(hi)}] of `{d.name}` is empty", d.lower.span,
                       "the lower bound must be below the upper bound")
            return
        start = (lo + hi) / 2 if d.start is None else self.number_value(d.start)
        if start is None:
            self.error("BSL307", "`start` must be a number", d.start.span)
            return
        if not lo <= start <= hi:
            self.error("BSL345", f"start {fmt_num(start)} lies outside the domain [{fmt_num(lo)}, {fmt_num(hi)}]",
                       d.start.span if d.start is not None else d.span)
            return
        row = [start] * len(labels)
        if d.shape_var is not None:
            if d.shape_start != 1 or d.shape_stop < 1:
                self.error("BSL346", f"per-cycle parameters run over cycles 1..T, got {d.shape_start}..{d.shape_stop}",
                           d.span, f"write `param {d.name}[{d.shape_var} 1..T] = ...`")
                return
            value: object = [list(row) for _ in range(d.shape_stop)]
        else:
            value = row if len(labels) > 1 else start
        self.constants[d.name] = value
        self.const_spans[d.name] = d.span

    def check_optimize(self, d: ast.OptimizeDecl, objectives: list[str]) -> None:
        params = [p.name for p in self.module.decls if isinstance(p, ast.ParamDecl)]
        if d.param not in params:
            self.error("BSL201", f"`{d.param}` is not a parameter", d.span,
                       did_you_mean(d.param, params) or "declare it with `param NAME = [...] in [lo, hi]`")
        if d.method not in B.OPTIMIZERS:
            self.error("BSL347", f"unknown optimizer `{d.method}`", d.span,
                       did_you_mean(d.method, B.OPTIMIZERS) or f"choose one of: {', '.join(B.OPTIMIZERS)}")
        self.check_settings(d.settings, B.OPTIMIZE_SETTINGS, "optimize")
        goals = [s for s in d.settings if s.key in ("maximize", "minimize")]
        if len(goals) != 1:
            self.error("BSL348", "say which objective to `maximize` (or `minimize`), once", d.span,
                       "e.g. `optimize h with stosoo { maximize gain  evaluations 1000 }`")
            return
        goal = goals[0].value
        if isinstance(goal, ast.Name) and goal.id not in objectives:
            self.error("BSL208", f"objective `{goal.id}` is never defined", goal.span,
                       did_you_mean(goal.id, objectives) or "declare it with `objective NAME = ...`")

    # ---- objectives and reports -----------------------------------------------------------
    def check_objective(self, d: ast.ObjectiveDecl, num_cycles: int) -> None:
        self.check_objective_expr(d.expr, num_cycles)

    def check_objective_expr(self, e: ast.Expr, num_cycles: int) -> None:
        if isinstance(e, ast.Number):
            return
        if isinstance(e, ast.Neg):
            return self.check_objective_expr(e.operand, num_cycles)
        if isinstance(e, ast.BinOp):
            self.check_objective_expr(e.left, num_cycles)
            self.check_objective_expr(e.right, num_cycles)
            return
        if isinstance(e, ast.At):
            c = quiet_const(self, e.cycle)
            if not isinstance(c, float) or c != int(c):
                self.error("BSL337", "`at cycle` needs a whole number", e.cycle.span)
            elif not 0 <= c <= num_cycles:
                self.error("BSL338", f"cycle {int(c)} is out of range: the scheme runs cycles 0..{num_cycles}",
                           e.cycle.span)
            self.check_objective_expr(e.expr, num_cycles)
            return
        self.check_summary(e, allow_vector=False, allow_multi_trait=False)

    def check_summary(self, e: ast.Expr, allow_vector: bool, allow_multi_trait: bool) -> None:
        span = getattr(e, "span", None)
        if isinstance(e, ast.Name) and e.id in ("inbreeding", "heterozygosity"):
            return
        if not isinstance(e, ast.Call):
            self.error("BSL339", "expected a population summary such as `mean(gv)`, `top(5, gv)` or `inbreeding`",
                       span)
            return
        f = e.func
        if f in B.SUMMARIES_OF_VALUES or f == B.SUMMARY_TOP:
            args = list(e.args)
            if f == B.SUMMARY_TOP:
                if not args:
                    self.error("BSL340", "`top` needs a count: `top(5, gv)`", span)
                    return
                k = quiet_const(self, args[0])
                if not isinstance(k, float) or k != int(k) or k < 1:
                    self.error("BSL334", "the count of `top` must be a positive whole number", args[0].span)
                args = args[1:] or [ast.Name("gv", e.span)]
            if len(args) != 1:
                self.error("BSL340", f"`{f}` summarizes one value per individual, e.g. `{f}(gv)`", span)
                return
            x = args[0]
            multi = _bare_trait_value(x) and len(self.traits) > 1
            if multi and not allow_multi_trait:
                self.error("BSL315", f"`{_bare_name(x)}` needs a trait here (the scheme has several)", x.span)
                return
            if multi:
                return
            t = self.feature_type(x, None)
            if t is not None and (t.level != "ind" or t.width != 1):
                self.error("BSL321", f"`{f}` needs one value per individual, got a {describe(t)}", x.span)
            elif t is not None and uses(x, "phenotype", self.features):
                used = M.phenotype_traits(x, self.features, self.traits)
                if used and all(u in self.model_traits for u in used):
                    for u in sorted(used):
                        M.report_environment(self, u, x.span)
                    return
                self.error("BSL342", "reports and objectives summarize the generation at the end of each cycle "
                           "(and the founders at cycle 0), which has no phenotypes", x.span,
                           "summarize true values such as `gv` instead")
            return
        if f == "genic_var":
            if len(e.args) > 1:
                self.error("BSL340", "`genic_var` takes a trait: `genic_var(yield)`", span)
            elif e.args:
                a = e.args[0]
                name = a.id if isinstance(a, ast.Name) else (a.args[0].id if isinstance(a, ast.Call) and a.func == "gv"
                                                             and a.args and isinstance(a.args[0], ast.Name) else None)
                if name != "gv" and name not in self.traits:
                    self.error("BSL205", f"unknown trait `{name}`", a.span, did_you_mean(str(name), self.traits))
                elif name in self.model_traits:
                    self.has_genetic_values("genic_var", name, a.span)
            elif len(self.traits) > 1 and not allow_multi_trait:
                self.error("BSL315", "`genic_var` needs a trait here", span)
            return
        if f in ("inbreeding", "heterozygosity", "allele_freq"):
            if len(e.args) > 1 or (e.args and not (isinstance(e.args[0], ast.Name) and e.args[0].id in ("qtl", "all"))):
                self.error("BSL340", f"`{f}` takes `qtl` or `all`: `{f}(qtl)`", span)
            if f == "allele_freq" and not allow_vector:
                self.error("BSL341", "`allele_freq` gives one value per locus; an objective needs one number", span)
            return
        self.error("BSL201", f"unknown summary `{f}`", e.func_span,
                   did_you_mean(f, B.SUMMARIES_OF_VALUES + (B.SUMMARY_TOP,) + B.SUMMARIES_OF_TRAIT + B.SUMMARIES_OF_LOCI))


def _bare_trait_value(e: ast.Expr) -> bool:
    return (isinstance(e, ast.Name) and e.id in B.TRAIT_FEATURES) or \
        (isinstance(e, ast.Call) and e.func in B.TRAIT_FEATURES and not e.args)


def _bare_name(e: ast.Expr) -> str:
    return e.id if isinstance(e, ast.Name) else e.func  # type: ignore[union-attr]
