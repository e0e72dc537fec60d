"""The checkpointed search: an `optimize` block's parameter tuned by simulating the scheme, one
evaluation at a time, every finished evaluation on disk before the next starts."""
from __future__ import annotations

import csv
import json
import math
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np

from bsl.diagnostics import BslError, Diagnostic
from bsl.ir.graph import ExecutionGraph
from bsl.ir.nodes import OptimizeSpec, ParamSpec, Program
from bsl.optimize import baselines
from bsl.optimize.search_space import SearchSpace
from bsl.optimize.stosoo import StoSOO, StoSOOSettings, optimize as stosoo_optimize

TRACE = "trace.csv"
BEST = "best.json"


@dataclass
class SearchResult:
    param: ParamSpec
    best_values: list[float]  # flat, in param.names() order
    best_mean: float  # the optimizer's estimate of the objective at the answer
    evaluations: int
    wall_seconds: float
    final: dict  # strategy -> RunResult ("optimized", "start")


def stosoo_settings(spec: OptimizeSpec) -> StoSOOSettings:
    """StoSOO settings from the block: the formulas of the reference code, each overridable."""
    opts = dict(spec.options)
    return StoSOOSettings.from_budget(
        spec.evaluations,
        max_evals_per_node=int(opts["max_evals_per_node"]) if "max_evals_per_node" in opts else None,
        max_depth=int(opts["max_depth"]) if "max_depth" in opts else None,
        delta=opts.get("delta"), split=opts.get("split"))


def describe(program: Program) -> str:
    """The optimization part of `bsl explain`: parameters, and the optimizer with resolved settings."""
    lines = []
    for p in program.params:
        shape = f"{p.rows} x {len(p.labels)}" if p.rows else f"{len(p.labels)}"
        lines.append(f"param {p.name}: {shape} values ({', '.join(p.labels)}) in [{p.lower:g}, {p.upper:g}], "
                     f"start {p.start:g}")
    spec = program.optimize
    if spec is None:
        return "\n".join(lines)
    goal = "maximize" if spec.maximize else "minimize"
    lines.append(f"optimize {spec.param} with {spec.method}: {goal} {spec.objective}, {spec.evaluations} evaluations "
                 f"x {spec.replicates_per_evaluation} replicates, final comparison {spec.final_replicates} replicates")
    if spec.method == "stosoo":
        s = stosoo_settings(spec)
        lines.append(f"  stosoo: k = {s.num_children}, max_evals_per_node = {s.max_evals_per_node}, "
                     f"max_depth = {s.max_depth}, delta = {s.delta:.6g}, split = {s.split} "
                     "(Valko et al. 2013; myBreedSimulatR)")
    elif spec.method == "cma":
        lines.append(f"  cma: sigma0 = {dict(spec.options).get('sigma0', 0.3):g} (unit-cube units), seed from `seed`")
    else:
        lines.append("  random search: the start, then uniform points, seed from `seed`")
    return "\n".join(lines)


def _param(program: Program, spec: OptimizeSpec) -> ParamSpec:
    return next(p for p in program.params if p.name == spec.param)


def _read_trace(path: Path, names: list[str]) -> list[list[float]]:
    """Finished evaluations from a trace file; a torn last line (killed mid-write) is dropped."""
    rows: list[list[float]] = []
    with open(path, newline="", encoding="utf-8") as fh:
        text = fh.read()
    lines = text.split("\n")
    if not lines or lines[0].split(",")[1:1 + len(names)] != names:
        raise BslError(Diagnostic("BSL530", f"{path} is not a trace of this scheme's parameter", None,
                                  "resume into the folder of the same scheme, or start a new run"))
    complete = lines[1:-1] if not text.endswith("\n") else lines[1:]
    for line in complete:
        if not line:
            continue
        cells = line.split(",")
        if len(cells) != len(names) + 3:
            break
        rows.append([float(c) for c in cells])
    return rows


