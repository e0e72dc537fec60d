"""Running the study: each strategy's scheme compiled for a trait replicate, one step (optimize with
checkpoints, then the final run) per strategy and trait, and the loop over them that keeps
study.json (settings, trait seeds, sessions, founders' timing) up to date."""
from __future__ import annotations

import os
import re
import sys
import time
from dataclasses import asdict, replace
from datetime import datetime, timezone
from pathlib import Path

from bsl.studies.hamazaki2024.design import GENOME_FOUNDERS, OPTIMIZERS, SCHEMES_DIR, StudySettings
from bsl.studies.hamazaki2024.results import SUMMARY, read_json, summarize, write_json

# --small-founders: the same program on a small coalescent panel, for tests and smoke runs.
SMALL_GENOME = "genome { chromosomes 10  loci_per_chromosome 40  length 1 M  map kosambi }"
SMALL_FOUNDERS = "founders {name} from coalescent {{ effective_size 200  pool 120  sample 60 by kmedoids  seed 2024 }}"


def strategy_graph(strategy: str, settings: StudySettings, seed: int, schemes_dir: Path = SCHEMES_DIR, *,
                   founders_seed: int | None = None):
    """The strategy's scheme compiled, with the trait replicate's seed and the study's budget;
    ``founders_seed`` (default: the settings' ``panel``) replaces the founders block's own seed
    (another founder panel)."""
    from bsl import api
    from bsl.diagnostics import BslError, Diagnostic
    from bsl.ir.graph import ExecutionGraph
    from bsl.source import SourceFile

    path = schemes_dir / f"{strategy.lower()}.bsl"
    if not path.is_file():
        raise BslError(Diagnostic("BSL001", f"scheme file `{path}` does not exist", path=str(path),
                                  hint="the study reads schemes/02_hamazaki2024/ of a source checkout"))
    text = path.read_text(encoding="utf-8")
    if settings.small_founders:
        text = _small_founders(text, path)
    if settings.genome_founders:
        text = _genome_founders(text, path)
    if founders_seed is None:
        founders_seed = settings.panel
    if founders_seed is not None:
        text = _founders_seed(text, path, founders_seed)
    graph = api.load(SourceFile(str(path), text))
    program = graph.program
    spec = program.optimize
    if spec is not None:
        spec = replace(spec, evaluations=settings.evaluations, final_replicates=settings.final_replicates,
                       replicates_per_evaluation=settings.replicates_per_evaluation)
        if spec.method != settings.optimizer:  # the block's settings belong to its own method
            spec = replace(spec, method=settings.optimizer, options=())
    program = replace(program, seed=seed, optimize=spec)
    return ExecutionGraph(program, graph.ops, graph.simulate_loci, list(graph.passes))


GENOME_BLOCK = re.compile(r"^genome\s*\{[^}]*\}", re.M)
FOUNDERS_BLOCK = re.compile(r"^founders\s+(\w+)\s+from\s+coalescent\s*\{[^}]*\}", re.M)


def _small_founders(text: str, path: Path) -> str:
    if len(GENOME_BLOCK.findall(text)) != 1 or len(FOUNDERS_BLOCK.findall(text)) != 1:
        raise ValueError(f"{path}: --small-founders needs one `genome` and one coalescent `founders` block")
    text = GENOME_BLOCK.sub(SMALL_GENOME, text)
    return FOUNDERS_BLOCK.sub(lambda m: SMALL_FOUNDERS.format(name=m.group(1)), text)


def _edit_founders(text: str, path: Path, purpose: str, edit) -> str:
    """The scheme with ``edit`` applied to the text of its one coalescent founders block."""
    if len(FOUNDERS_BLOCK.findall(text)) != 1:
        raise ValueError(f"{path}: {purpose} needs one coalescent `founders` block")
    return FOUNDERS_BLOCK.sub(lambda m: edit(m.group(0)), text)


def _with_settings(block: str, settings) -> str:
    """A founders block's text with ``settings`` (lines such as ``seed 7``) added before its ``}``."""
    return block[:-1].rstrip() + "".join(f"\n  {s}" for s in settings) + "\n}"


def _founders_seed(text: str, path: Path, seed: int) -> str:
    """The scheme with its coalescent founders block's `seed` set to ``seed`` (added when it has none)."""
    def reseed(block: str) -> str:
        if re.search(r"\bseed\s+\d+", block):
            return re.sub(r"\bseed\s+\d+", f"seed {seed}", block)
        return _with_settings(block, [f"seed {seed}"])
    return _edit_founders(text, path, "another founder panel", reseed)


