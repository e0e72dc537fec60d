"""Wall time of a whole StoSOO optimization of the TBVGVP scheme (issue 3's performance figure).

    .venv/bin/python bench/bench_optimize.py [--evaluations 20000] [--threads 1] [--out DIR]

Runs `bsl optimize` on schemes/02_hamazaki2024/tbvgvp.bsl (12 weights, BV, WBV and GVP, 50
replicates x 4 cycles per evaluation) with the given number of StoSOO evaluations and no final
comparison, every evaluation checkpointed to trace.csv as `bsl optimize` does. Baseline measured
in the same run: the bare evaluation (one batch of 50 replicates at the start weights, objective
only) timed over --baseline-evaluations calls before the optimization, so the ratio shows what the
optimizer, the checkpoint writes and the changing weights add. The founders come from the cache
(simulated once if it is empty; that time is reported apart).
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from bsl.api import load
from bsl.ir.graph import ExecutionGraph
from bsl.optimize.search import run_search
from bsl.runtime.architecture import build_architecture
from bsl.runtime.executor import Context, execute_batch
from bsl.runtime.founders import default_cache_dir
from bsl.runtime.rng import ReplicateStreams

from bench_reference import at_start  # bench/ is on the path when this file runs as a script

ROOT = Path(__file__).resolve().parent.parent
SCHEME = ROOT / "schemes" / "02_hamazaki2024" / "tbvgvp.bsl"


def bare_evaluation_seconds(graph: ExecutionGraph, evaluations: int) -> float:
    """Seconds per evaluation of the scheme at its start weights, without the optimizer."""
    graph = at_start(graph)
    program = graph.program
    arch = build_architecture(program, graph.simulate_loci, cache_dir=default_cache_dir(), workers=1)
    ctx = Context(graph, arch, torch.device("cpu"), program.constants)
    reps = program.optimize.replicates_per_evaluation

    def evaluate(e: int) -> None:
        gen = ReplicateStreams.for_replicates(np.random.SeedSequence([program.seed, 7, e]), 0, reps, "cpu")
        with torch.no_grad():
            execute_batch(ctx, reps, gen, record_metrics=False)

    evaluate(0)  # warm-up
    t = time.perf_counter()
    for e in range(evaluations):
        evaluate(e)
    return (time.perf_counter() - t) / evaluations


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--evaluations", type=int, default=20000, help="StoSOO evaluations (paper: 20,000)")
    ap.add_argument("--baseline-evaluations", type=int, default=200)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", type=Path, default=None, help="folder for the trace (default: a temporary one)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    load_before = os.getloadavg()
    graph = load(SCHEME)
    t = time.perf_counter()
    build_architecture(graph.program, graph.simulate_loci, cache_dir=default_cache_dir(), workers=2)
    founders_seconds = time.perf_counter() - t
    baseline = bare_evaluation_seconds(graph, args.baseline_evaluations)
    spec = replace(graph.program.optimize, evaluations=args.evaluations)
    graph = ExecutionGraph(replace(graph.program, optimize=spec), graph.ops, graph.simulate_loci, list(graph.passes))
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "optimize"
        t = time.perf_counter()
        result = run_search(graph, out, final=False)
        wall = time.perf_counter() - t
    per_evaluation = wall / result.evaluations
    row = {"scheme": str(SCHEME.relative_to(ROOT)), "threads": torch.get_num_threads(),
           "load_average_before": load_before, "founders_seconds": round(founders_seconds, 2),
           "evaluations": result.evaluations, "wall_seconds": round(wall, 1),
           "wall_minutes": round(wall / 60, 2), "seconds_per_evaluation": round(per_evaluation, 4),
           "bare_evaluation_seconds": round(baseline, 4),
           "ratio_to_bare_evaluation": round(per_evaluation / baseline, 3),
           "projected_minutes_for_20000": round(per_evaluation * 20000 / 60, 1),
           "estimated_objective": round(result.best_mean, 4)}
    print(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
