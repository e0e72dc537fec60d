"""Checks of a scheme's generative parts: `model` blocks, `environment` blocks, traits whose
phenotypes come from a model, and `phenotype POP from model M given genotype, environment(E)`.

Two kinds of model share the `model` block:

* a genotype model, `model g = flow { data base }`, learns the founders' genotypes and samples
  new founders (`founders synth from model g { sample 200 }`);
* a phenotype model, `model p = flow { data base  phenotypes "trials.csv" }`, learns the trial
  records of those founders (a CSV with `individual`, the trait's column and one numeric column
  per environment covariate) and draws phenotypes of new individuals given their genotypes and an
  `environment` block's covariates. The trait it makes is declared `trait yield { model p }`.

The functions take the checker (`bsl.semantics.checker._Checker`) and report through it.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from bsl.diagnostics import did_you_mean
from bsl.semantics import builtins as B
from bsl.syntax import ast

#: Columns of a trial file that are not environment covariates.
TRIAL_ID_COLUMN = "individual"
TRIAL_LABEL_COLUMN = "environment"  # optional trial name, kept for the user's bookkeeping


@dataclass
class ModelInfo:
    """What the checker knows about a declared model."""

    decl: ast.ModelDecl
    phenotypes: str | None = None  # the trial file, for a phenotype model
    header: list[str] | None = None  # its columns (None when it could not be read)
    trait: str | None = None  # the trait it makes (`trait yield { model p }`)
    covariates: list[str] = field(default_factory=list)
    condition: str | None = None  # a genotype model conditioned on this column of the trial records

    @property
    def kind(self) -> str:
        return "phenotype" if self.phenotypes is not None and self.condition is None else "genotype"


def trial_header(path: Path) -> list[str]:
    """The column names of a trial CSV (first line); OSError or ValueError when unreadable."""
    with open(path, encoding="utf-8", newline="") as fh:
        row = next(csv.reader(fh), None)
    if not row:
        raise ValueError("the file is empty")
    return [c.strip() for c in row]


def check_model(ck, d: ast.ModelDecl, founders: list[ast.FoundersDecl]) -> ModelInfo:
    """`model g = family { data base ... }`: a generative model trained by `bsl train`."""
    info = ModelInfo(d)
    if d.family not in B.MODEL_FAMILIES:
        ck.error("BSL310", f"unknown model family `{d.family}`", d.span,
                 did_you_mean(d.family, B.MODEL_FAMILIES) or f"families: {', '.join(B.MODEL_FAMILIES)}")
    ck.check_settings(d.settings, B.MODEL_SETTINGS, "model")
    keys = {s.key: s for s in d.settings}
    trials = keys.get("phenotypes")
    if trials is not None and not isinstance(trials.value, ast.String):
        ck.error("BSL307", "`phenotypes` expects a file name in quotes", getattr(trials.value, "span", trials.span),
                 'write e.g. `phenotypes "trials.csv"`')
    elif trials is not None:
        info.phenotypes = trials.value.value
        full = ck.resolve(info.phenotypes)
        if not full.is_file():
            ck.check_file(info.phenotypes, trials.value.span, "trial file")
        else:
            try:
                info.header = trial_header(full)
            except (OSError, ValueError, UnicodeDecodeError) as exc:
                ck.error("BSL502", f"cannot read the trial file `{info.phenotypes}`: {exc}", trials.value.span,
                         f"a CSV whose first line names the columns: {TRIAL_ID_COLUMN}, the trait, covariates")
    if "pca_variance" in keys and d.family not in B.PCA_FAMILIES:
        ck.error("BSL422", f"the `{d.family}` family does not work in a PCA space", keys["pca_variance"].key_span,
                 f"`pca_variance` is for {', '.join(B.PCA_FAMILIES)}")
    condition = keys.get("condition")
    if condition is not None and isinstance(condition.value, ast.Name):
        info.condition = condition.value.id
        if d.family not in B.CONDITIONAL_FAMILIES:
            ck.error("BSL422", f"the `{d.family}` family cannot be conditioned", condition.key_span,
                     f"families that can: {', '.join(B.CONDITIONAL_FAMILIES)}")
        if trials is None:
            ck.error("BSL405", f"model `{d.name}` is conditioned on `{info.condition}` but has no trial records",
                     condition.key_span, f'add `phenotypes "trials.csv"` with a column `{info.condition}`')
    data = keys.get("data")
    if data is None:
        ck.error("BSL405", f"model `{d.name}` needs `data`: the founders it learns from", d.span,
                 "add e.g. `data base`, naming a `founders` declaration")
        return info
    if not isinstance(data.value, ast.Name):
        return info  # reported by check_settings
    source = next((f for f in founders if f.name == data.value.id), None)
    if source is None:
        ck.error("BSL206", f"unknown founders `{data.value.id}`", data.value.span,
                 did_you_mean(data.value.id, [f.name for f in founders]) or
                 f"known: {', '.join(f.name for f in founders) or 'none'}")
    elif source.source == "model":
        ck.error("BSL407", f"model `{d.name}` cannot learn from founders sampled from a model",
                 data.value.span, "train it on coalescent or file founders")
    return info


def check_environment(ck, d: ast.EnvironmentDecl) -> None:
    """`environment dry { rain -1.2  temperature 0.8 }`: covariate values, one number each."""
    if d.name in ck.environments:
        ck.error("BSL202", f"environment `{d.name}` is declared twice", d.span)
        return
    values: dict[str, float] = {}
    seen: set[str] = set()
    for s in d.settings:
        if s.key in seen:
            ck.error("BSL404", f"covariate `{s.key}` is given twice in environment `{d.name}`", s.key_span)
            continue
        seen.add(s.key)
        if s.comparator or s.by or s.per:
            ck.error("BSL305", f"covariate `{s.key}` takes one number", s.span, f"write `{s.key} 1.5`")
            continue
        num = ck.number_value(s.value)
        if num is None:
            ck.error("BSL307", f"covariate `{s.key}` expects a number", getattr(s.value, "span", s.span),
                     "environment covariates are numbers, on the scale of the trial file's columns")
            continue
        values[s.key] = num
    ck.environments[d.name] = values


def check_model_trait(ck, d: ast.TraitDecl, keys: dict[str, ast.Setting]) -> None:
    """`trait yield { model p }`: the trait's phenotypes come from phenotype model `p`."""
    setting = keys["model"]
    others = [k for k in keys if k != "model"]
    if others:
        ck.error("BSL416", f"trait `{d.name}` takes its phenotypes from a model, so it has no "
                 f"`{others[0]}`", keys[others[0]].key_span,
                 "a model trait has no QTL, effects or heritability: remove the setting, or declare a "
                 "second trait for the symbolic architecture")
    if not isinstance(setting.value, ast.Name):
        return  # reported by check_settings
    name = setting.value.id
    info = ck.model_info.get(name)
    if info is None:
        ck.error("BSL208", f"unknown model `{name}`", setting.value.span,
                 did_you_mean(name, list(ck.model_info)) or
                 'declare it: `model p = flow { data base  phenotypes "trials.csv" }`')
        return
    if info.kind != "phenotype":
        ck.error("BSL417", f"model `{name}` learns genotypes, not phenotypes", setting.value.span,
                 f'give it the trial records: `phenotypes "trials.csv"` in `model {name}`')
        return
    if info.trait is not None:
        ck.error("BSL417", f"model `{name}` already makes trait `{info.trait}`", setting.value.span,
                 "declare one phenotype model per trait")
        return
    info.trait = d.name
    ck.model_traits[d.name] = name


