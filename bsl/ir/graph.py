"""The execution graph: ops as nodes, populations and pair sets as edges; printable by `bsl explain`."""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from bsl.ir import nodes as ir


@dataclass
class ExecutionGraph:
    program: ir.Program
    ops: list[ir.Op]
    simulate_loci: str = "all"  # "all" | "qtl": set by the observed-loci pass
    passes: list[str] = field(default_factory=list)

    def edges(self) -> list[tuple[int, int, str]]:
        """(producer index, consumer index, name) for every value that flows between two ops."""
        last: dict[str, int] = {}
        out: list[tuple[int, int, str]] = []
        for i, op in enumerate(self.ops):
            for name in _inputs(op):
                if name in last:
                    out.append((last[name], i, name))
            for name in _outputs(op):
                last[name] = i
        return out

    def explain(self) -> str:
        p = self.program
        lines = [f"scheme {p.name!r}: seed {p.seed}, {p.replicates} replicates, {p.num_cycles} cycles"]
        if p.genome:
            g = p.genome
            lines.append(f"genome: {g.num_chromosomes or 'from map'} chromosomes x "
                         f"{g.loci_per_chromosome or 'from map'} loci, {g.length_morgans:g} M, map {g.map_function}")
        for f in p.founders:
            if f.source == "coalescent":
                args = ", ".join(f"{k}={v}" for k, v in f.coalescent)
                lines.append(f"founders {f.name}: coalescent (msprime) {args}")
            elif f.source == "model":
                lines.append(f"founders {f.name}: {f.sample} sampled from model {f.model} ({f.path})")
            else:
                lines.append(f"founders {f.name}: file {f.path}" + (f" map {f.map_path}" if f.map_path else ""))
        for m in p.models:
            budget = ", ".join(x for x in (f"{m.epochs} epochs" if m.epochs else "",
                                           f"{m.max_seconds:g} s" if m.max_seconds else "") if x)
            what = (f"phenotypes of {m.trait} from {m.phenotypes} (covariates {', '.join(m.covariates) or 'none'}) "
                    f"given the genotypes of founders {m.data}" if m.kind == "phenotype" else f"founders {m.data}")
            lines.append(f"model {m.name}: {m.family} on {what}, at most {budget}, holdout {m.holdout:g}, "
                         f"saved in {m.path}")
        for t in p.traits:
            if t.model:
                env = ", ".join(f"{v:g}" for v in t.report_environment)
                lines.append(f"trait {t.name}: phenotypes drawn from model {t.model}" +
                             (f"; reports draw them in covariates ({env})" if env else ""))
                continue
            qtl = (f"{t.qtl_count} QTL" if t.qtl_count else
                   f"{t.qtl_per_chromosome} QTL per chromosome" if t.qtl_per_chromosome else f"QTL from {t.qtl_path}")
            eff = f"{t.effects.kind}{t.effects.params}"
            dom = f", dominance {t.dominance.kind}{t.dominance.params}" if t.dominance else ""
            env = f"h2 {t.heritability:g}" if t.heritability is not None else f"error variance {t.error_variance:g}"
            lines.append(f"trait {t.name}: {qtl}, effects {eff}{dom}, {env}")
        if p.constants:
            lines.append("constants: " + ", ".join(f"{k} = {v}" for k, v in p.constants.items()))
        lines.append(f"passes: {', '.join(self.passes) or 'none'}; loci simulated: {self.simulate_loci}")
        lines.append("")
        lines.append("graph (node: op  <- inputs  -> outputs):")
        producers: dict[int, list[str]] = {}
        for src, dst, name in self.edges():
            producers.setdefault(dst, []).append(f"{name}@{src}")
        for i, op in enumerate(self.ops):
            ins = ", ".join(producers.get(i, [])) or "-"
            outs = ", ".join(_outputs(op)) or "-"
            lines.append(f"  {i:>3}: {describe(op, [t.name for t in p.traits])}  <- {ins}  -> {outs}")
        lines.append("")
        lines.append("report: " + (", ".join(dict.fromkeys(m.label for m in p.metrics)) or "none"))
        for o in p.objectives:
            lines.append(f"objective {o.name} = {o.text}")
        lines.append("")
        lines.append("resolved defaults:")
        for k, v in sorted(p.defaults.items()):
            lines.append(f"  {k} = {v}")
        if not p.defaults:
            lines.append("  (none: every value is given in the scheme)")
        return "\n".join(lines)


def describe(op: ir.Op, traits: list[str] | None = None) -> str:
    name = type(op).__name__.replace("Op", "").lower()
    parts = []
    for f in fields(op):
        if f.name in ("span",):
            continue
        v = getattr(op, f.name)
        if v in (None, (), 0, False) and f.name not in ("cycle",):
            continue
        parts.append(f"{f.name}={_short(v, traits)}")
    return f"{name}(" + ", ".join(parts) + ")"


def _short(v, traits: list[str] | None = None) -> str:
    if isinstance(v, ir.Feature):
        return feature_text(v, traits)
    if isinstance(v, tuple) and len(v) > 6:
        return f"({len(v)} items)"
    return str(v)


def feature_text(f: ir.Feature, traits: list[str] | None = None) -> str:
    """A feature in the language's own words, with trait names where known."""
    def t(i: int) -> str:
        return traits[i] if traits and i < len(traits) else str(i)

    def go(g: ir.Feature) -> str:
        if isinstance(g, ir.TraitValue):
            return f"{g.kind}({t(g.trait)})"
        if isinstance(g, ir.ProgenyVariance):
            return f"progeny_variance({t(g.trait)})"
        if isinstance(g, ir.ZScore):
            return f"z({go(g.x)})"
        if isinstance(g, ir.MeanParent):
            return "mean_parent(" + ", ".join(go(x) for x in g.xs) + ")"
        if isinstance(g, ir.ConcatFeature):
            return " ++ ".join(go(x) for x in g.xs)
        if isinstance(g, ir.Arith):
            return f"({go(g.a)} {g.op} {go(g.b)})"
        if isinstance(g, ir.Scalar):
            return f"{g.value:g}"
        if isinstance(g, ir.RFunction):
            return f'r("{g.path}", "{g.function}")'
        return str(g)
    return go(f)


def _inputs(op: ir.Op) -> list[str]:
    if isinstance(op, ir.SelectOp):
        return [op.source]
    if isinstance(op, ir.MateOp):
        return list(op.parents)
    if isinstance(op, ir.AllocateOp):
        return [op.pairs]
    if isinstance(op, ir.GenerationOp):
        return [op.source]
    if isinstance(op, (ir.PhenotypeOp,)):
        return [op.population]
    if isinstance(op, ir.RecordOp):
        return [op.population]
    return []


def _outputs(op: ir.Op) -> list[str]:
    if isinstance(op, ir.FoundersOp):
        return [op.out]
    if isinstance(op, (ir.SelectOp, ir.MateOp, ir.GenerationOp)):
        return [op.out]
    if isinstance(op, ir.AllocateOp):
        return [op.pairs]
    if isinstance(op, ir.PhenotypeOp):
        return [op.population]
    return []


def build_graph(program: ir.Program) -> ExecutionGraph:
    return ExecutionGraph(program, list(program.ops))
