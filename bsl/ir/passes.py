"""Graph passes: rewrites of an ExecutionGraph that keep the distribution of every reported value."""
from __future__ import annotations

from bsl.ir import nodes as ir
from bsl.ir.graph import ExecutionGraph


def observed_loci(graph: ExecutionGraph) -> ExecutionGraph:
    """Simulate only the QTL when no op or summary reads marker loci.

    Every built-in feature (gv, BV, WBV, GVP, phenotype) reads QTL only; an R function (`r(...)`)
    and a phenotype model (`phenotype POP from model p`) receive every locus; the summaries `inbreeding`,
    `heterozygosity` and `allele_freq` read all loci unless given `(qtl)`. Recombination between
    kept loci is unchanged (the layout keeps their map positions), so reported values keep their
    distribution while the haplotypes shrink from every locus to the QTL.
    """
    p = graph.program
    summaries = [m.summary for m in p.metrics] + list(_objective_summaries(p.objectives))
    if ir.r_functions(graph.ops):
        graph.simulate_loci = "all"
        graph.passes.append("observed-loci (an R function reads the genotypes: kept all loci)")
    elif any(t.model for t in p.traits):
        graph.simulate_loci = "all"
        graph.passes.append("observed-loci (a phenotype model reads the genotypes: kept all loci)")
    elif any(s.kind in ("inbreeding", "heterozygosity", "allele_freq") and s.loci == "all" for s in summaries):
        graph.simulate_loci = "all"
        graph.passes.append("observed-loci (markers observed: kept all loci)")
    else:
        graph.simulate_loci = "qtl"
        graph.passes.append("observed-loci (only QTL simulated)")
    return graph


def _objective_summaries(objectives: list[ir.Objective]):
    def walk(e: ir.ObjExpr):
        if isinstance(e, ir.ObjSummary):
            yield e.summary
        elif isinstance(e, ir.ObjArith):
            yield from walk(e.a)
            yield from walk(e.b)
    for o in objectives:
        yield from walk(o.expr)


DEFAULT_PASSES = (observed_loci,)


def run_passes(graph: ExecutionGraph, passes=DEFAULT_PASSES) -> ExecutionGraph:
    for p in passes:
        graph = p(graph)
    return graph
