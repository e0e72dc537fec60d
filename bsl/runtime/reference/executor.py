"""The reference executor: one replicate of an ExecutionGraph on unpacked 0/1 numpy haplotypes, the oracle
that the batched torch executor (`bsl.runtime.executor`) is tested against.

Written independently of the batched code and for clarity, not speed: populations hold only
real individuals (no padded slots), gametes are drawn interval by interval, and selection,
mating and allocation go through the list-based kernels in `bsl.runtime.reference.breeding`.
Trait values come from `bsl.runtime.reference.genetics`. No torch.

Recombination between two simulated loci is taken from the *full* map, by Haldane's product
rule over every map interval between them, r = ½(1 − Π_k (1 − 2 r_k)), so that it stays right
when only the QTL are simulated on a Kosambi map (the product rule is what "intervals
recombine independently" means; Kosambi distances do not add).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np

from bsl.diagnostics import BslError, Diagnostic
from bsl.ir import nodes as ir
from bsl.ir.graph import ExecutionGraph
from bsl.runtime.architecture import Architecture
from bsl.runtime.reference import breeding, genetics

Metrics = dict[tuple[int, str, str], float]


@dataclass
class RefPopulation:
    haplotypes: np.ndarray  # (N, 2, L) uint8 on arch.layout, only real individuals
    family: np.ndarray  # (N,) int64: the pair or parent each individual came from
    num_families: int
    phenotypes: np.ndarray | None = None  # (N, T) once phenotyped
    cache: dict = field(default_factory=dict)
    origin: tuple["RefPopulation", list[int]] | None = None  # selected from, and which

    @property
    def size(self) -> int:
        return self.haplotypes.shape[0]

    def take(self, idx: list[int]) -> "RefPopulation":
        idx_arr = np.asarray(idx, dtype=np.int64)
        return RefPopulation(self.haplotypes[idx_arr], self.family[idx_arr], self.num_families,
                             None if self.phenotypes is None else self.phenotypes[idx_arr],
                             origin=(self, [int(i) for i in idx_arr]))


@dataclass
class RefPairs:
    parents: RefPopulation
    pairs: list[tuple[int, int]]  # (mother, father) indices into parents
    counts: list[int] | None = None  # progeny per pair, after `allocate`


class _Genome:
    """Recombination tables of the simulated layout, from the full map (see the module docstring)."""

    def __init__(self, arch: Architecture):
        full = arch.full_layout
        # (1 − 2 r) of each interval of the full map, per chromosome.
        keep_prob = [1.0 - 2.0 * r for r in genetics.adjacent_recombination_fractions(full)]

        def r_between(i: int, j: int) -> float:  # global loci of the full layout, i <= j
            if full.chromosome[i] != full.chromosome[j]:
                return 0.5
            c = full.chromosome[i]
            lo, hi = full.local_index[i], full.local_index[j]
            return 0.5 * (1.0 - float(np.prod(keep_prob[c][lo:hi])))

        layout, kept = arch.layout, arch.kept_loci
        self.layout = layout
        # r of the "interval" ending at each simulated locus (L,): ½ at a chromosome's first locus,
        # so that each chromosome starts on a uniformly random homologue whatever came before it.
        self.switch_r = np.full(layout.num_loci, 0.5)
        for c in range(layout.num_chromosomes):
            first = layout.locus_offset[c]
            loci = kept[first:first + layout.loci_per_chromosome[c]]
            for j, (a, b) in enumerate(zip(loci[:-1], loci[1:])):
                self.switch_r[first + j + 1] = r_between(int(a), int(b))
        q = arch.qtl_global
        self.qtl_r = np.array([[0.0 if a == b else r_between(int(min(a, b)), int(max(a, b))) for b in q]
                               for a in q])  # (Q, Q)

    def gamete(self, haplotype: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One gamete (L,) of an individual (2, L): walking along the genome, the source homologue
        switches before each locus independently with that interval's r (Haldane's no-interference
        model), and with probability ½ at each chromosome's first locus."""
        switches = rng.random(self.layout.num_loci) < self.switch_r  # (L,)
        homologue = np.cumsum(switches) % 2  # (L,) 0/1
        return haplotype[homologue, np.arange(self.layout.num_loci)].astype(np.uint8)


