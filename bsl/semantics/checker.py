"""The checker: names, types, values and scheme logic of a parsed scheme, every error reported at once.

`_Checker` holds the symbol tables and the order of the checks (`run`); the checks themselves are
mixins in sibling modules, one per concern: `values` (constants and values per cycle), `overrides`
(`--set`), `settings` (settings blocks and files), `declarations` (founders and traits), `features`,
`cycle` (`repeat` and its steps) and `objectives` (params, optimize, objectives, reports); the
generative parts are functions in `models`. The types handed on to lowering are in `types`.
"""
from __future__ import annotations

from pathlib import Path

from bsl.diagnostics import BslError, Diagnostic, did_you_mean
from bsl.source import SourceFile, Span
from bsl.syntax import ast
from bsl.semantics import builtins as B
from bsl.semantics import models as M
from bsl.semantics.cycle import CycleChecks
from bsl.semantics.declarations import DeclarationChecks
from bsl.semantics.features import FeatureChecks
from bsl.semantics.objectives import ObjectiveChecks
from bsl.semantics.overrides import OverrideChecks, parse_override
from bsl.semantics.settings import SettingChecks
from bsl.semantics.types import Binding, CheckedModule, FeatureType
from bsl.semantics.values import ValueChecks

__all__ = ["Binding", "CheckedModule", "FeatureType", "check", "parse_override"]


def check(module: ast.Module, source: SourceFile, overrides: dict[str, str] | None = None) -> CheckedModule:
    """Check a module; raise BslError with every diagnostic found, or return the symbol tables."""
    checker = _Checker(module, source, overrides or {})
    checked = checker.run()
    if checker.diags:
        order = sorted(checker.diags, key=lambda d: (d.span is not None, d.span.start if d.span else 0))
        raise BslError(order, source)
    return checked


class _Checker(ValueChecks, OverrideChecks, SettingChecks, DeclarationChecks, FeatureChecks, CycleChecks,
               ObjectiveChecks):
    """One check of one module: the symbol tables built so far and every diagnostic found."""

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

    def unknown_name(self, name: str, span: Span, candidates: list[str], what: str = "name") -> None:
        self.error("BSL201", f"unknown {what} `{name}`", span, did_you_mean(name, candidates))

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


# ---- small helpers ------------------------------------------------------------------------

def _keyword(d: ast.Decl) -> str:
    return type(d).__name__.replace("Decl", "").lower()
