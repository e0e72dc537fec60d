"""The pipeline on one screen: parse → check → lower → build_graph → passes → execute → RunResult."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from bsl import __version__
from bsl.diagnostics import BslError, DataError, Diagnostic
from bsl.ir.graph import ExecutionGraph, build_graph
from bsl.ir.lower import lower
from bsl.ir.nodes import Program
from bsl.ir.passes import run_passes
from bsl.semantics.checker import CheckedModule, check as check_module
from bsl.source import SourceFile
from bsl.syntax.parser import parse

# Replicates per batch are capped so the haplotype tensors of a batch stay near this many bytes.
BATCH_BYTES = 256 * 2**20


@dataclass
class RunResult:
    """The results contract: tidy per-cycle metrics, per-replicate objectives and the manifest."""

    cycles: pd.DataFrame  # replicate, cycle, trait, metric, value
    objectives: pd.DataFrame  # replicate, objective, value
    manifest: dict
    wall_seconds: float = 0.0
    graph: ExecutionGraph | None = field(default=None, repr=False)

    def summary(self) -> dict:
        obj = {}
        for name, g in self.objectives.groupby("objective", sort=False):
            v = g["value"].to_numpy()
            obj[name] = {"mean": float(np.mean(v)), "sd": float(np.std(v, ddof=1)) if v.size > 1 else 0.0,
                         "n": int(v.size)}
        return {"scheme": self.manifest["scheme"]["name"], "replicates": self.manifest["replicates"],
                "objectives": obj, "wall_seconds": round(self.wall_seconds, 3)}


def _source(scheme: str | Path | SourceFile) -> SourceFile:
    if isinstance(scheme, SourceFile):
        return scheme
    p = Path(scheme)
    try:
        return SourceFile.read(p)
    except FileNotFoundError:
        raise BslError(Diagnostic("BSL001", f"scheme file `{scheme}` does not exist", path=str(scheme))) from None
    except (OSError, UnicodeDecodeError) as err:
        raise BslError(Diagnostic("BSL001", f"cannot read scheme file `{scheme}`: {err}", path=str(scheme))) from None


def _checked(scheme: str | Path | SourceFile, overrides: dict[str, str] | None) -> CheckedModule:
    source = _source(scheme)
    return check_module(parse(source), source, overrides)


def check(scheme: str | Path | SourceFile, *, overrides: dict[str, str] | None = None) -> CheckedModule:
    """Parse and check a scheme, and read the data files it names (founder files, maps, QTL
    tables); raise BslError listing every problem, or return the checked module."""
    from bsl.runtime.founders import validate_data_files
    checked = _checked(scheme, overrides)
    problems = validate_data_files(lower(checked))
    if problems:
        raise BslError(problems, checked.source)
    return checked


def load(scheme: str | Path | SourceFile, *, overrides: dict[str, str] | None = None) -> ExecutionGraph:
    """Compile a scheme to its optimized execution graph (nothing is simulated; data files are
    read when it runs)."""
    program = lower(_checked(scheme, overrides))
    return run_passes(build_graph(program))


def train(scheme: str | Path | SourceFile | ExecutionGraph, *, model: str | None = None, device: str = "cpu",
          overrides: dict[str, str] | None = None, progress: Callable[[str, dict], None] | None = None,
          status: Callable[[str], None] | None = None) -> list[dict]:
    """Train a scheme's generative models (`model g = family { data base ... }`), or only `model`,
    and save each in its folder; returns their manifests (bsl.genai.store)."""
    from bsl.genai.training import train_models

    graph = scheme if isinstance(scheme, ExecutionGraph) else load(scheme, overrides=overrides)
    return train_models(graph, model=model, device=str(_device(device)), progress=progress, status=status)


def evaluate(scheme: str | Path | SourceFile | ExecutionGraph, *, model: str, out: str | Path, random_seed: int = 0,
             overrides: dict[str, str] | None = None, status: Callable[[str], None] | None = None) -> dict:
    """Score a trained model against the founders it held out; writes metrics.json and metrics.md to `out`."""
    from bsl.genai.training import evaluate_model

    graph = scheme if isinstance(scheme, ExecutionGraph) else load(scheme, overrides=overrides)
    return evaluate_model(graph, model, out, random_seed=random_seed, status=status)


def load_r_functions(graph: ExecutionGraph) -> dict:
    """Source the R functions a scheme calls (`r("file.R", "name")`), once each, through rpy2.

    Returns {ir.RFunction: caller} for the runtime's Context; problems (R or rpy2 missing, the file
    fails to source, no such function) are BSL54x diagnostics at the scheme line that calls it.
    """
    from bsl.ir.nodes import r_functions

    wanted = r_functions(graph.ops)
    if not wanted:
        return {}
    from bsl.bridge.rcall import load_r_function

    loaded = {}
    for f in wanted:
        try:
            loaded[f] = load_r_function(f.path, f.function)
        except DataError as err:
            program = graph.program
            raise BslError(Diagnostic(err.code, err.message, f.span, err.hint, path=program.source_path),
                           SourceFile(program.source_path, program.source_text)) from None
    return loaded


def _r_provenance(r_functions: dict) -> list[dict]:
    from bsl.io.provenance import sha256_text

    out = []
    for f, call in r_functions.items():
        out.append({"file": f.path, "function": f.function,
                    "sha256": sha256_text(Path(f.path).read_text(encoding="utf-8", errors="replace")),
                    "r_version": call.r_version})
    return out


def run(scheme: str | Path | SourceFile | ExecutionGraph, *, reps: int | None = None, seed: int | None = None,
        device: str = "cpu", overrides: dict[str, str] | None = None, out: str | Path | None = None,
        cache_dir: str | None = None, workers: int | None = None, batch_size: int | None = None,
        progress: Callable[[int, int], None] | None = None,
        status: Callable[[str], None] | None = None) -> RunResult:
    """Compile and run a scheme; `reps` and `seed` override the scheme's `replicates` and `seed`.

    Returns a RunResult whose DataFrames follow the results contract; with `out`, also writes
    cycles.csv, cycles.parquet, objectives.csv and manifest.json there atomically.
    """
    import torch

    from bsl.io.provenance import package_versions, sha256_text
    from bsl.io.results import write_results
    from bsl.runtime.architecture import build_architecture
    from bsl.runtime.founders import default_cache_dir
    from bsl.runtime.executor import Context, execute_batch

    graph = scheme if isinstance(scheme, ExecutionGraph) else load(scheme, overrides=overrides)
    program: Program = graph.program
    num_reps = int(reps if reps is not None else program.replicates)
    random_seed = int(seed if seed is not None else program.seed)
    if num_reps < 1:
        raise BslError(Diagnostic("BSL002", f"--reps must be at least 1, got {num_reps}", path="<command line>"))
    if seed is not None:
        program.seed = random_seed
    dev = _device(device)
    t0 = time.perf_counter()
    r_functions = load_r_functions(graph)
    arch = build_architecture(program, graph.simulate_loci, cache_dir=cache_dir or default_cache_dir(),
                              workers=workers or min(4, os.cpu_count() or 1), status=status)
    ctx = Context(graph, arch, dev, program.constants, r_functions)
    per_rep = max(1, max(a.shape[0] for a in arch.founders.values()) * 2 * arch.layout.num_words * 8 * 8)
    batch = batch_size or max(1, min(num_reps, BATCH_BYTES // per_rep))
    batches = [min(batch, num_reps - i) for i in range(0, num_reps, batch)]
    # One seed; one stream per replicate derived from it, so a replicate's values do not depend on
    # the number of replicates or the batch size.
    from bsl.runtime.rng import ReplicateStreams
    root = np.random.SeedSequence(random_seed).spawn(3)[2]
    metric_parts: dict[tuple[int, str, str], list[np.ndarray]] = {}
    objective_parts: dict[str, list[np.ndarray]] = {o.name: [] for o in program.objectives}
    done = 0
    for size in batches:
        gen = ReplicateStreams.for_replicates(root, done, size, dev)
        with torch.no_grad():
            res = execute_batch(ctx, size, gen)
        for k, v in res.metrics.items():
            metric_parts.setdefault(k, []).append(v)
        for k, v in res.objectives.items():
            objective_parts[k].append(v)
        done += size
        if progress:
            progress(done, num_reps)
    wall = time.perf_counter() - t0
    cycles = _cycles_frame(metric_parts, num_reps)
    objectives = _objectives_frame(objective_parts, num_reps)
    manifest = {
        "bsl_version": __version__,
        "scheme": {"name": program.name, "path": program.source_path, "sha256": sha256_text(program.source_text),
                   "text": program.source_text},
        "seed": random_seed,
        "replicates": num_reps,
        "batch_size": batch,
        "streams": "replicate r (from 0) draws from a torch generator seeded by numpy "
                   "SeedSequence(seed).spawn(3)[2] child r",
        "device": str(dev),
        "overrides": dict(overrides or {}),
        "constants": program.constants,
        "resolved_defaults": {k: str(v) for k, v in program.defaults.items()},
        "passes": graph.passes,
        "simulated_loci": int(arch.layout.num_loci),
        "total_loci": int(arch.full_layout.num_loci),
        "founders": arch.founder_provenance,
        "r_functions": _r_provenance(r_functions),
        "packages": package_versions(),
    }
    result = RunResult(cycles, objectives, manifest, wall, graph)
    if out is not None:
        write_output(lambda: write_results(out, cycles=cycles, objectives=objectives, manifest=manifest), out)
    return result


def write_output(write: Callable[[], object], out: str | Path) -> None:
    """Run a writer of results; a folder that cannot be written is a usage error (exit 2), not a crash."""
    try:
        write()
    except DataError as err:
        raise BslError(Diagnostic("BSL006", err.message, path=str(err.path or out),
                                  hint=err.hint or "choose an --out folder you can write to")) from None
    except OSError as err:
        raise BslError(Diagnostic("BSL006", f"cannot write results: {err.strerror or err}", path=str(out),
                                  hint="choose an --out folder you can write to")) from None


def _device(device: str):
    import torch
    if device not in ("cpu", "cuda") and not device.startswith("cuda:"):
        raise BslError(Diagnostic("BSL003", f"unknown device `{device}`", path="<command line>",
                                  hint="use --device cpu or --device cuda"))
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise BslError(Diagnostic("BSL003", "--device cuda was asked for but no CUDA device is available",
                                  path="<command line>", hint="use --device cpu"))
    return torch.device(device)


def _cycles_frame(parts: dict[tuple[int, str, str], list[np.ndarray]], num_reps: int) -> pd.DataFrame:
    reps = np.arange(1, num_reps + 1)
    frames = []
    for (cycle, trait, label), chunks in parts.items():
        frames.append((cycle, trait, label, np.concatenate(chunks)))
    frames.sort(key=lambda x: x[0])  # stable: keeps report order within a cycle
    rows_rep = np.concatenate([reps for _ in frames]) if frames else np.array([], dtype=int)
    df = pd.DataFrame({
        "replicate": rows_rep,
        "cycle": np.concatenate([np.full(num_reps, f[0]) for f in frames]) if frames else [],
        "trait": np.concatenate([np.full(num_reps, f[1], dtype=object) for f in frames]) if frames else [],
        "metric": np.concatenate([np.full(num_reps, f[2], dtype=object) for f in frames]) if frames else [],
        "value": np.concatenate([f[3] for f in frames]).astype(float) if frames else [],
    })
    df = df.sort_values(["replicate", "cycle"], kind="stable").reset_index(drop=True)
    df["trait"] = df["trait"].astype(str)
    df["metric"] = df["metric"].astype(str)
    return df


def _objectives_frame(parts: dict[str, list[np.ndarray]], num_reps: int) -> pd.DataFrame:
    reps = np.arange(1, num_reps + 1)
    rows = [(r, name, float(v)) for name, chunks in parts.items() for r, v in zip(reps, np.concatenate(chunks))]
    df = pd.DataFrame(rows, columns=["replicate", "objective", "value"])
    return df.sort_values(["replicate"], kind="stable").reset_index(drop=True)