class _Run:
    def __init__(self, graph: ExecutionGraph, arch: Architecture, rng: np.random.Generator):
        self.graph, self.program, self.arch, self.rng = graph, graph.program, arch, rng
        self.genome = _Genome(arch)
        self.error_sd: np.ndarray | None = None  # (T,)
        self.base_heterozygosity: dict[str, float] = {}

    # ---- values of individuals -------------------------------------------------------------
    def qtl_alleles(self, pop: RefPopulation) -> np.ndarray:
        if "alleles" not in pop.cache:
            pop.cache["alleles"] = pop.haplotypes[:, :, self.arch.qtl]  # (N, 2, Q)
        return pop.cache["alleles"]

    def genetic_values(self, pop: RefPopulation) -> np.ndarray:
        if "gv" not in pop.cache:
            pop.cache["gv"] = genetics.genetic_values(self.qtl_alleles(pop), self.arch.additive,
                                                      self.arch.dominance)  # (N, T)
        return pop.cache["gv"]

    def gamete_variances(self, pop: RefPopulation, t: int) -> np.ndarray:
        """(N,): ¼ Σ_j Σ_k a_j a_k s_j s_k (1 − 2 r_jk) over heterozygous QTL (Lynch & Walsh 1998;
        Hamazaki & Iwata 2024 eq. 5), s = +1 where homologue 0 carries allele 1."""
        key = ("gamete_var", t)
        if key not in pop.cache:
            alleles, a = self.qtl_alleles(pop), self.arch.additive[:, t]
            out = np.zeros(pop.size)
            for n in range(pop.size):
                het = [q for q in range(alleles.shape[2]) if alleles[n, 0, q] != alleles[n, 1, q]]
                for j in het:
                    for k in het:
                        s = (1.0 if alleles[n, 0, j] else -1.0) * (1.0 if alleles[n, 0, k] else -1.0)
                        out[n] += 0.25 * a[j] * a[k] * s * (1.0 - 2.0 * self.genome.qtl_r[j, k])
            pop.cache[key] = out
        return pop.cache[key]

    def feature(self, f: ir.Feature, pop: RefPopulation, pairs: RefPairs | None = None) -> np.ndarray:
        """(N, K) per individual of `pop`, or (P, K) per pair when `f` is a pair feature."""
        if isinstance(f, ir.Scalar):
            return np.array([[f.value]])
        if isinstance(f, ir.TraitValue):
            t = f.trait
            if f.kind == "gv":
                return self.genetic_values(pop)[:, t:t + 1]
            if f.kind == "phenotype":
                if pop.phenotypes is None:
                    raise BslError(Diagnostic("BSL521", "selection on phenotype of a population that has no phenotypes"))
                return pop.phenotypes[:, t:t + 1]
            key = (f.kind, t)  # both depend on the population's allele frequencies
            if key not in pop.cache:
                a = self.arch.additive[:, t:t + 1]
                if f.kind == "breeding_value":
                    d = None if self.arch.dominance is None else self.arch.dominance[:, t:t + 1]
                    pop.cache[key] = genetics.breeding_values(self.qtl_alleles(pop), a, d)
                else:
                    pop.cache[key] = genetics.weighted_breeding_values(self.qtl_alleles(pop), a)
            return pop.cache[key]
        if isinstance(f, ir.ProgenyVariance):
            assert pairs is not None
            g = self.gamete_variances(pop, f.trait)
            # Gametes of the two parents are independent: the family's variance is the sum.
            return np.array([[g[m] + g[p]] for m, p in pairs.pairs]).reshape(-1, 1)
        if isinstance(f, ir.ZScore):
            return _zscore(self.feature(f.x, pop, pairs))
        if isinstance(f, ir.MeanParent):
            assert pairs is not None
            if pop.origin is not None:  # parents' values in the population they were selected from
                source, taken = pop.origin
                x = np.hstack([self.feature(g, source) for g in f.xs])[taken]  # (N, K)
            else:
                x = np.hstack([self.feature(g, pop) for g in f.xs])  # (N, K)
            return np.array([0.5 * (x[m] + x[p]) for m, p in pairs.pairs]).reshape(-1, x.shape[1])
        if isinstance(f, ir.ConcatFeature):
            return np.hstack([self.feature(g, pop, pairs) for g in f.xs])
        if isinstance(f, ir.Arith):
            a, b = self.feature(f.a, pop, pairs), self.feature(f.b, pop, pairs)
            return {"+": a + b, "-": a - b, "*": a * b, "/": a / b}[f.op]
        raise AssertionError(f)

    # ---- ops ---------------------------------------------------------------------------------
    def founders(self, op: ir.FoundersOp) -> RefPopulation:
        haps = self.arch.layout.unpack(self.arch.founders[op.founders])  # (N, 2, L)
        pop = RefPopulation(haps, np.arange(haps.shape[0]), haps.shape[0])
        if self.error_sd is None:
            self.error_sd = self.environmental_sd(pop)
        return pop

    def environmental_sd(self, base: RefPopulation) -> np.ndarray:
        """sd (T,) of the environmental noise: given, or Ve = Vg (1 − h²) / h² with Vg the variance
        (divisor n, AlphaSimR's varG) of the genetic values of the first founder population."""
        gv = self.genetic_values(base)
        sd = np.zeros(len(self.program.traits))
        for t, spec in enumerate(self.program.traits):
            if spec.error_variance is not None:
                sd[t] = np.sqrt(spec.error_variance)
            else:
                h2 = spec.heritability
                sd[t] = np.sqrt(np.var(gv[:, t]) * (1.0 - h2) / h2)
        return sd

    def phenotype(self, pop: RefPopulation) -> None:
        gv = self.genetic_values(pop)
        pop.phenotypes = gv + self.rng.normal(0.0, 1.0, gv.shape) * self.error_sd  # (N, T)

    def select(self, pop: RefPopulation, op: ir.SelectOp) -> RefPopulation:
        crit = list(self.feature(op.criterion, pop)[:, 0])
        everyone = [True] * pop.size
        if op.within_family:
            picked: list[int] = []
            for fam in range(pop.num_families):
                members = [i for i in range(pop.size) if pop.family[i] == fam]
                if not members:
                    continue
                # A proportion is of each family's own size: `top 20% within family` keeps 20% of every family.
                k = op.count if op.count is not None else breeding.proportion_to_count(op.fraction, len(members))
                best = breeding.top_k([crit[i] for i in members], k, [True] * len(members))
                picked += [members[j] for j in best]  # family by family, best first within
            return pop.take(picked)
        k = op.count if op.count is not None else breeding.proportion_to_count(op.fraction, pop.size)
        if k > pop.size:
            raise BslError(Diagnostic("BSL414", f"cannot select {k} individuals from `{op.source}`, which has "
                                      f"{pop.size}", op.span))
        return pop.take(breeding.top_k(crit, k, everyone))

    def mate(self, env: dict, op: ir.MateOp) -> RefPairs:
        pops = [env[p] for p in op.parents]
        if op.design == "diallel":
            return RefPairs(pops[0], breeding.diallel(pops[0].size, op.selfing))
        if op.design == "factorial":
            a, b = pops
            both = RefPopulation(np.concatenate([a.haplotypes, b.haplotypes]),
                                 np.concatenate([a.family, b.family + a.num_families]),
                                 a.num_families + b.num_families,
                                 None if a.phenotypes is None or b.phenotypes is None
                                 else np.concatenate([a.phenotypes, b.phenotypes]))
            return RefPairs(both, breeding.factorial(a.size, b.size, a.size))
        if op.design == "plan":
            parents = pops[0]
            for i, (m, f) in enumerate(op.plan):
                if max(m, f) >= parents.size:
                    raise BslError(Diagnostic("BSL522", f"mating plan row {i + 1} names parent {max(m, f) + 1}, but "
                                              f"`{op.parents[0]}` has {parents.size} individuals", op.span))
            return RefPairs(parents, list(op.plan))
        parents = pops[0]
        chooser = random.Random(int(self.rng.integers(2**63)))
        pairs = breeding.random_pairs([True] * parents.size, op.num_pairs, chooser, op.selfing)
        return RefPairs(parents, pairs or [])

    def allocate(self, pairs: RefPairs, op: ir.AllocateOp) -> None:
        valid = [True] * len(pairs.pairs)
        if op.method == "equal":
            rank = list(self.feature(op.rank, pairs.parents, pairs)[:, 0])
            pairs.counts = breeding.equal(op.total, valid, rank)
        elif op.method == "fixed":
            pairs.counts = breeding.fixed(op.per_pair, valid)
        else:
            omega = self.feature(op.features, pairs.parents, pairs)  # (P, K)
            h = np.asarray(self.weights(op.weights), dtype=float)  # (K,)
            # Hamazaki & Iwata (2024) eq. 1: score of each pair = Ω h.
            scores = [float(sum(omega[p, k] * h[k] for k in range(h.size))) for p in range(omega.shape[0])]
            pairs.counts = breeding.softmax(scores, op.total, valid, op.rounding)

    def weights(self, w) -> list[float]:
        if isinstance(w, ir.ConstRef):
            v = self.program.constants[w.name]
            for i in w.index:
                v = v[i]  # type: ignore[index]
            return list(v) if isinstance(v, list) else [v]  # type: ignore[list-item]
        return list(w)

    def generation(self, source, op: ir.GenerationOp) -> RefPopulation:
        g = self.genome
        if isinstance(source, RefPairs):
            haps = source.parents.haplotypes
            # Progeny of each pair: its allocated count, or one per pair when nothing was allocated.
            counts = source.counts if source.counts is not None else [1] * len(source.pairs)
            children, family = [], []
            for p, ((m, f), c) in enumerate(zip(source.pairs, counts)):
                for _ in range(c):
                    children.append(np.stack([g.gamete(haps[m], self.rng), g.gamete(haps[f], self.rng)]))
                    family.append(p)
            pop = RefPopulation(_stack(children, haps.shape[2]), np.asarray(family, dtype=np.int64),
                                len(source.pairs))
            if op.kind == "cross":
                return pop
            return self.inbreed(pop, op, keep_families=True)
        return self.inbreed(source, op, keep_families=False)

    def inbreed(self, pop: RefPopulation, op: ir.GenerationOp, keep_families: bool) -> RefPopulation:
        """`times` selfed progeny (two independent gametes) or doubled haploids (one gamete, twice)
        of every individual; the family is the pair it came from, or else the individual itself."""
        children, family = [], []
        for i in range(pop.size):
            for _ in range(op.times):
                first = self.genome.gamete(pop.haplotypes[i], self.rng)
                second = self.genome.gamete(pop.haplotypes[i], self.rng) if op.kind == "self" else first
                children.append(np.stack([first, second]))
                family.append(pop.family[i] if keep_families else i)
        return RefPopulation(_stack(children, pop.haplotypes.shape[2]), np.asarray(family, dtype=np.int64),
                             pop.num_families if keep_families else pop.size)

    # ---- summaries -----------------------------------------------------------------------------
    def summarize(self, pop: RefPopulation, s: ir.Summary) -> float | np.ndarray:
        if s.kind in ("mean", "var", "sd", "min", "max", "top"):
            x = self.feature(s.x, pop)[:, 0]
            if s.kind == "mean":
                return float(np.mean(x))
            if s.kind in ("var", "sd"):
                var = float(np.var(x, ddof=1)) if x.size > 1 else 0.0  # sample variance, as R's var()
                return var if s.kind == "var" else float(np.sqrt(var))
            if s.kind == "min":
                return float(np.min(x))
            if s.kind == "max":
                return float(np.max(x))
            return float(np.mean(sorted(x, reverse=True)[:s.k]))  # mean of the best k (all if fewer)
        if s.kind == "genic_var":
            # Σ_q 2 p_q (1 − p_q) a_q² (Falconer & Mackay 1996).
            p = genetics.allele_frequencies(self.qtl_alleles(pop))
            return float(np.sum(2 * p * (1 - p) * self.arch.additive[:, s.trait or 0] ** 2))
        freq = self.allele_frequencies(pop, s.loci)
        if s.kind == "allele_freq":
            return freq
        het = float(np.mean(2 * freq * (1 - freq)))  # expected heterozygosity (Nei's gene diversity)
        if s.kind == "heterozygosity":
            return het
        return 1.0 - het / self.base_heterozygosity[s.loci]  # loss of heterozygosity since cycle 0

    def allele_frequencies(self, pop: RefPopulation, loci: str) -> np.ndarray:
        """Frequency of allele 1 over the 2N copies, at the QTL or at every simulated locus."""
        alleles = self.qtl_alleles(pop) if loci == "qtl" else pop.haplotypes
        return genetics.allele_frequencies(alleles)

    def locus_names(self, loci: str) -> list[str]:
        full = self.arch.full_layout
        idx = self.arch.qtl_global if loci == "qtl" else self.arch.kept_loci
        return [f"{full.chromosome[i] + 1}_{full.local_index[i] + 1}" for i in idx]

    def record(self, pop: RefPopulation, cycle: int, metrics: Metrics) -> None:
        if cycle == 0:
            # The base of `inbreeding`, whether or not cycle 0 is reported.
            for loci in ("all", "qtl"):
                f = self.allele_frequencies(pop, loci)
                self.base_heterozygosity[loci] = float(np.mean(2 * f * (1 - f)))
        for m in self.program.metrics:
            value = self.summarize(pop, m.summary)
            if isinstance(value, np.ndarray):
                for name, v in zip(self.locus_names(m.summary.loci), value):
                    metrics[(cycle, m.trait, f"{m.label}[{name}]")] = float(v)
            else:
                metrics[(cycle, m.trait, m.label)] = value

    def objective(self, e: ir.ObjExpr, snapshots: dict) -> float:
        if isinstance(e, ir.ObjNumber):
            return e.value
        if isinstance(e, ir.ObjSummary):
            return snapshots[(e.summary, e.cycle)]
        a, b = np.float64(self.objective(e.a, snapshots)), np.float64(self.objective(e.b, snapshots))
        with np.errstate(divide="ignore", invalid="ignore"):  # IEEE: x / 0 is ±inf or nan
            return float({"+": a + b, "-": a - b, "*": a * b, "/": a / b}[e.op])