def _genome_founders(text: str, path: Path) -> str:
    """The scheme with GENOME_FOUNDERS added to its coalescent founders block."""
    return _edit_founders(text, path, "--genome-founders", lambda block: _with_settings(block, GENOME_FOUNDERS))


def _with_constant(graph, name: str, value):
    from bsl.ir.graph import ExecutionGraph
    program = replace(graph.program, constants={**graph.program.constants, name: value})
    return ExecutionGraph(program, graph.ops, graph.simulate_loci, list(graph.passes))


def _trace_rows(path: Path) -> int:
    """Finished evaluations in a trace (complete lines after the header); 0 when there is none."""
    if not path.is_file():
        return 0
    return max(0, path.read_bytes().count(b"\n") - 1)


class _Log:
    """Human progress on stderr: one line per step, optimizer progress every 20 seconds."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self._last = 0.0

    def __call__(self, message: str) -> None:
        if not self.quiet:
            print(message, file=sys.stderr, flush=True)

    def evaluations(self, prefix: str, durations: list[float]):
        """A progress callback for run_search that also keeps every evaluation's duration (s)."""
        last = [0.0]

        def progress(done: int, total: int, best: float, elapsed: float) -> None:
            durations.append(elapsed - last[0])
            last[0] = elapsed
            if time.monotonic() - self._last > 20 or done >= total:
                self._last = time.monotonic()
                rate = sum(durations) / len(durations)  # this session's evaluations only
                self(f"{prefix}: evaluation {done}/{total}, best {best:.5g}, {rate:.2f} s each")
        return progress


