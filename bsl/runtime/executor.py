"""The batched executor: runs an ExecutionGraph's ops on torch tensors, all replicates of a batch at once."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from bsl.diagnostics import BslError, DataError, Diagnostic
from bsl.ir import nodes as ir
from bsl.ir.graph import ExecutionGraph
from bsl.runtime.architecture import Architecture
from bsl.runtime import phenotype_models
from bsl.runtime.kernels import allocation, features, mating, meiosis, selection, traits
from bsl.runtime.state import PairSet, Population, concat
from bsl.source import SourceFile


@dataclass
class BatchResult:
    metrics: dict[tuple[int, str, str], np.ndarray]  # (cycle, trait, label) -> (R,) values
    objectives: dict[str, np.ndarray]  # name -> (R,)


class Context:
    """Tensors shared by every op of a run on one device."""

    def __init__(self, graph: ExecutionGraph, arch: Architecture, device: torch.device,
                 constants: dict[str, object], r_functions: dict | None = None):
        self.graph = graph
        # ir.RFunction -> caller(geno (n, L) int32, values {column: (n,)}, locus names) -> (n,) float64,
        # made by the caller of the runtime (bsl.bridge.rcall), so the runtime never imports R.
        self.r_functions = r_functions or {}
        self.program = graph.program
        self.arch = arch
        self.device = device
        self.constants = constants
        self.meiosis = meiosis.Meiosis(arch.layout, device)
        word, bit = arch.layout.word_and_bit(arch.qtl)
        self.qtl_word = torch.as_tensor(word, dtype=torch.int64, device=device)  # (Q,)
        self.qtl_bit = torch.as_tensor(bit, dtype=torch.int64, device=device)  # (Q,)
        self.additive = torch.as_tensor(arch.additive, dtype=torch.float64, device=device)  # (Q, T)
        self.dominance = (torch.as_tensor(arch.dominance, dtype=torch.float64, device=device)
                          if arch.dominance is not None else None)
        self.coupling = torch.as_tensor(arch.layout.coupling(arch.qtl), dtype=torch.float64, device=device)  # (Q, Q)
        self.founders = {k: torch.as_tensor(v, device=device) for k, v in arch.founders.items()}  # (N, 2, W)
        self.error_sd: torch.Tensor | None = None
        self.base_heterozygosity: dict[str, torch.Tensor] = {}
        # traits whose phenotypes come from a trained model (`trait yield { model p }`)
        self.model_traits = {t.model: i for i, t in enumerate(self.program.traits) if t.model}
        self.phenotype_models = (phenotype_models.load_phenotype_models(self.program, arch.full_layout)
                                 if self.model_traits else {})
        self.reported_model_traits = phenotype_models.reported_traits(self.program) if self.model_traits else []


def execute_batch(ctx: Context, num_replicates: int, generator: torch.Generator,
                  record_metrics: bool = True) -> BatchResult:
    """Run every op for `num_replicates` replicates; return per-replicate metric and objective values.

    With record_metrics=False only the objectives are computed (an optimizer's evaluations).
    """
    R = num_replicates
    env: dict[str, Population | PairSet] = {}
    needed = _needed_summaries(ctx.program)
    metrics: dict[tuple[int, str, str], np.ndarray] = {}
    snapshots: dict[tuple[ir.Summary, int], torch.Tensor] = {}
    for op in ctx.graph.ops:
        if isinstance(op, ir.FoundersOp):
            haps = ctx.founders[op.founders]
            N = haps.shape[0]
            pop = Population(haps.unsqueeze(0).expand(R, *haps.shape).contiguous(),
                             torch.ones(R, N, dtype=torch.bool, device=ctx.device),
                             torch.arange(N, device=ctx.device).expand(R, N).contiguous(), N)
            env[op.out] = pop
            if ctx.error_sd is None:
                ctx.error_sd = _error_sd(ctx, pop)
        elif isinstance(op, ir.PhenotypeOp):
            _phenotype(ctx, _population(env, op.population, op), op, generator)
        elif isinstance(op, ir.SelectOp):
            env[op.out] = _select(ctx, _population(env, op.source, op), op)
        elif isinstance(op, ir.MateOp):
            env[op.out] = _mate(ctx, env, op, R, generator)
        elif isinstance(op, ir.AllocateOp):
            _allocate(ctx, env[op.pairs], op)  # type: ignore[arg-type]
        elif isinstance(op, ir.GenerationOp):
            env[op.out] = _generation(ctx, env[op.source], op, generator)
        elif isinstance(op, ir.RecordOp):
            pop = _population(env, op.population, op)
            for t in ctx.reported_model_traits:
                _report_phenotypes(ctx, pop, t, generator)
            if op.cycle == 0:
                ctx.base_heterozygosity = {loci: _heterozygosity(ctx, pop, loci)
                                           for loci in _inbreeding_loci(ctx.program, record_metrics)}
            for m in (ctx.program.metrics if record_metrics else ()):
                values = summarize(ctx, pop, m.summary)  # (R,) or (R, Q)
                if values.dim() == 1:
                    metrics[(op.cycle, m.trait, m.label)] = values.cpu().numpy()
                else:
                    names = _locus_names(ctx, m.summary.loci)
                    for j, name in enumerate(names):
                        metrics[(op.cycle, m.trait, f"{m.label}[{name}]")] = values[:, j].cpu().numpy()
            for s in needed.get(op.cycle, ()):
                snapshots[(s, op.cycle)] = summarize(ctx, pop, s)
    objectives = {o.name: _objective(o.expr, snapshots).cpu().numpy() for o in ctx.program.objectives}
    return BatchResult(metrics, objectives)


# ---- populations -------------------------------------------------------------------------

def _population(env, name: str, op) -> Population:
    v = env.get(name)
    if not isinstance(v, Population):
        raise BslError(Diagnostic("BSL520", f"`{name}` is not a population at this point of the cycle",
                                  getattr(op, "span", None)))
    return v


def dosages(ctx: Context, pop: Population) -> torch.Tensor:
    if "dosage" not in pop.cache:
        a = alleles(ctx, pop)  # read once: progeny variance needs the alleles of the same individuals
        pop.cache["dosage"] = (a[:, :, 0] + a[:, :, 1]).to(torch.float64)  # (R, N, Q)
    return pop.cache["dosage"]


def alleles(ctx: Context, pop: Population) -> torch.Tensor:
    if "alleles" not in pop.cache:
        pop.cache["alleles"] = traits.qtl_alleles(pop.haplotypes, ctx.qtl_word, ctx.qtl_bit)  # (R, N, 2, Q)
    return pop.cache["alleles"]


def genetic_values(ctx: Context, pop: Population) -> torch.Tensor:
    if "gv" not in pop.cache:
        pop.cache["gv"] = traits.genetic_values(dosages(ctx, pop), ctx.additive, ctx.dominance)  # (R, N, T)
    return pop.cache["gv"]


def _error_sd(ctx: Context, base: Population) -> torch.Tensor:
    T = len(ctx.program.traits)
    sd = torch.zeros(T, dtype=torch.float64, device=ctx.device)
    gv = genetic_values(ctx, base)
    for t, spec in enumerate(ctx.program.traits):
        if spec.model:
            continue  # phenotypes come from the model
        if spec.error_variance is not None:
            sd[t] = math.sqrt(spec.error_variance)
        else:
            h2 = torch.tensor([spec.heritability], dtype=torch.float64, device=ctx.device)
            sd[t] = traits.error_sd_from_heritability(gv[..., t:t + 1], base.valid, h2)[0]
    return sd


def _phenotype(ctx: Context, pop: Population, op: ir.PhenotypeOp, generator) -> None:
    """A `phenotype` step: symbolic traits get gv + noise; `from model p` draws p's trait from the model.
    Columns a step does not draw keep their earlier values (NaN when never drawn)."""
    if not ctx.model_traits:
        pop.phenotypes = traits.phenotypes(genetic_values(ctx, pop), ctx.error_sd, generator)
        return
    current = _phenotype_table(ctx, pop)
    if op.model is None:
        symbolic = torch.tensor([not t.model for t in ctx.program.traits], device=ctx.device)
        drawn = traits.phenotypes(genetic_values(ctx, pop), ctx.error_sd, generator)
        current = torch.where(symbolic, drawn, current)
    else:
        current[..., ctx.model_traits[op.model]] = phenotype_models.draw(ctx, pop, op.model, op.environment,
                                                                         generator, op.span)
    pop.phenotypes = current


def _phenotype_table(ctx: Context, pop: Population) -> torch.Tensor:
    """A copy of the population's phenotypes (R, N, T) to draw into; NaN where none were drawn."""
    if pop.phenotypes is not None:
        return pop.phenotypes.clone()
    T = len(ctx.program.traits)
    return torch.full(pop.valid.shape + (T,), float("nan"), dtype=torch.float64, device=ctx.device)


def _report_phenotypes(ctx: Context, pop: Population, t: int, generator) -> None:
    """A report of a model trait's phenotypes: the generation's own draws, or fresh ones in the trait's
    report environment when it has none."""
    if pop.phenotypes is not None and not torch.isnan(pop.phenotypes[..., t][pop.valid]).any():
        return
    spec = ctx.program.traits[t]
    current = _phenotype_table(ctx, pop)
    current[..., t] = phenotype_models.draw(ctx, pop, spec.model, spec.report_environment, generator, spec.span)
    pop.phenotypes = current


# ---- features ----------------------------------------------------------------------------

def feature_values(ctx: Context, f: ir.Feature, pop: Population, pairs: PairSet | None = None,
                   span=None) -> torch.Tensor:
    """Evaluate a feature on individuals of `pop` (R, N, K) or, when `pairs` is given, per pair (R, P, K)."""
    if isinstance(f, ir.Scalar):
        return torch.tensor(f.value, dtype=torch.float64, device=ctx.device)
    if isinstance(f, ir.TraitValue):
        t = f.trait
        if f.kind == "gv":
            return genetic_values(ctx, pop)[..., t:t + 1]
        if f.kind == "phenotype":
            if pop.phenotypes is None:
                raise BslError(Diagnostic("BSL521", "this population has no phenotypes at this point of the cycle",
                                          span, "add a `phenotype` step for it before"))
            values = pop.phenotypes[..., t:t + 1]
            if ctx.model_traits and bool(torch.isnan(values[..., 0][pop.valid]).any()):
                trait = ctx.program.traits[t]
                raise BslError(Diagnostic("BSL521", f"this population has no phenotypes of `{trait.name}` at this "
                                          "point of the cycle", span,
                                          f"add `phenotype POP from model {trait.model} given genotype, "
                                          "environment(E)` before" if trait.model else
                                          "add a `phenotype` step for it before"))
            return values
        # (Weighted) breeding values depend on the genotypes alone: kept with the population, since
        # selection and the allocation's mid-parent values both read them from the same generation.
        key = (f.kind, t)
        if key not in pop.cache:
            if f.kind == "breeding_value":
                dom = ctx.dominance[:, t:t + 1] if ctx.dominance is not None else None
                pop.cache[key] = features.breeding_values(dosages(ctx, pop), ctx.additive[:, t:t + 1], dom, pop.valid)
            else:
                pop.cache[key] = features.weighted_breeding_values(dosages(ctx, pop), ctx.additive[:, t:t + 1],
                                                                   pop.valid)
        return pop.cache[key]
    if isinstance(f, ir.ProgenyVariance):
        assert pairs is not None
        gvar = features.gamete_variances(alleles(ctx, pop), ctx.additive[:, f.trait:f.trait + 1], ctx.coupling)
        return features.pair_progeny_variance(gvar, pairs.mothers, pairs.fathers)  # (R, P, 1)
    if isinstance(f, ir.ZScore):
        x = feature_values(ctx, f.x, pop, pairs, span)
        valid = pairs.valid if pairs is not None and ir.is_pair_feature(f.x) else pop.valid
        return features.zscore(x, valid)
    if isinstance(f, ir.MeanParent):
        assert pairs is not None
        if pop.origin is not None:
            # Parents' values are taken in the population they were selected from (allele
            # frequencies of WBV, z-scores), as the reference code of Hamazaki & Iwata (2024) does.
            source, idx = pop.origin
            x = torch.cat([feature_values(ctx, g, source, None, span) for g in f.xs], dim=-1)  # (R, Ns, K)
            x = torch.gather(x, 1, idx.unsqueeze(-1).expand(-1, -1, x.shape[-1]))  # (R, N, K)
        else:
            x = torch.cat([feature_values(ctx, g, pop, None, span) for g in f.xs], dim=-1)  # (R, N, K)
        return features.mean_parent(x, pairs.mothers, pairs.fathers)
    if isinstance(f, ir.ConcatFeature):
        return torch.cat([feature_values(ctx, g, pop, pairs, span) for g in f.xs], dim=-1)
    if isinstance(f, ir.RFunction):
        return r_function_values(ctx, f, pop)
    if isinstance(f, ir.Arith):
        a = feature_values(ctx, f.a, pop, pairs, span)
        b = feature_values(ctx, f.b, pop, pairs, span)
        return {"+": torch.add, "-": torch.sub, "*": torch.mul, "/": torch.div}[f.op](a, b)
    raise AssertionError(f)


def r_function_values(ctx: Context, f: ir.RFunction, pop: Population) -> torch.Tensor:
    """Values (R, N, 1) of an R function, called once per replicate on its valid individuals."""
    key = ("r", f)
    if key in pop.cache:
        return pop.cache[key]
    call = ctx.r_functions.get(f)
    if call is None:
        raise BslError(Diagnostic("BSL543", f"R function `{f.function}` was not loaded for this run", f.span,
                                  "run the scheme through `bsl run` or `bsl.api.run`, which load R functions",
                                  path=ctx.program.source_path))
    layout = ctx.arch.layout
    word = torch.as_tensor(layout.word, device=ctx.device)
    bit = torch.as_tensor(layout.bit, device=ctx.device)
    loci = _locus_names(ctx, "all")
    gv = genetic_values(ctx, pop)  # (R, N, T)
    names = [t.name for t in ctx.program.traits]
    out = torch.zeros(pop.valid.shape + (1,), dtype=torch.float64, device=ctx.device)  # (R, N, 1)
    for r in range(pop.valid.shape[0]):
        rows = torch.nonzero(pop.valid[r]).squeeze(1)
        hap = pop.haplotypes[r:r + 1].index_select(1, rows)  # (1, n, 2, W)
        geno = traits.dosages(hap, word, bit, torch.int32)[0].cpu().numpy()  # (n, L)
        values = {f"gv_{t}": gv[r, rows, i].cpu().numpy() for i, t in enumerate(names)}
        if pop.phenotypes is not None:
            values.update({f"phenotype_{t}": pop.phenotypes[r, rows, i].cpu().numpy() for i, t in enumerate(names)})
        try:
            y = call(geno, values, loci)
        except DataError as err:
            raise BslError(Diagnostic(err.code, f"{err.message} (replicate {r + 1})", f.span, err.hint,
                                      path=ctx.program.source_path),
                           SourceFile(ctx.program.source_path, ctx.program.source_text)) from None
        out[r, rows, 0] = torch.as_tensor(y, dtype=torch.float64, device=ctx.device)
    pop.cache[key] = out
    return out


# ---- ops ---------------------------------------------------------------------------------

def _select(ctx: Context, pop: Population, op: ir.SelectOp) -> Population:
    idx, valid = _selected(ctx, pop, op)
    out = pop.take(idx, valid)
    out.origin = (pop, idx)
    return out


def _selected(ctx: Context, pop: Population, op: ir.SelectOp) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices (R, K) and validity of the individuals a select op keeps."""
    crit = feature_values(ctx, op.criterion, pop, None, op.span)[..., 0]  # (R, N)
    N = pop.size
    if op.within_family:
        if op.count is not None:
            return selection.top_k_within_family(crit, pop.family, op.count, pop.valid, pop.num_families)
        # A proportion of each family's real members: the count differs between families.
        family = torch.where(pop.valid, pop.family, torch.full_like(pop.family, pop.num_families))
        sizes = torch.zeros(pop.valid.shape[0], pop.num_families + 1, dtype=torch.int64, device=ctx.device)
        sizes.scatter_add_(1, family, torch.ones_like(family))
        keep = _proportion(sizes[:, :pop.num_families], op.fraction)  # (R, F)
        k = max(1, int(keep.max()))
        idx, valid = selection.top_k_within_family(crit, pop.family, k, pop.valid, pop.num_families)
        rank = torch.arange(k, device=ctx.device).repeat(pop.num_families)  # slot f*k + r holds rank r
        return idx, valid & (rank < keep.repeat_interleave(k, dim=1))
    n_real = pop.valid.sum(1)  # (R,) real individuals; padded slots do not count
    if op.count is not None:
        if op.count > int(n_real.min()):
            raise BslError(Diagnostic("BSL414", f"cannot select {op.count} individuals from `{op.source}`, which has "
                                      f"{int(n_real.min())}" + (" in some replicates" if N > int(n_real.min()) else ""),
                                      op.span, f"select at most {int(n_real.min())}"))
        return selection.top_k(crit, op.count, pop.valid)
    keep = _proportion(n_real, op.fraction)  # (R,)
    k = max(1, int(keep.max()))
    idx, valid = selection.top_k(crit, k, pop.valid)
    return idx, valid & (torch.arange(k, device=ctx.device) < keep.unsqueeze(1))


def _proportion(n: torch.Tensor, fraction: float) -> torch.Tensor:
    """Counts kept when keeping `fraction` of n individuals: round half up, at least 1 when n > 0
    (the rule of selection.proportion_to_count, element-wise)."""
    k = torch.floor(n.to(torch.float64) * fraction + 0.5 + 1e-9).to(torch.int64)
    return torch.where(n > 0, k.clamp(min=1), torch.zeros_like(k))


def _mate(ctx: Context, env, op: ir.MateOp, R: int, generator) -> PairSet:
    pops = [_population(env, p, op) for p in op.parents]
    dev = ctx.device
    if op.design == "diallel":
        parents = pops[0]
        m, f = mating.diallel(parents.size, op.selfing, device=dev)
    elif op.design == "factorial":
        parents = concat(pops[0], pops[1])
        m, f = mating.factorial(pops[0].size, pops[1].size, pops[0].size, device=dev)
    elif op.design == "plan":
        parents = pops[0]
        bad = [(i, a, b) for i, (a, b) in enumerate(op.plan) if a >= parents.size or b >= parents.size]
        if bad:
            i, a, b = bad[0]
            raise BslError(Diagnostic("BSL522", f"mating plan row {i + 1} names parent {max(a, b) + 1}, but "
                                      f"`{op.parents[0]}` has {parents.size} individuals", op.span))
        m, f = mating.plan_pairs([a for a, _ in op.plan], [b for _, b in op.plan], device=dev)
    else:
        parents = pops[0]
        mothers, fathers, valid = mating.random_pairs(parents.valid, op.num_pairs, generator, op.selfing)
        return PairSet(parents, mothers, fathers, valid)
    mothers, fathers, valid = mating.expand_pairs(m, f, R, parents.valid)
    return PairSet(parents, mothers, fathers, valid)


def _weights(ctx: Context, w) -> torch.Tensor:
    if isinstance(w, ir.ConstRef):
        v = ctx.constants[w.name]
        for i in w.index:
            v = v[i]  # type: ignore[index]
        w = v if isinstance(v, list) else [v]
    return torch.tensor(list(w), dtype=torch.float64, device=ctx.device)


def _allocate(ctx: Context, pairs: PairSet, op: ir.AllocateOp) -> None:
    if op.method == "equal":
        rank = feature_values(ctx, op.rank, pairs.parents, pairs, op.span)[..., 0]  # (R, P)
        pairs.counts = allocation.equal(op.total, pairs.valid, rank)
    elif op.method == "fixed":
        pairs.counts = allocation.fixed(op.per_pair, pairs.valid)
    else:
        omega = feature_values(ctx, op.features, pairs.parents, pairs, op.span)  # (R, P, Q)
        scores = omega @ _weights(ctx, op.weights)  # (R, P): Hamazaki & Iwata (2024) eq. 1, Ω h
        pairs.counts = allocation.softmax(scores, op.total, pairs.valid, op.rounding)
    pairs.total = op.total if op.method != "fixed" else op.per_pair * pairs.mothers.shape[1]


def _generation(ctx: Context, source, op: ir.GenerationOp, generator) -> Population:
    if isinstance(source, PairSet):
        if source.counts is not None:
            slot_pair, slot_valid = allocation.progeny_parents(source.counts, source.total)  # (R, S)
        else:
            P = source.mothers.shape[1]
            slot_pair = torch.arange(P, device=ctx.device).expand(source.mothers.shape[0], P)
            slot_valid = source.valid
        m = source.mothers.gather(1, slot_pair)
        f = source.fathers.gather(1, slot_pair)
        valid = slot_valid & source.valid.gather(1, slot_pair)
        haps = meiosis.cross(ctx.meiosis, source.parents.haplotypes, m, f, generator)  # (R, S, 2, W)
        pop = Population(haps, valid, slot_pair.contiguous(), source.mothers.shape[1])
        if op.kind == "cross":
            return pop
        return _inbreed(ctx, pop, op, generator, family=pop.family, num_families=pop.num_families)
    return _inbreed(ctx, source, op, generator, family=None, num_families=source.size)


def _inbreed(ctx: Context, pop: Population, op: ir.GenerationOp, generator, family, num_families) -> Population:
    """`self` or `dh`: `times` offspring from every individual of `pop`."""
    R, N = pop.valid.shape
    parent = torch.arange(N, device=ctx.device).repeat_interleave(op.times).expand(R, N * op.times).contiguous()
    if op.kind == "self":
        haps = meiosis.selfing(ctx.meiosis, pop.haplotypes, parent, generator)
    else:
        haps = meiosis.doubled_haploids(ctx.meiosis, pop.haplotypes, parent, generator)
    fam = family.gather(1, parent) if family is not None else parent
    return Population(haps, pop.valid.gather(1, parent), fam, num_families)


# ---- summaries -----------------------------------------------------------------------------

def summarize(ctx: Context, pop: Population, s: ir.Summary) -> torch.Tensor:
    valid = pop.valid
    if s.kind in ("mean", "var", "sd", "min", "max", "top"):
        x = feature_values(ctx, s.x, pop)[..., 0]  # (R, N)
        w = valid.to(x.dtype)
        n = w.sum(1)
        if s.kind == "mean":
            return (x * w).sum(1) / n
        if s.kind in ("var", "sd"):
            mean = (x * w).sum(1, keepdim=True) / n.unsqueeze(1)
            var = (((x - mean) ** 2) * w).sum(1) / (n - 1).clamp(min=1)  # sample variance, as R's var()
            return var if s.kind == "var" else var.sqrt()
        if s.kind == "min":
            return torch.where(valid, x, torch.full_like(x, math.inf)).min(1).values
        if s.kind == "max":
            return torch.where(valid, x, torch.full_like(x, -math.inf)).max(1).values
        k = min(s.k, x.shape[1])
        top = torch.where(valid, x, torch.full_like(x, -math.inf)).topk(k, dim=1).values  # (R, k) best first
        real = torch.arange(k, device=x.device) < n.clamp(max=k).unsqueeze(1)  # fewer than k real: mean of all
        return torch.where(real, top, torch.zeros_like(top)).sum(1) / real.sum(1).clamp(min=1)
    if s.kind == "genic_var":
        t = s.trait or 0
        return features.genic_variance(dosages(ctx, pop), ctx.additive[:, t:t + 1], valid)[:, 0]
    if s.kind == "allele_freq":
        return allele_frequencies(ctx, pop, s.loci)  # (R, L)
    het = _heterozygosity(ctx, pop, s.loci)
    if s.kind == "heterozygosity":
        return het
    return 1 - het / ctx.base_heterozygosity[s.loci]  # inbreeding: loss of expected heterozygosity since cycle 0


def _heterozygosity(ctx: Context, pop: Population, loci: str) -> torch.Tensor:
    """Expected heterozygosity (R,): mean over loci of 2pq."""
    freq = allele_frequencies(ctx, pop, loci)
    return (2 * freq * (1 - freq)).mean(1)


def _inbreeding_loci(program: ir.Program, record_metrics: bool) -> set[str]:
    """Loci whose cycle-0 heterozygosity an inbreeding summary of this batch divides by (the report's
    metrics only when they are recorded: an optimizer's evaluations skip them)."""
    summaries = [s for ss in _needed_summaries(program).values() for s in ss]
    if record_metrics:
        summaries += [m.summary for m in program.metrics]
    return {s.loci for s in summaries if s.kind == "inbreeding"}


def allele_frequencies(ctx: Context, pop: Population, loci: str) -> torch.Tensor:
    """Frequency of allele 1 (R, L) at the QTL or at every simulated locus, over valid individuals."""
    if loci == "qtl":
        return features.allele_frequencies(dosages(ctx, pop), pop.valid)
    layout = ctx.arch.layout
    word = torch.as_tensor(layout.word, device=ctx.device)
    bit = torch.as_tensor(layout.bit, device=ctx.device)
    n = pop.valid.sum(1, keepdim=True).to(torch.float64) * 2  # (R, 1) allele copies
    return traits.allele_counts(pop.haplotypes, pop.valid, word, bit) / n  # (R, L)


def _locus_names(ctx: Context, loci: str) -> list[str]:
    full = ctx.arch.full_layout
    idx = ctx.arch.qtl_global if loci == "qtl" else ctx.arch.kept_loci
    return [f"{full.chromosome[i] + 1}_{full.local_index[i] + 1}" for i in idx]


def _needed_summaries(program: ir.Program) -> dict[int, list[ir.Summary]]:
    out: dict[int, list[ir.Summary]] = {}

    def walk(e: ir.ObjExpr):
        if isinstance(e, ir.ObjSummary):
            out.setdefault(e.cycle, []).append(e.summary)
        elif isinstance(e, ir.ObjArith):
            walk(e.a)
            walk(e.b)
    for o in program.objectives:
        walk(o.expr)
    return out


def _objective(e: ir.ObjExpr, snapshots) -> torch.Tensor:
    if isinstance(e, ir.ObjNumber):
        return torch.tensor(e.value, dtype=torch.float64)
    if isinstance(e, ir.ObjSummary):
        return snapshots[(e.summary, e.cycle)]
    a, b = _objective(e.a, snapshots), _objective(e.b, snapshots)
    a, b = a.cpu(), b.cpu()
    return {"+": torch.add, "-": torch.sub, "*": torch.mul, "/": torch.div}[e.op](a, b)
