"""Lowering: a checked AST becomes an IR Program — defaults filled in, names resolved, cycles unrolled."""
from __future__ import annotations

import csv
import math
from pathlib import Path

from bsl.diagnostics import BslError, Diagnostic
from bsl.ir import nodes as ir
from bsl.semantics import builtins as B
from bsl.semantics.checker import CheckedModule
from bsl.syntax import ast

DEFAULT_SEED = 1
DEFAULT_REPLICATES = 10
COALESCENT_DEFAULTS = {"effective_size": 1000, "maf": 0.05, "random_mating": 1, "mutation_rate": 1e-8,
                       "sample_method": "random", "linked_length": 1.0, "genealogy": "independent"}


def lower(checked: CheckedModule) -> ir.Program:
    return _Lowerer(checked).run()


class _Lowerer:
    def __init__(self, checked: CheckedModule):
        self.c = checked
        self.defaults: dict[str, object] = {}
        self.trait_index = {name: i for i, name in enumerate(checked.traits)}

    def default(self, key: str, value):
        self.defaults[key] = value
        return value

    def run(self) -> ir.Program:
        m = self.c.module
        decl = lambda t: [d for d in m.decls if isinstance(d, t)]  # noqa: E731
        name = decl(ast.SchemeDecl)[0].name if decl(ast.SchemeDecl) else self.default("scheme", Path(self.c.source.path).stem)
        seed = decl(ast.SeedDecl)[0].value if decl(ast.SeedDecl) else self.default("seed", DEFAULT_SEED)
        reps = decl(ast.ReplicatesDecl)[0].value if decl(ast.ReplicatesDecl) else self.default("replicates", DEFAULT_REPLICATES)
        genome = self.genome(decl(ast.GenomeDecl)[0] if decl(ast.GenomeDecl) else None)
        founders = [self.founders(f) for f in decl(ast.FoundersDecl)]
        traits = [self.trait(t) for t in decl(ast.TraitDecl)]
        ops = self.cycles(founders)
        num_cycles = self.c.repeat.stop if self.c.repeat else 0
        metrics = self.report(decl(ast.ReportDecl)[0] if decl(ast.ReportDecl) else None)
        objectives = [ir.Objective(o.name, self.objective(o.expr, num_cycles), _fmt(o.expr))
                      for o in decl(ast.ObjectiveDecl)]
        params = [self.param(p) for p in decl(ast.ParamDecl)]
        optimize = self.optimize(decl(ast.OptimizeDecl)[0]) if decl(ast.OptimizeDecl) else None
        models = [self.model(d) for d in decl(ast.ModelDecl)]
        return ir.Program(name, seed, reps, genome, founders, traits, dict(self.c.constants), ops, metrics,
                          objectives, num_cycles, self.defaults, self.c.source.text, self.c.source.path,
                          params, optimize, models)

    def model(self, d: ast.ModelDecl) -> ir.ModelSpec:
        s = self.settings(d.settings)
        path = self.path(s["path"].value.value if "path" in s else  # type: ignore[union-attr]
                         self.default(f"model.{d.name}.path", f"models/{d.name}"))
        epochs = int(self.num(s["epochs"].value)) if "epochs" in s else None
        seconds = float(self.num(s["max_seconds"].value)) if "max_seconds" in s else None
        if epochs is None and seconds is None:
            seconds = self.default(f"model.{d.name}.max_seconds", 240.0)
        holdout = float(self.num(s["holdout"].value)) if "holdout" in s else self.default(f"model.{d.name}.holdout", 0.25)
        seed = int(self.num(s["seed"].value)) if "seed" in s else None
        info = self.c.model_info.get(d.name)
        phenotypes = self.path(info.phenotypes) if info is not None and info.phenotypes is not None else None
        return ir.ModelSpec(d.name, d.family, s["data"].value.id, path, epochs, seconds, holdout, seed,  # type: ignore[union-attr]
                            d.span, phenotypes, info.trait if info else None,
                            tuple(info.covariates) if info else (), info.condition if info else None,
                            float(self.num(s["pca_variance"].value)) if "pca_variance" in s else None)

    def environment(self, model: str, name: str | None) -> tuple[float, ...]:
        """Covariate values of environment `name`, in the order of the model's covariates."""
        if name is None:
            return ()
        values = self.c.environments[name]
        return tuple(float(values[c]) for c in self.c.model_info[model].covariates)

    def param(self, p: ast.ParamDecl) -> ir.ParamSpec:
        labels = p.value.items if isinstance(p.value, ast.Vector) else [p.value]
        lo, hi = self.num(p.lower), self.num(p.upper)
        start = self.num(p.start) if p.start is not None else self.default(f"param.{p.name}.start", (lo + hi) / 2)
        rows = p.shape_stop if p.shape_var is not None else 0
        return ir.ParamSpec(p.name, rows or 0, tuple(x.id for x in labels), lo, hi, start)  # type: ignore[union-attr]

    def optimize(self, o: ast.OptimizeDecl) -> ir.OptimizeSpec:
        s = self.settings(o.settings)
        maximize = "maximize" in s
        objective = (s["maximize"] if maximize else s["minimize"]).value.id  # type: ignore[union-attr]
        defaults = {"evaluations": 1000, "replicates_per_evaluation": 50, "final_replicates": 1000}
        values = {k: int(self.num(s[k].value)) if k in s else self.default(f"optimize.{k}", v)
                  for k, v in defaults.items()}
        options = tuple(sorted((k, x.value.id if isinstance(x.value, ast.Name) else self.num(x.value))
                               for k, x in s.items() if k not in defaults and k not in ("maximize", "minimize")))
        return ir.OptimizeSpec(o.param, o.method, objective, maximize, values["evaluations"],
                               values["replicates_per_evaluation"], values["final_replicates"], options)

    # ---- declarations ------------------------------------------------------------------
    def settings(self, settings: list[ast.Setting]) -> dict[str, ast.Setting]:
        return {s.key: s for s in settings}

    def num(self, e: ast.Expr) -> float:
        v = _const(e, self.c.constants)
        assert isinstance(v, float), e
        return v

    def path(self, p: str) -> str:
        q = Path(p)
        return str(q if q.is_absolute() else (self.c.base_dir / q))

    def morgans(self, v: ast.Expr) -> float:
        """A `length` setting in Morgans (`1 M`, `100 cM`, or a bare number of Morgans)."""
        return (v.value / 100 if v.unit == "cM" else v.value) if isinstance(v, ast.Quantity) else self.num(v)

    def genome(self, g: ast.GenomeDecl | None) -> ir.GenomeSpec | None:
        if g is None:
            return None
        s = self.settings(g.settings)
        if "map" in s:
            map_function = s["map"].value.id  # type: ignore[union-attr]
        else:
            map_function = self.default("genome.map", "haldane")
        if "length" in s:
            length = self.morgans(s["length"].value)
        else:
            length = self.default("genome.length_morgans", 1.0)
        chrom = int(self.num(s["chromosomes"].value)) if "chromosomes" in s else None
        loci = int(self.num(s["loci_per_chromosome"].value)) if "loci_per_chromosome" in s else None
        return ir.GenomeSpec(chrom, loci, float(length), map_function)

    def founders(self, f: ast.FoundersDecl) -> ir.FounderSpec:
        if f.source == "model":
            model = next(d for d in self.c.module.decls if isinstance(d, ast.ModelDecl) and d.name == f.model)
            path = self.model(model).path
            s = self.settings(f.settings)
            return ir.FounderSpec(f.name, "model", (), path, None, f.span, f.model, int(self.num(s["sample"].value)),
                                  float(self.num(s["given"].value)) if "given" in s else None)
        if f.source == "file":
            return ir.FounderSpec(f.name, "file", (), self.path(f.path), self.path(f.map_path) if f.map_path else None,
                                  f.span)
        s = self.settings(f.settings)
        kw: dict[str, object] = {}
        for key in ("effective_size", "pool", "random_mating", "mutation_rate", "maf"):
            if key in s:
                v = self.num(s[key].value)
                kw[key] = int(v) if key in ("effective_size", "pool", "random_mating") else v
            elif key != "pool":
                kw[key] = self.default(f"founders.{f.name}.{key}", COALESCENT_DEFAULTS[key])
        if "sample" in s:
            kw["sample"] = int(self.num(s["sample"].value))
            kw["sample_method"] = s["sample"].by or self.default(f"founders.{f.name}.sample_method", "random")
        if "seed" in s:
            kw["seed"] = int(self.num(s["seed"].value))
        kw["linked_length"] = (self.morgans(s["linked_length"].value) if "linked_length" in s else
                               self.default(f"founders.{f.name}.linked_length_morgans", COALESCENT_DEFAULTS["linked_length"]))
        kw["genealogy"] = (s["genealogy"].value.id if "genealogy" in s  # type: ignore[union-attr]
                           else self.default(f"founders.{f.name}.genealogy", COALESCENT_DEFAULTS["genealogy"]))
        if "sites" in s:
            kw["sites"] = int(self.num(s["sites"].value))
        if "haplotypes" in s:
            kw["haplotypes"] = s["haplotypes"].value.id  # type: ignore[union-attr]
        if "pool" not in kw:
            kw["pool"] = self.default(f"founders.{f.name}.pool", max(2 * int(kw.get("sample", 50)), 100))
        return ir.FounderSpec(f.name, "coalescent", tuple(sorted(kw.items())), span=f.span)

    def trait(self, t: ast.TraitDecl) -> ir.TraitSpec:
        s = self.settings(t.settings)
        if "model" in s:
            model = s["model"].value.id  # type: ignore[union-attr]
            used = sorted(self.c.model_environments.get(model, set()), key=str)
            env = self.environment(model, used[0]) if len(used) == 1 else ()
            return ir.TraitSpec(t.name, effects=ir.Distribution("constant", (0.0,)), span=t.span, model=model,
                                report_environment=env)
        q = s["qtl"]
        count = per = path = None
        if isinstance(q.value, ast.String):
            path = self.path(q.value.value)
        elif q.per:
            per = int(self.num(q.value))
        else:
            count = int(self.num(q.value))
        if "effects" in s:
            effects = self.dist(s["effects"].value)
        else:
            effects = self.default(f"trait.{t.name}.effects", ir.Distribution("normal", (0.0, 1.0)))
        dominance = self.dist(s["dominance"].value) if "dominance" in s else None
        h2 = self.num(s["heritability"].value) if "heritability" in s else None
        ve = self.num(s["error_variance"].value) if "error_variance" in s else None
        if h2 is None and ve is None:
            h2 = self.default(f"trait.{t.name}.heritability", 1.0)
        return ir.TraitSpec(t.name, count, per, path, effects, dominance, h2, ve, t.span)

    def dist(self, e: ast.Expr) -> ir.Distribution:
        assert isinstance(e, ast.Call)
        params = tuple(self.num(a) for a in e.args)
        if e.func == "gamma" and len(params) == 1:
            params = params + (1.0,)
        return ir.Distribution(e.func, params)

    # ---- features -----------------------------------------------------------------------
    def feature(self, e: ast.Expr) -> ir.Feature:
        if isinstance(e, ast.Number):
            return ir.Scalar(e.value)
        if isinstance(e, ast.Neg):
            return ir.Arith("*", ir.Scalar(-1.0), self.feature(e.operand))
        if isinstance(e, ast.Name):
            if e.id in self.c.features:
                return self.feature(self.c.features[e.id])
            if e.id in self.c.constants:
                return ir.Scalar(float(self.c.constants[e.id]))  # type: ignore[arg-type]
            return self.trait_feature(e.id, 0)
        if isinstance(e, ast.Call):
            if e.func in B.TRAIT_FEATURES:
                trait = self.trait_index[e.args[0].id] if e.args else 0  # type: ignore[union-attr]
                return self.trait_feature(e.func, trait)
            if e.func == "z":
                return ir.ZScore(self.feature(e.args[0]))
            if e.func == "mean_parent":
                return ir.MeanParent(tuple(self.feature(a) for a in e.args))
            if e.func == "r":
                file, function = (a.value for a in e.args)  # type: ignore[union-attr]
                return ir.RFunction(self.path(file), function, e.span)
        if isinstance(e, ast.BinOp):
            return ir.Arith(e.op, self.feature(e.left), self.feature(e.right))
        if isinstance(e, ast.Concat):
            return ir.ConcatFeature(tuple(self.feature(x) for x in e.items))
        raise AssertionError(e)

    @staticmethod
    def trait_feature(kind: str, trait: int) -> ir.Feature:
        if kind == "progeny_variance":
            return ir.ProgenyVariance(trait)
        return ir.TraitValue(kind, trait)

    # ---- the cycle ----------------------------------------------------------------------
    def cycles(self, founders: list[ir.FounderSpec]) -> list[ir.Op]:
        ops: list[ir.Op] = [ir.FoundersOp(f.name, f.name, f.span) for f in founders]
        current = founders[0].name
        ops.append(ir.RecordOp(_starting_population(self.c.repeat, founders), 0))
        r = self.c.repeat
        if r is None:
            return ops
        criteria: dict[str, ir.Feature] = {}  # population name -> the criterion that selected it
        pair_parents: dict[str, str] = {}
        for cycle in range(r.start, r.stop + 1):
            for step in r.steps:
                current = self.step(step, cycle, r.var, current, ops, criteria, pair_parents)
            ops.append(ir.RecordOp(current, cycle))
        return ops

    def value(self, e: ast.Expr, cycle: int, var: str):
        if isinstance(e, ast.Name) and e.id == var:
            return float(cycle)
        if isinstance(e, ast.Index):
            idx = int(self.value(e.index, cycle, var))
            return self.c.constants[e.target][idx - 1]  # type: ignore[index]
        if isinstance(e, ast.Quantity) and e.unit == "%":
            return ("%", e.value)
        if isinstance(e, ast.BinOp):
            a, b = self.value(e.left, cycle, var), self.value(e.right, cycle, var)
            return {"+": a + b, "-": a - b, "*": a * b, "/": a / b}[e.op]
        if isinstance(e, ast.Vector):
            return [self.value(x, cycle, var) for x in e.items]
        return _const(e, self.c.constants)

    def weights(self, e: ast.Expr, cycle: int, var: str):
        # h[cycle] stays a reference to the constant so `--set` and the optimizer can change it.
        if isinstance(e, ast.Index) and isinstance(self.value(e.index, cycle, var), float):
            return ir.ConstRef(e.target, (int(self.value(e.index, cycle, var)) - 1,))
        if isinstance(e, ast.Name) and e.id in self.c.constants:
            return ir.ConstRef(e.id, ())
        v = self.value(e, cycle, var)
        return tuple(v) if isinstance(v, list) else (v,)

    def step(self, step, cycle, var, current, ops, criteria, pair_parents) -> str:
        if isinstance(step, ast.PhenotypeStep):
            env = next((a for t, a, _ in step.given if t == "environment"), None)
            ops.append(ir.PhenotypeOp(step.population, cycle, step.span, step.model,
                                      self.environment(step.model, env) if step.model else ()))
            return current
        if isinstance(step, ast.SelectStep):
            source = step.source or current
            count = self.value(step.count, cycle, var)
            fraction = count[1] / 100 if isinstance(count, tuple) else None
            criterion = self.feature(step.criterion)
            criteria[step.name] = criterion
            ops.append(ir.SelectOp(step.name, source, None if fraction else int(count), fraction, criterion,
                                   step.within_family, cycle, step.span))
            return current
        if isinstance(step, ast.MateStep):
            if step.plan_path is not None:
                plan = _read_plan(self.path(step.plan_path), step)
                parents = (step.over or current,)
                ops.append(ir.MateOp(step.name, "plan", parents, plan=plan, cycle=cycle, span=step.span))
            else:
                d = step.design
                assert isinstance(d, ast.Call)
                kw = {k.name: k.value for k in d.kwargs}
                if d.func == "random":
                    parents = (step.over or current,)
                    ops.append(ir.MateOp(step.name, "random", parents, False, int(self.value(d.args[0], cycle, var)),
                                         cycle=cycle, span=step.span))
                else:
                    parents = tuple(a.id for a in d.args)  # type: ignore[union-attr]
                    selfing = bool(kw.get("selfing") and kw["selfing"].id == "true")  # type: ignore[union-attr]
                    if d.func == "diallel" and "selfing" not in kw:
                        self.default(f"mate.{step.name}.selfing", False)
                    ops.append(ir.MateOp(step.name, d.func, parents, selfing, cycle=cycle, span=step.span))
            pair_parents[step.name] = parents[0]
            return current
        if isinstance(step, ast.AllocateStep):
            total = int(self.value(step.total, cycle, var))
            m = step.method
            name = m.func if isinstance(m, ast.Call) else m.id  # type: ignore[union-attr]
            parents = pair_parents.get(step.pairs)
            if name == "equal":
                kw = {k.name: k.value for k in m.kwargs} if isinstance(m, ast.Call) else {}
                if "rank" in kw:
                    rank = self.feature(kw["rank"])
                elif parents in criteria:
                    rank = criteria[parents]
                    self.default(f"allocate.{step.pairs}.rank", "mean_parent of the selection criterion of "
                                 f"`{parents}`")
                else:
                    rank = ir.TraitValue("breeding_value", 0)
                    self.default(f"allocate.{step.pairs}.rank", f"mean_parent(breeding_value({self.c.traits[0]}))")
                if not ir.is_pair_feature(rank):
                    rank = ir.MeanParent((rank,))
                ops.append(ir.AllocateOp(step.pairs, total, "equal", rank=rank, cycle=cycle, span=step.span))
            elif name == "fixed":
                n = int(self.value(m.args[0], cycle, var))  # type: ignore[union-attr]
                ops.append(ir.AllocateOp(step.pairs, total, "fixed", per_pair=n, cycle=cycle, span=step.span))
            else:
                feats = self.feature(m.args[0])  # type: ignore[union-attr]
                if not ir.is_pair_feature(feats):
                    feats = ir.MeanParent((feats,))
                kw = {k.name: k.value for k in m.kwargs}  # type: ignore[union-attr]
                rounding = (kw["rounding"].id if "rounding" in kw  # type: ignore[attr-defined]
                            else self.default(f"allocate.{step.pairs}.rounding", "round"))
                ops.append(ir.AllocateOp(step.pairs, total, "softmax", features=feats,
                                         weights=self.weights(kw["weights"], cycle, var), rounding=rounding,
                                         cycle=cycle, span=step.span))
            return current
        if isinstance(step, ast.CrossStep):
            out = step.name or f"{step.kind}_{cycle}"
            times = int(self.value(step.times, cycle, var)) if step.times is not None else 1
            ops.append(ir.GenerationOp(step.kind, step.source, out, times, step.source in pair_parents,
                                       cycle, step.span))
            return out
        raise AssertionError(step)

    # ---- reports and objectives -------------------------------------------------------------
    def report(self, r: ast.ReportDecl | None) -> list[ir.Metric]:
        if r is None:
            exprs = [ast.Call("mean", [ast.Name("gv")], []), ast.Call("var", [ast.Name("gv")], [])]
            self.default("report", "mean(gv), var(gv)")
        else:
            exprs = r.metrics
        out: list[ir.Metric] = []
        for e in exprs:
            label = _fmt(e)
            for trait, summary in self.summaries(e):
                out.append(ir.Metric(label, trait, summary))
        return out

    def summaries(self, e: ast.Expr) -> list[tuple[str, ir.Summary]]:
        """One (trait name, Summary) per trait a report expression covers."""
        if isinstance(e, ast.Name):
            return [("", ir.Summary(e.id, loci="all"))]
        assert isinstance(e, ast.Call)
        f = e.func
        if f in ("inbreeding", "heterozygosity", "allele_freq"):
            loci = e.args[0].id if e.args else ("qtl" if f == "allele_freq" else "all")  # type: ignore[union-attr]
            return [("", ir.Summary(f, loci=loci))]
        if f == "genic_var":
            traits = self._traits_named(e.args[0] if e.args else None)
            return [(self.c.traits[t], ir.Summary(f, trait=t)) for t in traits
                    if self.c.traits[t] not in self.c.model_traits]
        args = list(e.args)
        k = 0
        if f == "top":
            k = int(_const(args[0], self.c.constants))
            args = args[1:] or [ast.Name("gv")]
        x = args[0]
        bare = (isinstance(x, ast.Name) and x.id in B.TRAIT_FEATURES) or \
            (isinstance(x, ast.Call) and x.func in B.TRAIT_FEATURES and not x.args)
        if bare:
            kind = x.id if isinstance(x, ast.Name) else x.func
            return [(self.c.traits[t], ir.Summary(f, self.trait_feature(kind, t), k, t))
                    for t in range(len(self.c.traits))
                    if kind == "phenotype" or self.c.traits[t] not in self.c.model_traits]  # no gv: skipped
        feat = self.feature(x)
        traits = _traits_of(feat)
        trait_name = self.c.traits[traits[0]] if len(traits) == 1 else ""
        return [(trait_name, ir.Summary(f, feat, k, traits[0] if len(traits) == 1 else None))]

    def _traits_named(self, a: ast.Expr | None) -> list[int]:
        if a is None or (isinstance(a, ast.Name) and a.id == "gv"):
            return list(range(len(self.c.traits)))
        if isinstance(a, ast.Call):
            return self._traits_named(a.args[0] if a.args else None)
        return [self.trait_index[a.id]]  # type: ignore[union-attr]

    def objective(self, e: ast.Expr, cycle: int) -> ir.ObjExpr:
        if isinstance(e, ast.Number):
            return ir.ObjNumber(e.value)
        if isinstance(e, ast.Neg):
            return ir.ObjArith("*", ir.ObjNumber(-1.0), self.objective(e.operand, cycle))
        if isinstance(e, ast.BinOp):
            return ir.ObjArith(e.op, self.objective(e.left, cycle), self.objective(e.right, cycle))
        if isinstance(e, ast.At):
            return self.objective(e.expr, int(_const(e.cycle, self.c.constants)))
        ((_, summary),) = self.summaries(e)
        return ir.ObjSummary(summary, cycle)


