"""Milliseconds per simulation of the reference scheme (Hamazaki & Iwata 2024), replicates batched.

    .venv/bin/python bench/bench_reference.py [--reps 50] [--repeats 20] [--device cpu]

One "simulation" is one replicate of the whole scheme (4 cycles of WBV selection, diallel with
selfing, allocation of 250 progeny, crossing). Founders come from the cache (simulated once).
The third scheme is one evaluation of the optimized TBVGVP strategy (BV, WBV and GVP weighted per
cycle) at its start weights. Baselines measured in the same run: the numpy reference executor (one replicate at a time), and
the floor set by the random numbers the scheme needs at torch's measured generator throughput.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from bsl.api import load
from bsl.runtime.architecture import build_architecture
from bsl.runtime.founders import default_cache_dir
from bsl.runtime.executor import Context, execute_batch

ROOT = Path(__file__).resolve().parent.parent
SCHEMES = {"EQ": ROOT / "schemes/01_reference/hamazaki2024_eq.bsl",
           "softmax(BV, WBV, GVP)": ROOT / "schemes/01_reference/hamazaki2024_softmax.bsl",
           "TBVGVP (12 optimized weights, start values)": ROOT / "schemes/02_hamazaki2024/tbvgvp.bsl"}


def at_start(graph):
    """The graph with its `optimize` parameter, if any, set to the start values (as a constant)."""
    from dataclasses import replace

    from bsl.ir.graph import ExecutionGraph
    from bsl.optimize.search import _param
    program = graph.program
    if program.optimize is None:
        return graph
    param = _param(program, program.optimize)
    constants = {**program.constants, param.name: param.shape([param.start] * param.size)}
    return ExecutionGraph(replace(program, constants=constants), graph.ops, graph.simulate_loci, list(graph.passes))


def time_batches(ctx, reps: int, repeats: int, device, record_metrics: bool = True) -> tuple[float, float]:
    """(wall seconds, process CPU seconds) per batch; CPU time is less disturbed by other load."""
    gen = torch.Generator(device=device).manual_seed(0)
    with torch.no_grad():
        execute_batch(ctx, reps, gen, record_metrics)  # warm-up
        if device.type == "cuda":
            torch.cuda.synchronize()
        t, c = time.perf_counter(), time.process_time()
        for _ in range(repeats):
            execute_batch(ctx, reps, gen, record_metrics)
        if device.type == "cuda":
            torch.cuda.synchronize()
    return (time.perf_counter() - t) / repeats, (time.process_time() - c) / repeats


def rng_floor_ms(draws_per_sim: int) -> float:
    """Milliseconds torch needs to draw the random numbers one simulation consumes."""
    g = torch.Generator().manual_seed(0)
    n = 10_000_000
    torch.rand(n, generator=g)
    t = time.perf_counter()
    torch.rand(n, generator=g)
    per_draw = (time.perf_counter() - t) / n
    return per_draw * draws_per_sim * 1e3


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--reference-reps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    import os
    out = {"device": str(device), "threads": torch.get_num_threads(), "reps_per_batch": args.reps,
           "load_average": os.getloadavg(), "schemes": {}}
    for label, path in SCHEMES.items():
        if not path.exists():
            continue
        graph = at_start(load(path))
        arch = build_architecture(graph.program, graph.simulate_loci, cache_dir=default_cache_dir(), workers=2)
        ctx = Context(graph, arch, device, graph.program.constants)
        sec, cpu = time_batches(ctx, args.reps, args.repeats, device)
        sec_obj, cpu_obj = time_batches(ctx, args.reps, args.repeats, device, record_metrics=False)
        ms_per_sim = sec / args.reps * 1e3
        # Draws per simulation: per cycle, 250 progeny x 2 gametes x 10 chromosomes x
        # (start homologue + Poisson count + about one crossover position).
        draws = graph.program.num_cycles * 250 * 2 * arch.layout.num_chromosomes * 3
        row = {"ms_per_simulation": round(ms_per_sim, 3), "batch_seconds": round(sec, 4),
               "cpu_ms_per_simulation": round(cpu / args.reps * 1e3, 3),
               "optimizer_evaluation_seconds": round(sec_obj, 4),
               "optimizer_evaluation_cpu_seconds": round(cpu_obj, 4),
               "rng_floor_ms_per_simulation": round(rng_floor_ms(draws), 4),
               "simulated_loci": arch.layout.num_loci, "total_loci": arch.full_layout.num_loci}
        try:
            from bsl.runtime.reference.executor import execute_reference
            rng = np.random.default_rng(0)
            execute_reference(graph, arch, rng)
            t = time.perf_counter()
            for _ in range(args.reference_reps):
                execute_reference(graph, arch, rng)
            ref_ms = (time.perf_counter() - t) / args.reference_reps * 1e3
            row["reference_executor_ms_per_simulation"] = round(ref_ms, 1)
            row["speedup_vs_reference_executor"] = round(ref_ms / ms_per_sim, 1)
        except ImportError:
            pass
        out["schemes"][label] = row
        print(f"{label}: {ms_per_sim:.3f} ms per simulation ({args.reps} replicates batched, "
              f"{sec * 1e3:.1f} ms per batch); rng floor {row['rng_floor_ms_per_simulation']} ms", flush=True)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