def run_search(graph: ExecutionGraph, out_dir: str | Path, *, resume: bool = False, device: str = "cpu",
               progress: Callable[[int, int, float, float], None] | None = None,
               status: Callable[[str], None] | None = None, final: bool = True) -> SearchResult:
    """Optimize the scheme's `optimize` parameter; write trace.csv, best.json and final/ into out_dir."""
    import torch

    from bsl import api
    from bsl.io.provenance import package_versions
    from bsl.io.results import write_results
    from bsl.runtime.architecture import build_architecture
    from bsl.runtime.founders import default_cache_dir
    from bsl.runtime.executor import Context, execute_batch
    from bsl.runtime.rng import ReplicateStreams

    program = graph.program
    spec = program.optimize
    if spec is None:
        raise BslError(Diagnostic("BSL531", "the scheme has no `optimize` block", None,
                                  "add e.g. `optimize h with stosoo { maximize gain  evaluations 1000 }`"))
    param = _param(program, spec)
    names = param.names()
    out = Path(out_dir)
    trace_path = out / TRACE
    done: list[list[float]] = []
    if resume:
        if not trace_path.exists():
            raise BslError(Diagnostic("BSL532", f"nothing to resume: {trace_path} does not exist", None,
                                      "run without --resume first"))
        done = _read_trace(trace_path, names)
        # Cut a torn last line (a kill during a write) so the next row starts on its own line.
        with open(trace_path, "rb+") as fh:
            data = fh.read()
            fh.truncate(data.rfind(b"\n") + 1)
    elif trace_path.exists():
        raise BslError(Diagnostic("BSL533", f"{out} already holds an optimization trace", None,
                                  f"use --resume {out} to continue it, or choose another --out"))
    api.write_output(lambda: out.mkdir(parents=True, exist_ok=True), out)
    dev = api._device(device)
    r_functions = api.load_r_functions(graph)
    arch = build_architecture(program, graph.simulate_loci, cache_dir=default_cache_dir(),
                              workers=min(4, os.cpu_count() or 1), status=status)
    constants = dict(program.constants)
    ctx = Context(graph, arch, dev, constants, r_functions)
    space = SearchSpace.build([param.lower] * param.size, [param.upper] * param.size, [param.start] * param.size,
                              names)
    reps = spec.replicates_per_evaluation
    t0 = time.perf_counter()
    count = [len(done)]

    def evaluate(u: np.ndarray) -> float:
        # Evaluation e draws from its own stream, so a resumed run repeats exactly what it replaces.
        e = count[0]
        x = space.to_domain(u)
        constants[param.name] = param.shape(list(x))
        gen = ReplicateStreams.for_replicates(np.random.SeedSequence([program.seed, 7, e]), 0, reps, dev)
        with torch.no_grad():
            res = execute_batch(ctx, reps, gen, record_metrics=False)
        value = float(np.mean(res.objectives[spec.objective]))
        if not math.isfinite(value):
            raise BslError(Diagnostic("BSL534", f"objective `{spec.objective}` is not finite at {param.name} = "
                                      f"{[round(v, 6) for v in x]}", None))
        return value

    fh = open(trace_path, "a", newline="", encoding="utf-8")
    if not done:
        fh.write(",".join(["evaluation", *names, "objective", "best_so_far"]) + "\n")
        fh.flush()

    def record(row, _state=None) -> None:
        x = space.to_domain(np.asarray(row.x_unit))
        best = row.best_mean
        fh.write(",".join([str(int(row[0])), *(repr(float(v)) for v in x), repr(float(row[2])),
                           repr(float(best))]) + "\n")
        fh.flush()
        os.fsync(fh.fileno())  # on disk before the next evaluation starts
        count[0] += 1
        if progress:
            progress(count[0], spec.evaluations, float(best), time.perf_counter() - t0)

    values = [r[len(names) + 1] for r in done]
    try:
        if spec.method == "stosoo":
            settings = stosoo_settings(spec)
            state = StoSOO.replay(space.dim, settings, values, maximize=spec.maximize).to_state() if values else None
            result = stosoo_optimize(evaluate, space.dim, spec.evaluations, maximize=spec.maximize,
                                     settings=settings, callback=record, state=state)
        else:
            method = baselines.cma_es if spec.method == "cma" else baselines.random_search
            kwargs = {"sigma0": dict(spec.options)["sigma0"]} if "sigma0" in dict(spec.options) else {}
            state = None
            if values:
                state = {"format": baselines.STATE_FORMAT, "method": "cma_es" if spec.method == "cma" else
                         "random_search", "dim": space.dim, "budget": spec.evaluations,
                         "maximize": spec.maximize, "random_seed": program.seed, "values": values}
            result = method(evaluate, space.dim, spec.evaluations, maximize=spec.maximize,
                            random_seed=program.seed, callback=record, state=state, **kwargs)
    finally:
        fh.close()
    wall = time.perf_counter() - t0
    best_values = [float(v) for v in space.to_domain(result.best_x_unit)]
    manifest = {"bsl_version": api.__version__, "scheme": {"name": program.name, "path": program.source_path,
                "text": program.source_text}, "seed": program.seed, "device": str(dev),
                "optimizer": describe(program), "evaluations": len(result.trace), "wall_seconds": round(wall, 3),
                "packages": package_versions()}
    best = {"param": param.name, "names": names, "values": param.shape(best_values),
            "domain": [param.lower, param.upper], "start": param.start, "objective": spec.objective,
            "direction": "maximize" if spec.maximize else "minimize",
            "estimated_objective": float(result.best_value), "manifest": manifest}
    tmp = out / (BEST + ".tmp")
    tmp.write_text(json.dumps(best, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, out / BEST)
    finals: dict = {}
    if final:
        for strategy, flat in (("optimized", best_values), ("start", [param.start] * param.size)):
            if status:
                status(f"final comparison: {strategy} {param.name} with {spec.final_replicates} replicates")
            g = ExecutionGraph(replace(program, constants={**program.constants, param.name: param.shape(flat)}),
                               graph.ops, graph.simulate_loci, list(graph.passes))
            finals[strategy] = api.run(g, reps=spec.final_replicates, device=device)
            res = finals[strategy]
            api.write_output(lambda: write_results(out / "final" / strategy, cycles=res.cycles,
                                                   objectives=res.objectives, manifest=res.manifest), out)
        _write_cdf(out / "final" / "cdf.csv", finals)
    return SearchResult(param, best_values, float(result.best_value), len(result.trace), wall, finals)


def _write_cdf(path: Path, finals: dict) -> None:
    """Empirical CDF of each final objective across replicates, per strategy."""
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["strategy", "objective", "value", "cdf"])
        for strategy, res in finals.items():
            for name, g in res.objectives.groupby("objective", sort=False):
                v = np.sort(g["value"].to_numpy())
                for i, x in enumerate(v):
                    w.writerow([strategy, name, repr(float(x)), repr((i + 1) / v.size)])
    os.replace(tmp, path)