def check_trial_columns(ck) -> None:
    """Each phenotype model: a trait uses it, and its trial file has that trait's column."""
    for name, info in ck.model_info.items():
        if info.condition is not None and info.header is not None:
            missing = [c for c in (TRIAL_ID_COLUMN, info.condition) if c not in info.header]
            if missing:
                ck.error("BSL503", f"the trial file `{info.phenotypes}` of model `{name}` has no column "
                         f"`{missing[0]}`", info.decl.span, f"its columns: {', '.join(info.header)}")
        if info.kind != "phenotype":
            continue
        if info.trait is None:
            ck.error("BSL418", f"phenotype model `{name}` makes no trait", info.decl.span,
                     f"declare the trait it learns: `trait yield {{ model {name} }}` (the trial file's column)")
            continue
        if info.header is None:
            continue
        missing = [c for c in (TRIAL_ID_COLUMN, info.trait) if c not in info.header]
        if missing:
            ck.error("BSL503", f"the trial file `{info.phenotypes}` of model `{name}` has no column "
                     f"`{missing[0]}`", info.decl.span,
                     f"its columns: {', '.join(info.header)}; it needs `{TRIAL_ID_COLUMN}` (founder names), "
                     f"`{info.trait}` and one column per environment covariate")
            continue
        info.covariates = [c for c in info.header if c not in (TRIAL_ID_COLUMN, info.trait, TRIAL_LABEL_COLUMN)]


