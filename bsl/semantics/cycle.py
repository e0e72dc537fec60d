"""Checks of the breeding cycle: `repeat` and its steps (phenotype, select, mate, allocate, cross)."""
from __future__ import annotations

from bsl.diagnostics import did_you_mean
from bsl.source import Span
from bsl.syntax import ast
from bsl.semantics import builtins as B
from bsl.semantics import models as M
from bsl.semantics.features import uses
from bsl.semantics.types import Binding, FeatureType, describe
from bsl.semantics.values import fmt_num, quiet_value


class CycleChecks:
    """The `repeat` block step by step, with the populations and pair sets each step binds (a checker mixin)."""

    # ---- the cycle ---------------------------------------------------------------------
    def check_repeat(self, r: ast.RepeatDecl, founders: list[ast.FoundersDecl]) -> None:
        if r.start != 1 or r.stop < 1:
            self.error("BSL410", f"cycles must run from 1 to T, got {r.start}..{r.stop}", r.span,
                       "write `repeat cycle 1..T { ... }`; cycle 0 is the founder population")
            return
        if not r.steps:
            self.error("BSL411", "the cycle has no steps", r.span)
            return
        env: dict[str, Binding] = {}
        for f in founders:
            env[f.name] = Binding("population", self.founder_sizes.get(f.name))
        current = founders[0].name if founders else None
        # Two passes: the first binds names; the second checks every cycle sees its names.
        makes_generation = any(isinstance(s, ast.CrossStep) for s in r.steps)
        if not makes_generation:
            self.error("BSL412", "the cycle never makes a new generation", r.span,
                       "add `cross PAIRS`, `self POP` or `dh POP` to the cycle")
        cycles = list(range(r.start, r.stop + 1))
        for step in r.steps:
            current = self.check_step(step, env, current, r.var, cycles)

    def check_step(self, step: ast.Step, env: dict[str, Binding], current: str | None, var: str,
                   cycles: list[int]) -> str | None:
        def lookup(name: str, span: Span, kind: str) -> Binding | None:
            b = env.get(name)
            if b is None:
                cands = [n for n, x in env.items() if x.kind == kind]
                self.error("BSL206", f"unknown {'population' if kind == 'population' else 'pair set'} `{name}`",
                           span, did_you_mean(name, cands) or (f"known: {', '.join(cands)}" if cands else None))
                return None
            if b.kind != kind:
                self.error("BSL320", f"`{name}` is a {'population' if b.kind == 'population' else 'set of mating pairs'}"
                           f", not a {'population' if kind == 'population' else 'set of mating pairs'}", span)
                return None
            return b

        if isinstance(step, ast.PhenotypeStep):
            b = lookup(step.population, step.span, "population")
            if step.model is not None:
                M.check_phenotype_step(self, step)
            if b:
                b.phenotyped = True
            return current
        if isinstance(step, ast.SelectStep):
            source = step.source or current
            b = lookup(source, step.source_span if step.source else step.span, "population") if source else None
            t = self.feature_type(step.criterion, cycles, var)
            if t is not None and (t.level != "ind" or t.width != 1):
                self.error("BSL321", f"selection needs one value per individual, got a {describe(t)}",
                           step.criterion.span)
            if t is not None and uses(step.criterion, "phenotype", self.features) and b is not None and not b.phenotyped:
                self.error("BSL413", f"`{source}` has no phenotypes when it is selected on phenotype", step.span,
                           f"add `phenotype {source}` before this step")
            size = None
            for c in cycles:
                count = self.count_value(step.count, c, var, b.size if b else None, what="individuals to select")
                if count is None:
                    break
                if b is not None and b.size is not None and not step.within_family and count > b.size:
                    self.error("BSL414", f"cannot select {count} individuals from `{source}`, which has {b.size}",
                               step.count.span, f"select at most {b.size}")
                    break
                size = count
            if step.within_family:
                size = None
            env[step.name] = Binding("population", size, phenotyped=b.phenotyped if b else False)
            return current
        if isinstance(step, ast.MateStep):
            return self.check_mate(step, env, current, lookup, cycles, var)
        if isinstance(step, ast.AllocateStep):
            b = lookup(step.pairs, step.pairs_span, "pairs")
            for c in cycles:
                if self.count_value(step.total, c, var, None, what="progeny") is None:
                    break
            if b is not None and b.size == 0:
                self.error("BSL415", f"`{step.pairs}` has no pairs to allocate progeny to", step.pairs_span)
            self.check_allocation(step, b, cycles, var)
            if b is not None:
                b.allocated = True
            return current
        if isinstance(step, ast.CrossStep):
            out = step.name or "generation"
            if step.kind == "cross":
                b = lookup(step.source, step.source_span, "pairs")
                size = None
                if b is not None and not b.allocated:
                    size = b.size
            else:
                b = env.get(step.source)
                if b is None:
                    self.error("BSL206", f"unknown population `{step.source}`", step.source_span,
                               did_you_mean(step.source, env))
                size = None
                if step.times is not None:
                    for c in cycles:
                        n = self.count_value(step.times, c, var, None, what="lines per parent")
                        if n is None:
                            break
            env[out] = Binding("population", size)
            return out
        raise AssertionError(step)

    def check_mate(self, step: ast.MateStep, env, current, lookup, cycles, var) -> str | None:
        if step.plan_path is not None:
            self.check_file(step.plan_path, step.span, "mating plan")
            if step.over:
                lookup(step.over, step.span, "population")
            env[step.name] = Binding("pairs", None)
            return current
        d = step.design
        if not isinstance(d, ast.Call) or d.func not in B.MATING_DESIGNS:
            name = d.func if isinstance(d, ast.Call) else (d.id if isinstance(d, ast.Name) else "?")
            self.error("BSL322", f"unknown mating design `{name}`", getattr(d, "span", step.span),
                       did_you_mean(name, B.MATING_DESIGNS) or
                       "use diallel(P, selfing = true), factorial(A, B), random(n) over P or from \"plan.csv\" over P")
            env[step.name] = Binding("pairs", None)
            return current
        size: int | None = None
        kw = {k.name: k.value for k in d.kwargs}
        if d.func == "diallel":
            unknown = set(kw) - {"selfing"}
            for k in d.kwargs:
                if k.name in unknown:
                    self.error("BSL207", f"`diallel` has no option `{k.name}`", k.span, did_you_mean(k.name, ["selfing"]))
            if len(d.args) != 1 or not isinstance(d.args[0], ast.Name):
                self.error("BSL323", "`diallel` takes one population: `diallel(parents, selfing = true)`", d.span)
            else:
                b = lookup(d.args[0].id, d.args[0].span, "population")
                selfing = self.bool_value(kw.get("selfing"), default=False)
                if b is not None and b.size is not None:
                    n = b.size
                    size = n * (n + 1) // 2 if selfing else n * (n - 1) // 2
        elif d.func == "factorial":
            if len(d.args) != 2 or not all(isinstance(a, ast.Name) for a in d.args):
                self.error("BSL323", "`factorial` takes two populations: `factorial(females, males)`", d.span)
            else:
                bs = [lookup(a.id, a.span, "population") for a in d.args]
                if all(b is not None and b.size is not None for b in bs):
                    size = bs[0].size * bs[1].size
        else:  # random
            if len(d.args) != 1:
                self.error("BSL323", "`random` takes the number of pairs: `random(40) over parents`", d.span)
            else:
                for c in cycles:
                    size = self.count_value(d.args[0], c, var, None, what="pairs")
                    if size is None:
                        break
            source = step.over or current
            if source:
                lookup(source, step.span, "population")
        if step.over and d.func != "random":
            self.error("BSL324", f"`over` goes with `random(n)` or a plan file, not `{d.func}`", step.span)
        if size == 0:
            self.error("BSL415", "this mating design makes no pairs", d.span,
                       "use `selfing = true` or select more parents")
        env[step.name] = Binding("pairs", size)
        return current

    def check_allocation(self, step: ast.AllocateStep, b: Binding | None, cycles, var) -> None:
        m = step.method
        name = m.func if isinstance(m, ast.Call) else (m.id if isinstance(m, ast.Name) else "?")
        if name not in B.ALLOCATION_METHODS:
            self.error("BSL325", f"unknown allocation `{name}`", getattr(m, "span", step.span),
                       did_you_mean(name, B.ALLOCATION_METHODS) or
                       "use equal, fixed(n) or softmax(FEATURES, weights = W)")
            return
        if name == "equal":
            if isinstance(m, ast.Call):
                for k in m.kwargs:
                    if k.name != "rank":
                        self.error("BSL207", f"`equal` has no option `{k.name}`", k.span, "use `rank = FEATURE`")
                    else:
                        t = self.feature_type(k.value, cycles, var)
                        if t is not None and t.width != 1:
                            self.error("BSL321", "`rank` needs one value per pair", k.value.span)
            return
        if name == "fixed":
            if not isinstance(m, ast.Call) or len(m.args) != 1:
                self.error("BSL326", "`fixed` takes the number of progeny per pair: `fixed(2)`", m.span)
                return
            for c in cycles:
                per_pair = self.count_value(m.args[0], c, var, None, what="progeny per pair")
                total = quiet_value(self, step.total, c, var)
                if per_pair is None:
                    break
                if b is not None and b.size is not None and isinstance(total, float) and total != per_pair * b.size:
                    self.error("BSL417", f"`fixed({per_pair})` over {b.size} pairs makes {per_pair * b.size} progeny, "
                               f"not {fmt_num(total)}", step.total.span,
                               f"write `allocate {per_pair * b.size} progeny over {step.pairs} by fixed({per_pair})`")
                    break
            return
        # softmax(FEATURES, weights = W)
        if not isinstance(m, ast.Call) or len(m.args) != 1:
            self.error("BSL326", "`softmax` takes one feature matrix: `softmax(z(BV) ++ z(GVP), weights = h[cycle])`",
                       m.span)
            return
        t = self.feature_type(m.args[0], cycles, var)
        if t is not None and t.level == "ind":
            t = FeatureType("pair", t.width)  # individual features are averaged over parents
        kw = {k.name: k for k in m.kwargs}
        for k in m.kwargs:
            if k.name == "rounding":
                if not (isinstance(k.value, ast.Name) and k.value.id in B.SOFTMAX_ROUNDINGS):
                    guess = did_you_mean(k.value.id, B.SOFTMAX_ROUNDINGS) if isinstance(k.value, ast.Name) else None
                    self.error("BSL349", "`rounding` is `round` or `floor`", k.value.span,
                               guess or "`rounding = floor` as the paper's Equation 1; `round` (the default) as "
                               "myBreedSimulatR since 2023")
            elif k.name != "weights":
                self.error("BSL207", f"`softmax` has no option `{k.name}`", k.span,
                           did_you_mean(k.name, ["weights", "rounding"]))
        if "weights" not in kw:
            self.error("BSL327", "`softmax` needs `weights = ...`, one per feature column", m.span)
            return
        width_reported = False
        for c in cycles:
            w = self.vector_value(kw["weights"].value, c, var)
            if w is None:
                return
            if t is not None and len(w) != t.width and not width_reported:
                self.error("BSL328", f"{len(w)} weight{'s' if len(w) != 1 else ''} for {t.width} feature "
                           f"column{'s' if t.width != 1 else ''} (cycle {c})",
                           kw["weights"].value.span, f"give exactly {t.width} weights")
                width_reported = True