def _starting_population(r: ast.RepeatDecl | None, founders: list[ir.FounderSpec]) -> str:
    """The founders set cycle 0 reports: the first one the cycle reads (e.g. `synth` in
    `founders synth from model g` after the training panel), else the first declared."""
    names = {f.name for f in founders}
    for step in r.steps if r is not None else ():
        if isinstance(step, ast.PhenotypeStep):
            read = step.population
        elif isinstance(step, ast.SelectStep):
            read = step.source or founders[0].name
        elif isinstance(step, ast.MateStep):
            read = step.over
        else:
            read = None
        if read in names:
            return read
    return founders[0].name


def _traits_of(f: ir.Feature) -> list[int]:
    if isinstance(f, (ir.TraitValue, ir.ProgenyVariance)):
        return [f.trait]
    kids: list[ir.Feature] = []
    if isinstance(f, ir.ZScore):
        kids = [f.x]
    elif isinstance(f, (ir.MeanParent, ir.ConcatFeature)):
        kids = list(f.xs)
    elif isinstance(f, ir.Arith):
        kids = [f.a, f.b]
    return sorted({t for k in kids for t in _traits_of(k)})


def _const(e: ast.Expr, constants: dict[str, object]):
    if isinstance(e, ast.Number):
        return e.value
    if isinstance(e, ast.Quantity):
        return e.value
    if isinstance(e, ast.Neg):
        return -_const(e.operand, constants)
    if isinstance(e, ast.Name):
        return constants[e.id]
    if isinstance(e, ast.Vector):
        return [_const(x, constants) for x in e.items]
    if isinstance(e, ast.BinOp):
        a, b = _const(e.left, constants), _const(e.right, constants)
        return {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else math.nan}[e.op]
    raise AssertionError(e)