def check_phenotype_step(ck, step: ast.PhenotypeStep) -> None:
    """`phenotype POP from model p given genotype, environment(dry)`."""
    info = ck.model_info.get(step.model)
    if info is None:
        ck.error("BSL208", f"unknown model `{step.model}`", step.span,
                 did_you_mean(step.model or "", list(ck.model_info)) or
                 'declare it: `model p = flow { data base  phenotypes "trials.csv" }`')
        return
    if info.kind != "phenotype":
        ck.error("BSL417", f"model `{step.model}` learns genotypes; it cannot phenotype `{step.population}`",
                 step.span, f'give it trial records: `phenotypes "trials.csv"` in `model {step.model}`')
        return
    environment = None
    for term, arg, span in step.given:
        if term == "genotype" and arg is None:
            continue
        if term == "environment" and arg is not None:
            if environment is not None:
                ck.error("BSL419", "one environment per phenotype step", span,
                         "phenotype the population once per environment")
            environment = (arg, span)
            continue
        ck.error("BSL419", f"a phenotype model is given `genotype` and `environment(E)`, not `{term}`", span,
                 f"write `phenotype {step.population} from model {step.model} given genotype, environment(E)`")
        return
    if environment is None:
        if info.covariates:
            ck.error("BSL420", f"model `{step.model}` needs an environment: it learned from the covariates "
                     f"{', '.join(info.covariates)}", step.span,
                     f"declare `environment E {{ {'  '.join(c + ' 0' for c in info.covariates)} }}` and add "
                     f"`given genotype, environment(E)`")
        ck.model_environments.setdefault(step.model, set()).add(None)
        return
    name, span = environment
    # the step uses this environment even when it is wrong, so reports are not blamed for it as well
    ck.model_environments.setdefault(step.model, set()).add(name)
    values = ck.environments.get(name)
    if values is None:
        ck.error("BSL209", f"unknown environment `{name}`", span,
                 did_you_mean(name, list(ck.environments)) or "declare it: `environment dry { rain -1 }`")
        return
    if info.header is not None and set(values) != set(info.covariates):
        missing = [c for c in info.covariates if c not in values]
        extra = [c for c in values if c not in info.covariates]
        ck.error("BSL420", f"environment `{name}` does not match the covariates model `{step.model}` learned from",
                 span, "; ".join(x for x in (f"add {', '.join(missing)}" if missing else "",
                                              f"remove {', '.join(extra)}" if extra else "") if x)
                 + f" (the trial file's covariates: {', '.join(info.covariates) or 'none'})")


def report_environment(ck, trait: str, span) -> bool:
    """A report of a model trait's phenotypes draws them in the one environment the cycle uses."""
    model = ck.model_traits[trait]
    used = ck.model_environments.get(model, set())
    if len(used) != 1:
        ck.error("BSL342", f"a report of `phenotype({trait})` draws it from model `{model}` in the environment "
                 f"the cycle phenotypes it in; the cycle uses {len(used)} environments", span,
                 "phenotype the model trait in exactly one environment, or report other values")
        return False
    return True


def phenotype_traits(e: ast.Expr, features: dict[str, ast.Expr], traits: list[str], depth: int = 0) -> set[str]:
    """The traits whose phenotypes an expression reads (through named features too)."""
    if depth > 50:
        return set()
    if isinstance(e, ast.Call):
        found = set().union(*(phenotype_traits(a, features, traits, depth + 1) for a in e.args)) if e.args else set()
        if e.func == "phenotype":
            if e.args and isinstance(e.args[0], ast.Name):
                found = {e.args[0].id}
            elif not e.args and len(traits) == 1:
                found = {traits[0]}
        return found
    if isinstance(e, ast.Name):
        if e.id == "phenotype" and len(traits) == 1:
            return {traits[0]}
        return phenotype_traits(features[e.id], features, traits, depth + 1) if e.id in features else set()
    if isinstance(e, ast.BinOp):
        return phenotype_traits(e.left, features, traits, depth + 1) | phenotype_traits(e.right, features, traits,
                                                                                         depth + 1)
    if isinstance(e, ast.Concat):
        return set().union(*(phenotype_traits(x, features, traits, depth + 1) for x in e.items))
    if isinstance(e, ast.Neg):
        return phenotype_traits(e.operand, features, traits, depth + 1)
    return set()


def check_model_founders(ck, f: ast.FoundersDecl) -> None:
    """`founders synth from model g { sample N  [given X] }`: `given` exactly when g is conditioned."""
    info = ck.model_info.get(f.model)
    if info is None:
        return  # reported by check_founders
    if info.kind == "phenotype":
        ck.error("BSL417", f"model `{f.model}` learns phenotypes; founders need a genotype model", f.span,
                 "declare one without `phenotypes`: `model g = flow { data base }`")
        return
    given = next((s for s in f.settings if s.key == "given"), None)
    if info.condition is not None and given is None:
        ck.error("BSL405", f"model `{f.model}` is conditioned on `{info.condition}`: say at which value to sample",
                 f.span, f"e.g. `founders {f.name} from model {f.model} {{ sample 200  given 1.5 }}` "
                         f"(in the units of the trial file's `{info.condition}`)")
    elif info.condition is None and given is not None:
        ck.error("BSL422", f"model `{f.model}` has no condition, so founders cannot be sampled `given` a value",
                 given.key_span, f"add `condition COLUMN` and trial records to `model {f.model}`, or remove `given`")
