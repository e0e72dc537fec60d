"""Phenotypes drawn from trained phenotype models: `phenotype POP from model p given genotype,
environment(E)`, and reports of such a trait's phenotypes.

The model sees each individual's dosages at every locus of the scheme (the observed-loci pass
keeps them all) and the environment's covariates; one seed per draw comes from the run's
generator, so a run stays reproducible from the scheme's seed.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from bsl.diagnostics import BslError, DataError, Diagnostic
from bsl.ir import nodes as ir
from bsl.runtime.founders import data_error
from bsl.runtime import rng
from bsl.runtime.kernels import traits
from bsl.runtime.state import Population


def load_phenotype_models(program: ir.Program, layout) -> dict[str, object]:
    """Every phenotype model a trait uses, read from its folder and checked against the scheme's loci
    (``layout``: all loci of the founders) and covariates."""
    from bsl.genai.store import load_model  # torch-only models, loaded when a scheme uses them

    used = {t.model for t in program.traits if t.model}
    out: dict[str, object] = {}
    for spec in program.models:
        if spec.name not in used:
            continue
        try:
            if not (Path(spec.path) / "model.json").is_file():
                raise DataError(f"model `{spec.name}` has not been trained (nothing in {spec.path})", code="BSL550",
                                hint=f"train it first: `bsl train {program.source_path} --model {spec.name}`")
            saved = load_model(spec.path)
            if saved.manifest.get("kind") != "phenotype":
                raise DataError(f"the model in {spec.path} is a genotype model, not a phenotype model",
                                path=spec.path, code="BSL552", hint=f"train it again: `bsl train --model {spec.name}`")
            got = np.bincount(saved.chromosome, minlength=len(layout.loci_per_chromosome)).tolist()
            if got != list(layout.loci_per_chromosome) or not np.allclose(saved.positions_morgans, layout.positions):
                raise DataError(f"model `{spec.name}` was trained on other loci ({saved.chromosome.size}) than the "
                                f"scheme's founders have ({layout.num_loci})", path=spec.path, code="BSL552",
                                hint=f"train it again on these founders: `bsl train {program.source_path} "
                                     f"--model {spec.name}`")
            covariates = list(saved.manifest.get("covariates", []))
            if covariates != list(spec.covariates):
                raise DataError(f"model `{spec.name}` learned the covariates {', '.join(covariates) or 'none'}; the "
                                f"trial file now has {', '.join(spec.covariates) or 'none'}", path=spec.path,
                                code="BSL552", hint=f"train it again: `bsl train {program.source_path} "
                                                    f"--model {spec.name}`")
        except DataError as err:
            raise data_error(err, spec.span, program) from None
        out[spec.name] = saved.model
    return out


def model_dosages(haplotypes: torch.Tensor, layout) -> torch.Tensor:
    """Dosages (R, N, L) uint8 at every locus of ``layout``."""
    word = torch.as_tensor(layout.word, device=haplotypes.device)
    bit = torch.as_tensor(layout.bit, device=haplotypes.device)
    return traits.dosages(haplotypes, word, bit, torch.uint8)


def draw(ctx, pop: Population, model_name: str, environment: tuple[float, ...], generator: torch.Generator,
         span=None) -> torch.Tensor:
    """Phenotypes (R, N) of the population's valid individuals from the model (NaN elsewhere)."""
    model = ctx.phenotype_models.get(model_name)
    if model is None:
        raise BslError(Diagnostic("BSL550", f"phenotype model `{model_name}` was not loaded for this run", span,
                                  path=ctx.program.source_path))
    out = torch.full(pop.valid.shape, float("nan"), dtype=torch.float64, device=ctx.device)
    seeds = rng.randint(generator, 2**62, pop.valid.shape[0], (), device=ctx.device).tolist()  # one per replicate
    for r, seed in enumerate(seeds):
        rows = torch.nonzero(pop.valid[r]).squeeze(1)
        if rows.numel() == 0:
            continue
        hap = pop.haplotypes[r:r + 1].index_select(1, rows)  # (1, n, 2, W)
        x = model_dosages(hap, ctx.arch.layout)[0].cpu().numpy()  # (n, L)
        w = np.tile(np.asarray(environment, dtype=np.float64), (x.shape[0], 1))  # (n, E)
        y = model.sample(x, w, random_seed=int(seed))
        out[r, rows] = torch.as_tensor(y, dtype=torch.float64, device=ctx.device)
    return out


def reported_traits(program: ir.Program) -> list[int]:
    """Model traits whose phenotypes a report or objective reads."""
    found: set[int] = set()

    def walk(f) -> None:
        if isinstance(f, ir.TraitValue) and f.kind == "phenotype" and program.traits[f.trait].model:
            found.add(f.trait)
        for child in vars(f).values() if hasattr(f, "__dict__") else ():
            if isinstance(child, ir.Feature):
                walk(child)
            elif isinstance(child, tuple):
                for c in child:
                    if isinstance(c, ir.Feature):
                        walk(c)

    summaries = [m.summary for m in program.metrics]

    def objective(e) -> None:
        if isinstance(e, ir.ObjSummary):
            summaries.append(e.summary)
        elif isinstance(e, ir.ObjArith):
            objective(e.a)
            objective(e.b)
    for o in program.objectives:
        objective(o.expr)
    for s in summaries:
        if s.x is not None:
            walk(s.x)
    return sorted(found)
