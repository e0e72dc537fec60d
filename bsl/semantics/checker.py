"""The checker: names, types, values and scheme logic of a parsed scheme, every error reported at once."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from bsl.diagnostics import BslError, Diagnostic, did_you_mean
from bsl.source import SourceFile, Span
from bsl.syntax import ast
from bsl.semantics import builtins as B
from bsl.semantics import models as M


@dataclass(frozen=True)
class FeatureType:
    level: str  # "ind" | "pair" | "scalar"
    width: int


@dataclass
class Binding:
    """What a name holds at a point of the cycle: a population or a set of mating pairs."""

    kind: str  # "population" | "pairs"
    size: int | None  # individuals or pairs; None when only known at run time
    phenotyped: bool = False
    allocated: bool = False


@dataclass
class CheckedModule:
    """A module that passed the checker, with the symbol tables lowering needs."""

    module: ast.Module
    source: SourceFile
    constants: dict[str, object]
    traits: list[str]
    features: dict[str, ast.Expr]
    feature_types: dict[str, FeatureType]
    founder_sizes: dict[str, int | None]
    repeat: ast.RepeatDecl | None
    base_dir: Path
    model_info: dict[str, M.ModelInfo] = field(default_factory=dict)
    environments: dict[str, dict[str, float]] = field(default_factory=dict)
    model_traits: dict[str, str] = field(default_factory=dict)  # trait -> the model making its phenotypes
    model_environments: dict[str, set] = field(default_factory=dict)  # model -> environments the cycle uses


def check(module: ast.Module, source: SourceFile, overrides: dict[str, str] | None = None) -> CheckedModule:
    """Check a module; raise BslError with every diagnostic found, or return the symbol tables."""
    checker = _Checker(module, source, overrides or {})
    checked = checker.run()
    if checker.diags:
        order = sorted(checker.diags, key=lambda d: (d.span is not None, d.span.start if d.span else 0))
        raise BslError(order, source)
    return checked


def parse_override(text: str) -> tuple[str, str]:
    """Split a `--set name=value` argument."""
    if "=" not in text:
        raise ValueError(f"--set expects name=value, got `{text}`")
    name, value = text.split("=", 1)
    return name.strip(), value.strip()


class _Checker:
    def __init__(self, module: ast.Module, source: SourceFile, overrides: dict[str, str]):
        self.module = module
        self.source = source
        self.overrides = overrides
        self.diags: list[Diagnostic] = []
        self.constants: dict[str, object] = {}
        self.const_spans: dict[str, Span] = {}
        self.traits: list[str] = []
        self.features: dict[str, ast.Expr] = {}
        self.feature_types: dict[str, FeatureType] = {}
        self.bad_features: set[str] = set()  # declared but wrong: already reported, not again at each use
        self.founder_sizes: dict[str, int | None] = {}
        self.repeat: ast.RepeatDecl | None = None
        self.base_dir = Path(source.path).resolve().parent if source.path not in ("", "<input>") else Path.cwd()
        self.model_info: dict[str, M.ModelInfo] = {}
        self.environments: dict[str, dict[str, float]] = {}
        self.model_traits: dict[str, str] = {}
        self.model_environments: dict[str, set] = {}

    def error(self, code: str, message: str, span: Span | None, hint: str | None = None) -> None:
        self.diags.append(Diagnostic(code, message, span, hint))

    # ---- driver ------------------------------------------------------------------------
    def run(self) -> CheckedModule:
        decls = self.module.decls
        singles: dict[type, ast.Decl] = {}
        for d in decls:
            if isinstance(d, (ast.SchemeDecl, ast.SeedDecl, ast.ReplicatesDecl, ast.GenomeDecl,
                              ast.RepeatDecl, ast.ReportDecl)):
                if type(d) in singles:
                    self.error("BSL401", f"a scheme has at most one `{_keyword(d)}` declaration", d.span,
                               "merge the two declarations into one")
                singles[type(d)] = d
        for d in decls:
            if isinstance(d, ast.ConstDecl):
                self.check_const(d)
            elif isinstance(d, ast.ParamDecl):
                self.check_param(d)
        self.apply_overrides()
        genome = singles.get(ast.GenomeDecl)
        if genome is not None:
            self.check_settings(genome.settings, B.GENOME_SETTINGS, "genome")
        founders = [d for d in decls if isinstance(d, ast.FoundersDecl)]
        if not founders:
            self.error("BSL402", "the scheme declares no founders", Span(0, 0, 1, 1),
                       'add e.g. `founders base from coalescent { effective_size 1000  pool 200 }`')
        self.models = {d.name: d for d in decls if isinstance(d, ast.ModelDecl)}
        for f in founders:
            self.check_founders(f, genome)
        seen_models: set[str] = set()
        for d in decls:
            if isinstance(d, ast.ModelDecl):
                if d.name in seen_models:
                    self.error("BSL202", f"model `{d.name}` is declared twice", d.span)
                seen_models.add(d.name)
                self.model_info[d.name] = M.check_model(self, d, founders)
        for f in founders:
            if f.source == "model":
                M.check_model_founders(self, f)
        for d in decls:
            if isinstance(d, ast.EnvironmentDecl):
                M.check_environment(self, d)
        for d in decls:
            if isinstance(d, ast.SeedDecl) and d.value < 0:
                self.error("BSL301", "seed must be a non-negative whole number", d.span)
            if isinstance(d, ast.ReplicatesDecl) and d.value < 1:
                self.error("BSL301", "replicates must be at least 1", d.span)
            if isinstance(d, ast.TraitDecl):
                self.check_trait(d)
        M.check_trial_columns(self)
        if not any(isinstance(d, ast.TraitDecl) for d in decls):
            self.error("BSL403", "the scheme declares no trait", Span(0, 0, 1, 1),
                       "add e.g. `trait yield { qtl 100  effects normal(0, 1)  heritability 0.5 }`")
        for d in decls:
            if isinstance(d, ast.FeatureDecl):
                self.check_feature_decl(d)
        self.repeat = singles.get(ast.RepeatDecl)  # type: ignore[assignment]
        if self.repeat is not None:
            self.check_repeat(self.repeat, founders)
        num_cycles = self.repeat.stop if self.repeat else 0
        objectives = []
        for d in decls:
            if isinstance(d, ast.ObjectiveDecl):
                if d.name in objectives:
                    self.error("BSL202", f"objective `{d.name}` is declared twice", d.name_span)
                objectives.append(d.name)
                self.check_objective(d, num_cycles)
            elif isinstance(d, ast.ReportDecl):
                for m in d.metrics:
                    self.check_summary(m, allow_vector=True, allow_multi_trait=True)
        optimizes = [d for d in decls if isinstance(d, ast.OptimizeDecl)]
        for d in optimizes[1:]:
            self.error("BSL401", "a scheme has at most one `optimize` block", d.span)
        for d in optimizes[:1]:
            self.check_optimize(d, objectives)
        return CheckedModule(self.module, self.source, self.constants, self.traits, self.features,
                             self.feature_types, self.founder_sizes, self.repeat, self.base_dir, self.model_info,
                             self.environments, self.model_traits, self.model_environments)

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

    def apply_overrides(self) -> None:
        for name, text in self.overrides.items():
            if name not in self.constants:
                self.diags.append(Diagnostic(
                    "BSL203", f"--set names `{name}`, which is not a constant of this scheme", None,
                    did_you_mean(name, self.constants) or
                    f"constants you can set: {', '.join(sorted(self.constants)) or 'none (declare one with `const`)'}",
                    path="<command line>"))
                continue
            value = _parse_override_value(text)
            if value is None:
                self.diags.append(Diagnostic("BSL305", f"--set {name}={text}: not a number, vector or matrix", None,
                                             "write e.g. --set n=20 or --set h=[1,0.5,2]", path="<command line>"))
                continue
            old = self.constants[name]
            if _shape(old) != _shape(value):
                self.diags.append(Diagnostic(
                    "BSL306", f"--set {name}: shape {_shape_text(value)} does not match the declared "
                    f"{_shape_text(old)}", None, "give a value of the same shape as the `const` declaration",
                    path="<command line>"))
                continue
            self.constants[name] = value

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
            self.error("BSL344", f"the domain [{_fmt_num(lo)}, {_fmt_num(hi)}] of `{d.name}` is empty", d.lower.span,
                       "the lower bound must be below the upper bound")
            return
        start = (lo + hi) / 2 if d.start is None else self.number_value(d.start)
        if start is None:
            self.error("BSL307", "`start` must be a number", d.start.span)
            return
        if not lo <= start <= hi:
            self.error("BSL345", f"start {_fmt_num(start)} lies outside the domain [{_fmt_num(lo)}, {_fmt_num(hi)}]",
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
                self.error("BSL308", f"`{s.key}` must be a whole number, not {_fmt_num(num)}", span)
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
                self.error("BSL310", f"`{s.key}` cannot be `{got}`",
                           span, did_you_mean(got, rule.choices) if isinstance(v, ast.Name) else
                           f"choose one of: {', '.join(rule.choices)}")
        elif kind == "call":
            self.check_distribution(s.key, v, rule.choices)

    def check_range(self, key: str, num: float, rule: B.SettingRule, span: Span) -> None:
        if rule.minimum is not None and num < rule.minimum:
            self.error("BSL311", f"`{key}` must be at least {_fmt_num(rule.minimum)}, got {_fmt_num(num)}", span)
        if rule.maximum is not None and num > rule.maximum:
            self.error("BSL311", f"`{key}` must be at most {_fmt_num(rule.maximum)}, got {_fmt_num(num)}", span)

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

    def number_value(self, e: ast.Expr) -> float | None:
        if isinstance(e, (ast.Number, ast.Neg, ast.BinOp, ast.Name)):
            if isinstance(e, ast.Name) and e.id not in self.constants:
                return None
            v = _quiet_const(self, e)
            return v if isinstance(v, float) else None
        return None

    def resolve(self, path: str) -> Path:
        """A path of the scheme, relative to the scheme file's folder."""
        p = Path(path)
        return p if p.is_absolute() else self.base_dir / p

    def check_file(self, path: str, span: Span, what: str) -> None:
        full = self.resolve(path)
        if not full.is_file():
            self.error("BSL501", f"{what} `{path}` does not exist", span,
                       "paths are relative to the folder of the scheme file")

    # ---- founders and traits -----------------------------------------------------------
    def check_founders(self, f: ast.FoundersDecl, genome: ast.GenomeDecl | None) -> None:
        if f.name in self.founder_sizes:
            self.error("BSL202", f"founders `{f.name}` are declared twice", f.name_span)
        if f.source == "model":
            self.check_settings(f.settings, B.MODEL_FOUNDER_SETTINGS, "founders")
            if f.model not in self.models:
                self.error("BSL208", f"unknown model `{f.model}`", f.span,
                           did_you_mean(f.model or "", list(self.models)) or
                           "declare it: `model g = diffusion { data base }`")
            sample = next((s for s in f.settings if s.key == "sample"), None)
            if sample is None:
                self.error("BSL405", "founders from a model need `sample N`", f.span,
                           f"write `founders {f.name} from model {f.model} {{ sample 200 }}`")
                self.founder_sizes[f.name] = None
            else:
                n = self.number_value(sample.value)
                self.founder_sizes[f.name] = int(n) if n else None
            return
        if f.source == "coalescent":
            self.check_settings(f.settings, B.COALESCENT_SETTINGS, "coalescent")
            if genome is None:
                self.error("BSL405", "coalescent founders need a `genome { ... }` block", f.span,
                           "add e.g. `genome { chromosomes 10  loci_per_chromosome 500  length 1 M }`")
            else:
                keys = {s.key for s in genome.settings}
                for need in ("chromosomes", "loci_per_chromosome"):
                    if need not in keys and "map" not in keys:
                        self.error("BSL405", f"the genome needs `{need}` for coalescent founders", genome.span)
            vals = {s.key: s for s in f.settings}
            pool = self.number_value(vals["pool"].value) if "pool" in vals else None
            sample = self.number_value(vals["sample"].value) if "sample" in vals else None
            if pool is None:
                pool = max(2 * sample, 100) if sample else 100
            if sample is not None and pool is not None and sample > pool:
                self.error("BSL406", f"cannot sample {int(sample)} founders from a pool of {int(pool)}",
                           vals["sample"].span, "raise `pool` or lower `sample`")
            self.founder_sizes[f.name] = int(sample) if sample else (int(pool) if pool else None)
        else:
            self.check_settings(f.settings, B.FILE_FOUNDER_SETTINGS, "founders")
            assert f.path is not None
            self.check_file(f.path, f.span, "founder file")
            suffix = "".join(Path(f.path).suffixes[-2:]).lower()
            if not (suffix.endswith(".vcf") or suffix.endswith(".vcf.gz")):
                if f.map_path is None:
                    self.error("BSL407", "a haplotype matrix needs a genetic map", f.span,
                               f'add `map "map.csv"` after "{f.path}" (columns chromosome, position)')
            if f.map_path is not None:
                self.check_file(f.map_path, f.span, "map file")
            self.founder_sizes[f.name] = None

    def check_trait(self, d: ast.TraitDecl) -> None:
        if d.name in self.traits:
            self.error("BSL202", f"trait `{d.name}` is declared twice", d.name_span)
            return
        self.traits.append(d.name)
        self.check_settings(d.settings, B.TRAIT_SETTINGS, "trait")
        keys = {s.key: s for s in d.settings}
        if "model" in keys:
            M.check_model_trait(self, d, keys)
            return
        if "qtl" not in keys:
            self.error("BSL408", f"trait `{d.name}` needs `qtl`", d.name_span,
                       "add e.g. `qtl 100` or `qtl 2 per chromosome` or `qtl \"qtl.csv\"`")
        elif isinstance(keys["qtl"].value, ast.String):
            self.check_file(keys["qtl"].value.value, keys["qtl"].value.span, "QTL file")
        if "heritability" in keys and "error_variance" in keys:
            self.error("BSL409", "give either `heritability` or `error_variance`, not both", keys["error_variance"].span)
        h2 = keys.get("heritability")
        if h2 is not None and self.number_value(h2.value) == 0:
            self.error("BSL311", "`heritability` must be above 0", h2.value.span,
                       "a trait with no genetic variance cannot be selected on")

    # ---- features ----------------------------------------------------------------------
    def check_feature_decl(self, d: ast.FeatureDecl) -> None:
        if d.name in self.features or d.name in self.constants or d.name in self.traits:
            self.error("BSL202", f"`{d.name}` is already declared", d.name_span)
            return
        t = self.feature_type(d.expr, cycle_values=None)
        if t is not None:
            self.features[d.name] = d.expr
            self.feature_types[d.name] = t
        else:
            self.bad_features.add(d.name)

    def feature_type(self, e: ast.Expr, cycle_values: list[int] | None, loop_var: str | None = None) -> FeatureType | None:
        """Type a feature expression; None (with a diagnostic) when it is wrong."""
        if isinstance(e, (ast.Number,)):
            return FeatureType("scalar", 1)
        if isinstance(e, ast.Neg):
            return self.feature_type(e.operand, cycle_values, loop_var)
        if isinstance(e, ast.Name):
            if e.id in self.feature_types:
                return self.feature_types[e.id]
            if e.id in self.bad_features:
                return None
            if e.id in self.constants and isinstance(self.constants[e.id], float):
                return FeatureType("scalar", 1)
            if e.id in B.TRAIT_FEATURES:
                if len(self.traits) == 1:
                    if not self.has_genetic_values(e.id, self.traits[0], e.span):
                        return None
                    return FeatureType(B.TRAIT_FEATURES[e.id], 1)
                self.error("BSL315", f"`{e.id}` needs a trait when the scheme has several", e.span,
                           f"write `{e.id}({self.traits[0] if self.traits else 'trait'})`")
                return None
            self.unknown_name(e.id, e.span, list(self.feature_types) + list(B.TRAIT_FEATURES))
            return None
        if isinstance(e, ast.Call):
            return self.feature_call(e, cycle_values, loop_var)
        if isinstance(e, ast.BinOp):
            a = self.feature_type(e.left, cycle_values, loop_var)
            b = self.feature_type(e.right, cycle_values, loop_var)
            if a is None or b is None:
                return None
            if a.level != "scalar" and b.level != "scalar" and (a.level != b.level or a.width != b.width):
                self.error("BSL316", f"cannot combine a {_ftype(a)} with a {_ftype(b)}", e.span,
                           "wrap individual values in `mean_parent(...)` to compare them with pair values")
                return None
            return a if a.level != "scalar" else b
        if isinstance(e, ast.Concat):
            types = [self.feature_type(x, cycle_values, loop_var) for x in e.items]
            if any(t is None for t in types):
                return None
            levels = {t.level for t in types}  # type: ignore[union-attr]
            if len(levels) != 1 or "scalar" in levels:
                self.error("BSL316", "`++` joins feature columns of the same kind (all per pair or all per individual)",
                           e.span, "wrap individual values in `mean_parent(...)`")
                return None
            return FeatureType(levels.pop(), sum(t.width for t in types))  # type: ignore[union-attr]
        self.error("BSL317", "this is not a feature expression", getattr(e, "span", None),
                   "features are built from gv, phenotype, breeding_value, weighted_breeding_value, "
                   "progeny_variance, z(...), mean_parent(...) and arithmetic")
        return None

    def has_genetic_values(self, func: str, trait: str, span: Span) -> bool:
        """Only phenotypes exist for a trait made by a phenotype model (BSL421 for the rest)."""
        model = self.model_traits.get(trait)
        if model is None or func == "phenotype":
            return True
        self.error("BSL421", f"trait `{trait}` takes its phenotypes from model `{model}`: it has no `{func}`", span,
                   f"use `phenotype({trait})`, or a trait with QTL for genetic values")
        return False

    def feature_call(self, e: ast.Call, cycle_values, loop_var) -> FeatureType | None:
        if e.func in B.TRAIT_FEATURES:
            if e.kwargs or len(e.args) > 1:
                self.error("BSL318", f"`{e.func}` takes one trait", e.span)
                return None
            if not e.args:
                if len(self.traits) == 1:
                    if not self.has_genetic_values(e.func, self.traits[0], e.span):
                        return None
                    return FeatureType(B.TRAIT_FEATURES[e.func], 1)
                self.error("BSL315", f"`{e.func}()` needs a trait", e.span)
                return None
            arg = e.args[0]
            if not isinstance(arg, ast.Name) or arg.id not in self.traits:
                name = arg.id if isinstance(arg, ast.Name) else "?"
                self.error("BSL205", f"unknown trait `{name}`", getattr(arg, "span", e.span),
                           did_you_mean(name, self.traits) or f"traits: {', '.join(self.traits) or 'none declared'}")
                return None
            if not self.has_genetic_values(e.func, arg.id, e.span):
                return None
            return FeatureType(B.TRAIT_FEATURES[e.func], 1)
        if e.func == "z":
            if len(e.args) != 1 or e.kwargs:
                self.error("BSL318", "`z` standardizes one feature: `z(BV)`", e.span)
                return None
            return self.feature_type(e.args[0], cycle_values, loop_var)
        if e.func == "mean_parent":
            if not e.args or e.kwargs:
                self.error("BSL318", "`mean_parent` takes one or more individual features", e.span)
                return None
            width = 0
            for a in e.args:
                t = self.feature_type(a, cycle_values, loop_var)
                if t is None:
                    return None
                if t.level != "ind":
                    self.error("BSL316", f"`mean_parent` averages individual values, not a {_ftype(t)}", a.span)
                    return None
                width += t.width
            return FeatureType("pair", width)
        if e.func == B.R_FEATURE:
            return self.r_feature(e)
        if e.func in B.ALL_FUNCTIONS:
            self.error("BSL319", f"`{e.func}` summarizes a population; it cannot be used as a feature", e.func_span,
                       "use it in `report` or `objective`")
            return None
        self.unknown_name(e.func, e.func_span, list(B.TRAIT_FEATURES) + list(B.FEATURE_COMBINATORS) + [B.R_FEATURE],
                          "function")
        return None

    def r_feature(self, e: ast.Call) -> FeatureType | None:
        """`r("file.R", "function")`: an R function of the genotypes, one value per individual."""
        if e.kwargs or len(e.args) != 2 or not all(isinstance(a, ast.String) for a in e.args):
            self.error("BSL318", "`r` takes an R file and the name of a function in it, both quoted", e.span,
                       'write `r("my_index.R", "my_index")`')
            return None
        file, function = (a.value for a in e.args)  # type: ignore[union-attr]
        if not re.fullmatch(r"[A-Za-z.][A-Za-z0-9._]*", function) or re.fullmatch(r"\.[0-9].*", function):
            self.error("BSL318", f"`{function}` is not an R function name", e.args[1].span,
                       "give the name the R file assigns the function to, e.g. `my_index <- function(geno, values) ...`")
            return None
        self.check_file(file, e.args[0].span, "R file")
        return FeatureType("ind", 1)

    def unknown_name(self, name: str, span: Span, candidates: list[str], what: str = "name") -> None:
        self.error("BSL201", f"unknown {what} `{name}`", span, did_you_mean(name, candidates))

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
                self.error("BSL321", f"selection needs one value per individual, got a {_ftype(t)}",
                           step.criterion.span)
            if t is not None and _uses(step.criterion, "phenotype", self.features) and b is not None and not b.phenotyped:
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
                total = _quiet_value(self, step.total, c, var)
                if per_pair is None:
                    break
                if b is not None and b.size is not None and isinstance(total, float) and total != per_pair * b.size:
                    self.error("BSL417", f"`fixed({per_pair})` over {b.size} pairs makes {per_pair * b.size} progeny, "
                               f"not {_fmt_num(total)}", step.total.span,
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
            if k.name != "weights":
                self.error("BSL207", f"`softmax` has no option `{k.name}`", k.span, did_you_mean(k.name, ["weights"]))
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
        return _quiet_const(self, e)

    def count_value(self, e: ast.Expr, cycle: int, var: str, of_size: int | None, what: str) -> int | None:
        v = self.value_at(e, cycle, var)
        if isinstance(v, tuple):  # a percentage
            if not 0 < v[1] <= 100:
                self.error("BSL332", f"a percentage of {what} must be in (0, 100], got {_fmt_num(v[1])}%", e.span)
                return None
            return max(1, int(math.floor(of_size * v[1] / 100 + 0.5))) if of_size else 1
        if not isinstance(v, float):
            if v is not None:
                self.error("BSL333", f"the number of {what} must be a number", e.span)
            return None
        if v != int(v) or v < 1:
            kind = "negative" if v < 0 else ("zero" if v == 0 else "not a whole number")
            self.error("BSL334", f"the number of {what} must be a positive whole number, got {_fmt_num(v)} ({kind})"
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
            c = _quiet_const(self, e.cycle)
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
                k = _quiet_const(self, args[0])
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
                self.error("BSL321", f"`{f}` needs one value per individual, got a {_ftype(t)}", x.span)
            elif t is not None and _uses(x, "phenotype", self.features):
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


# ---- small helpers ------------------------------------------------------------------------

def _keyword(d: ast.Decl) -> str:
    return type(d).__name__.replace("Decl", "").lower()


def _fmt_num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _ftype(t: FeatureType) -> str:
    what = {"ind": "value per individual", "pair": "value per mating pair", "scalar": "number"}[t.level]
    return what if t.width == 1 else f"{t.width}-column {what}"


def _shape(v: object) -> tuple:
    if isinstance(v, list):
        return (len(v),) + (_shape(v[0]) if v else ())
    return ()


def _shape_text(v: object) -> str:
    s = _shape(v)
    return "a number" if not s else "×".join(map(str, s))


def _quiet_const(checker: _Checker, e: ast.Expr) -> object | None:
    """Evaluate a constant expression without reporting (the caller reports in its own words)."""
    n = len(checker.diags)
    v = checker.const_value(e)
    del checker.diags[n:]
    return v


def _quiet_value(checker: _Checker, e: ast.Expr, cycle: int, var: str) -> object | None:
    n = len(checker.diags)
    v = checker.value_at(e, cycle, var)
    del checker.diags[n:]
    return v


def _parse_override_value(text: str) -> object | None:
    import json
    try:
        v = json.loads(text)
    except ValueError:
        return None

    def conv(x):
        if isinstance(x, bool):
            return None
        if isinstance(x, (int, float)):
            return float(x)
        if isinstance(x, list):
            items = [conv(i) for i in x]
            return None if any(i is None for i in items) else items
        return None
    return conv(v)


def _bare_trait_value(e: ast.Expr) -> bool:
    return (isinstance(e, ast.Name) and e.id in B.TRAIT_FEATURES) or \
        (isinstance(e, ast.Call) and e.func in B.TRAIT_FEATURES and not e.args)


def _bare_name(e: ast.Expr) -> str:
    return e.id if isinstance(e, ast.Name) else e.func  # type: ignore[union-attr]


def _uses(e: ast.Expr, func: str, features: dict[str, ast.Expr], depth: int = 0) -> bool:
    if depth > 50:
        return False
    if isinstance(e, ast.Call):
        return e.func == func or any(_uses(a, func, features, depth + 1) for a in e.args)
    if isinstance(e, ast.Name):
        return e.id == func or (e.id in features and _uses(features[e.id], func, features, depth + 1))
    if isinstance(e, ast.BinOp):
        return _uses(e.left, func, features, depth + 1) or _uses(e.right, func, features, depth + 1)
    if isinstance(e, ast.Concat):
        return any(_uses(x, func, features, depth + 1) for x in e.items)
    if isinstance(e, ast.Neg):
        return _uses(e.operand, func, features, depth + 1)
    return False