def _zscore(x: np.ndarray) -> np.ndarray:
    """Columns standardized to mean 0 and sample sd 1 (divisor n − 1, R's `scale`); 0 where the sd is 0."""
    out = np.zeros_like(x, dtype=float)
    for k in range(x.shape[1]):
        col = x[:, k]
        sd = float(np.std(col, ddof=1)) if col.size > 1 else 0.0
        if sd > 0:
            out[:, k] = (col - np.mean(col)) / sd
    return out


def _stack(children: list[np.ndarray], num_loci: int) -> np.ndarray:
    return np.stack(children) if children else np.zeros((0, 2, num_loci), dtype=np.uint8)  # (N, 2, L)


def _objective_summaries(e: ir.ObjExpr):
    if isinstance(e, ir.ObjSummary):
        yield e
    elif isinstance(e, ir.ObjArith):
        yield from _objective_summaries(e.a)
        yield from _objective_summaries(e.b)


def execute_reference(graph: ExecutionGraph, arch: Architecture, rng: np.random.Generator) -> dict:
    """Run every op of `graph` for one replicate.

    Returns {"metrics": {(cycle, trait, label): value}, "objectives": {name: value}}, with vector
    summaries labelled `label[chromosome_locus]` (1-based) as the batched executor does.
    """
    run = _Run(graph, arch, rng)
    program = graph.program
    env: dict[str, RefPopulation | RefPairs] = {}
    metrics: Metrics = {}
    snapshots: dict[tuple[ir.Summary, int], float] = {}
    needed = [s for o in program.objectives for s in _objective_summaries(o.expr)]
    for op in graph.ops:
        if isinstance(op, ir.FoundersOp):
            env[op.out] = run.founders(op)
        elif isinstance(op, ir.PhenotypeOp):
            run.phenotype(env[op.population])  # type: ignore[arg-type]
        elif isinstance(op, ir.SelectOp):
            env[op.out] = run.select(env[op.source], op)  # type: ignore[arg-type]
        elif isinstance(op, ir.MateOp):
            env[op.out] = run.mate(env, op)
        elif isinstance(op, ir.AllocateOp):
            run.allocate(env[op.pairs], op)  # type: ignore[arg-type]
        elif isinstance(op, ir.GenerationOp):
            env[op.out] = run.generation(env[op.source], op)
        elif isinstance(op, ir.RecordOp):
            pop = env[op.population]
            run.record(pop, op.cycle, metrics)  # type: ignore[arg-type]
            for s in needed:
                if s.cycle == op.cycle:
                    snapshots[(s.summary, s.cycle)] = run.summarize(pop, s.summary)  # type: ignore[arg-type]
    objectives = {o.name: float(run.objective(o.expr, snapshots)) for o in program.objectives}
    return {"metrics": metrics, "objectives": objectives}


