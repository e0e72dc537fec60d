"""Checks and types of feature expressions: trait values, `z`, `mean_parent`, `r(...)` and arithmetic."""
from __future__ import annotations

import re

from bsl.diagnostics import did_you_mean
from bsl.source import Span
from bsl.syntax import ast
from bsl.semantics import builtins as B
from bsl.semantics.types import FeatureType, describe


class FeatureChecks:
    """`feature` declarations and the typing of feature expressions (a mixin of the checker)."""

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
                self.error("BSL316", f"cannot combine a {describe(a)} with a {describe(b)}", e.span,
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
                    self.error("BSL316", f"`mean_parent` averages individual values, not a {describe(t)}", a.span)
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


def uses(e: ast.Expr, func: str, features: dict[str, ast.Expr], depth: int = 0) -> bool:
    """Whether `e` calls or names `func`, looking inside the features it names."""
    if depth > 50:
        return False
    if isinstance(e, ast.Call):
        return e.func == func or any(uses(a, func, features, depth + 1) for a in e.args)
    if isinstance(e, ast.Name):
        return e.id == func or (e.id in features and uses(features[e.id], func, features, depth + 1))
    if isinstance(e, ast.BinOp):
        return uses(e.left, func, features, depth + 1) or uses(e.right, func, features, depth + 1)
    if isinstance(e, ast.Concat):
        return any(uses(x, func, features, depth + 1) for x in e.items)
    if isinstance(e, ast.Neg):
        return uses(e.operand, func, features, depth + 1)
    return False