def _fmt(e: ast.Expr) -> str:
    from bsl.syntax.formatter import format_expr
    return format_expr(e)


def _read_plan(path: str, step: ast.MateStep) -> tuple[tuple[int, int], ...]:
    """A mating plan CSV: columns mother, father — 1-based positions in the parent population."""
    rows: list[tuple[int, int]] = []
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or not {"mother", "father"} <= set(reader.fieldnames):
                raise BslError(Diagnostic("BSL502", "a mating plan needs columns `mother` and `father`",
                                          step.span, "1-based positions of the parents", path=None))
            for line, row in enumerate(reader, start=2):
                try:
                    m, f = int(row["mother"]), int(row["father"])
                except (TypeError, ValueError):
                    raise BslError(Diagnostic("BSL502", f"{path}:{line}: mother and father must be whole numbers",
                                              step.span)) from None
                if m < 1 or f < 1:
                    raise BslError(Diagnostic("BSL502", f"{path}:{line}: parent positions start at 1", step.span))
                rows.append((m - 1, f - 1))
    except OSError as err:
        raise BslError(Diagnostic("BSL501", f"cannot read mating plan {path}: {err.strerror}", step.span)) from None
    if not rows:
        raise BslError(Diagnostic("BSL502", f"mating plan {path} has no rows", step.span))
    return tuple(rows)