def run_task(out: Path, strategy: str, trait: int, seed: int, settings: StudySettings, *, schemes_dir: Path,
             device: str, log: _Log) -> None:
    """One strategy on one trait replicate: optimize (checkpointed) if it has a parameter, then the final run."""
    from bsl import api
    from bsl.io.results import write_results
    from bsl.optimize.search import BEST, TRACE, run_search

    folder = out / f"trait_{trait:02d}" / strategy.lower()
    if (folder / SUMMARY).is_file():
        return
    if (folder / "final" / "objectives.csv").is_file():  # finished before summaries existed
        write_json(folder / SUMMARY, summarize(folder / "final"))
        return
    folder.mkdir(parents=True, exist_ok=True)
    prefix = f"[trait {trait}/{settings.trait_replicates} · {strategy}]"
    graph = strategy_graph(strategy, settings, seed, schemes_dir)
    timing = read_json(folder / "timing.json")
    if graph.program.optimize is not None:
        if not (folder / BEST).is_file():
            before = _trace_rows(folder / TRACE)
            log(f"{prefix} optimizing h with {OPTIMIZERS[settings.optimizer]}: {settings.evaluations} evaluations x "
                f"{settings.replicates_per_evaluation} replicates" + (f", resuming after {before}" if before else ""))
            t0 = time.perf_counter()
            durations: list[float] = []
            result = run_search(graph, folder, resume=(folder / TRACE).is_file(), device=device,
                                progress=log.evaluations(prefix, durations), status=None, final=False)
            timing["optimize_seconds"] = timing.get("optimize_seconds", 0.0) + time.perf_counter() - t0
            timing["evaluations_timed"] = timing.get("evaluations_timed", 0) + result.evaluations - before
            if durations:  # the median resists bursts of load on a shared machine; the mean does not
                timing["evaluation_seconds_median"] = sorted(durations)[len(durations) // 2]
            write_json(folder / "timing.json", timing)
        best = read_json(folder / BEST)
        graph = _with_constant(graph, best["param"], best["values"])
    log(f"{prefix} final run: {settings.final_replicates} replicates")
    t0 = time.perf_counter()
    res = api.run(graph, reps=settings.final_replicates, device=device)
    write_results(folder / "final", cycles=res.cycles, objectives=res.objectives, manifest=res.manifest)
    timing["final_seconds"] = time.perf_counter() - t0
    timing["final_replicates"] = settings.final_replicates
    write_json(folder / "timing.json", timing)
    write_json(folder / SUMMARY, summarize(folder / "final"))



def _run_task_job(job: tuple) -> None:
    """run_task in a worker process (``--jobs``): torch threads as the parent, progress to stderr."""
    out, strategy, trait, seed, settings, schemes_dir, device, quiet, threads = job
    import torch
    torch.set_num_threads(threads)
    run_task(out, strategy, trait, seed, settings, schemes_dir=schemes_dir, device=device, log=_Log(quiet))


def _torch_threads() -> int:
    import torch
    return torch.get_num_threads()


def _founders_and_qtl(graph):
    """The trait replicate's architecture (founders from the cache, or simulated into it), the seconds
    it took and whether the founders were simulated (a new file in the cache) rather than loaded."""
    from bsl.runtime.architecture import build_architecture
    from bsl.runtime.founders import default_cache_dir

    cache = Path(default_cache_dir())
    before = set(cache.glob("founders-*.npz"))
    t0 = time.perf_counter()
    arch = build_architecture(graph.program, graph.simulate_loci, cache_dir=str(cache),
                              workers=min(4, os.cpu_count() or 1))
    seconds = time.perf_counter() - t0
    return arch, seconds, bool(set(cache.glob("founders-*.npz")) - before)


def run_study(out: Path, settings: StudySettings, *, resume: bool, command: str, device: str = "cpu",
              schemes_dir: Path = SCHEMES_DIR, log: _Log | None = None, jobs: int = 1) -> dict:
    """Run (or continue) every strategy on every trait replicate; return study.json's content."""
    from bsl.diagnostics import BslError, Diagnostic

    log = log or _Log()
    path = out / "study.json"
    if path.is_file() and not resume:
        raise BslError(Diagnostic("BSL533", f"{out} already holds a study", path="<command line>",
                                  hint="add --resume to continue it, or choose another --out"))
    study = read_json(path)
    if study:
        stored = StudySettings(**{**study["settings"], "strategies": tuple(study["settings"]["strategies"])})
        if replace(stored, trait_replicates=settings.trait_replicates) == settings and \
                settings.trait_replicates > stored.trait_replicates:  # more trait replicates: seeds go on
            study["settings"]["trait_replicates"] = settings.trait_replicates
            study["trait_seeds"] = [study["trait_seeds"][0] + k for k in range(settings.trait_replicates)]
        elif stored != settings:
            changed = [k for k in asdict(settings) if getattr(stored, k) != getattr(settings, k)]
            raise BslError(Diagnostic("BSL533", f"{out} was started with other settings ({', '.join(changed)})",
                                      path="<command line>",
                                      hint=f"resume with the same options: {study['sessions'][0]['command']}"))
    elif resume and not path.is_file():
        raise BslError(Diagnostic("BSL532", f"nothing to resume: {path} does not exist", path="<command line>",
                                  hint="run without --resume first"))
    if not study:
        from bsl import api
        from bsl.source import SourceFile
        eq = schemes_dir / "eq.bsl"
        base_seed = api.load(SourceFile(str(eq), eq.read_text(encoding="utf-8"))).program.seed
        study = {"settings": {**asdict(settings), "strategies": list(settings.strategies)},
                 "trait_seeds": [base_seed + k for k in range(settings.trait_replicates)],
                 "founders_seconds": {}, "sessions": []}
    out.mkdir(parents=True, exist_ok=True)
    session = {"command": command, "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "device": device, "torch_threads": _torch_threads(), "jobs": jobs, "wall_seconds": 0.0,
               "finished": False}
    study["sessions"].append(session)
    write_json(path, study)
    t0 = time.perf_counter()
    try:
        for k, seed in enumerate(study["trait_seeds"], start=1):
            # Founders and QTL in this process first, every session: the strategies' workers then load
            # the panel from the cache instead of each simulating it, and the founders are timed.
            log(f"[trait {k}/{settings.trait_replicates}] founders and QTL for seed {seed}")
            arch, seconds, simulated = _founders_and_qtl(strategy_graph("EQ", settings, seed, schemes_dir))
            if simulated:  # one panel serves every trait replicate: simulated once per cache folder
                study["founders_simulated_seconds"] = seconds
            else:
                study["founders_seconds"][str(k)] = seconds
            # The best genotype possible: favourable homozygote at every QTL, gv = sum |a| (x = +-1).
            study.setdefault("ideal_gv", {})[str(k)] = float(abs(arch.additive[:, 0]).sum())
            write_json(path, study)
            if jobs > 1:
                from concurrent.futures import ProcessPoolExecutor
                from multiprocessing import get_context
                todo = [(out, s, k, seed, settings, schemes_dir, device, log.quiet, _torch_threads())
                        for s in settings.strategies]
                with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
                    for _ in pool.map(_run_task_job, todo):
                        session["wall_seconds"] = time.perf_counter() - t0
                        write_json(path, study)
            else:
                for strategy in settings.strategies:
                    run_task(out, strategy, k, seed, settings, schemes_dir=schemes_dir, device=device, log=log)
                    session["wall_seconds"] = time.perf_counter() - t0
                    write_json(path, study)
        session["finished"] = True
    finally:
        session["wall_seconds"] = time.perf_counter() - t0
        session["load_average"] = round(os.getloadavg()[0], 2)  # timings on a shared machine need it
        write_json(path, study)
    return study


# ---- collecting -----------------------------------------------------------------------------