def run_reference(scheme_path, reps: int, seed: int, *, cache_dir: str | None = None,
                  overrides: dict[str, str] | None = None):
    """Compile a scheme and run `reps` replicates with the reference executor.

    The architecture (founders, QTL, effects) is built once, exactly as `bsl.api.run` builds it
    for the same `seed`; replicate i draws from `default_rng(SeedSequence(seed).spawn(4)[3].spawn(reps)[i])`,
    a branch that neither the architecture (children 0 and 1) nor the batched run (child 2) uses.
    Returns (cycles, objectives) DataFrames in the layout of `bsl.api.RunResult`.
    """
    import pandas as pd

    from bsl.api import load  # deferred: the runtime layer does not import the pipeline at import time
    from bsl.runtime.architecture import build_architecture
    from bsl.runtime.founders import default_cache_dir

    graph = load(scheme_path, overrides=overrides)
    graph.program.seed = int(seed)
    arch = build_architecture(graph.program, graph.simulate_loci, cache_dir=cache_dir or default_cache_dir())
    streams = np.random.SeedSequence(int(seed)).spawn(4)[3].spawn(int(reps))
    cycle_rows, objective_rows = [], []
    for replicate, stream in enumerate(streams, start=1):
        out = execute_reference(graph, arch, np.random.default_rng(stream))
        for (cycle, trait, label), value in out["metrics"].items():
            cycle_rows.append((replicate, cycle, trait, label, value))
        for name, value in out["objectives"].items():
            objective_rows.append((replicate, name, value))
    cycles = pd.DataFrame(cycle_rows, columns=["replicate", "cycle", "trait", "metric", "value"])
    objectives = pd.DataFrame(objective_rows, columns=["replicate", "objective", "value"])
    return cycles, objectives
