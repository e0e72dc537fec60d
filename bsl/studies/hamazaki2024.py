"""The Hamazaki & Iwata (2024) study: the seven progeny-allocation strategies of
schemes/02_hamazaki2024 run on every trait replicate, and the page that compares them with the
paper's Table 1, Fig. 3A/3B/3D and Table 2.

    python -m bsl.studies.hamazaki2024 --out DIR [--evaluations N] [--trait-replicates K]
        [--final-replicates F] [--replicates-per-evaluation R] [--resume] [--page FILE]
        [--strategies EQ,BV,...] [--small-founders] [--threads T] [--device cpu|cuda]

Trait replicate k runs every scheme with seed ``seed + k - 1``; the scheme's `seed` draws the QTL
and the simulations, while the founders block's own `seed` keeps one founder panel for all. DIR holds study.json (settings, trait seeds, sessions with their wall
time) and, for trait replicate k and strategy s, ``trait_kk/s/``: the optimization's trace.csv and
best.json (bsl.optimize.search: every evaluation on disk before the next starts), timing.json,
``final/``, the results contract of the strategy run with F replicates, and summary.json, what the
page needs of ``final/`` (mean, s.d. and 1,001 quantiles of the final gain, per-cycle means). A step
whose summary.json exists is done; ``--resume`` skips it and continues an interrupted optimization
from its trace. A resumed study keeps its settings, except that ``--trait-replicates`` may grow.
The page is rendered from study.json, the summaries, best.json and timing.json alone, so those small
files (docs/reproductions/hamazaki2024/study/, trace.csv and final/ left out by .gitignore) are
all a later session needs to carry the study on. ``--jobs N`` runs N strategies at once.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import shlex
import sys
import time
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

STRATEGIES = ("EQ", "BV", "WBV", "TBV", "BVGVP", "WBVGVP", "TBVGVP")
SCHEMES_DIR = Path(__file__).resolve().parents[2] / "schemes" / "02_hamazaki2024"
DEFAULT_PAGE = Path("docs") / "reproductions" / "hamazaki2024.md"

# Hamazaki & Iwata (2024), Front. Plant Sci. 15:1361894: Table 1 used 4,000 evaluations x 50
# simulations per strategy and trait, and 10,000 simulations to compare the answers.
PAPER_SETTINGS = {"evaluations": 4000, "trait_replicates": 10, "final_replicates": 10000,
                  "replicates_per_evaluation": 50}
PAPER_TABLE1 = {  # improvement in final gain over EQ (%): min, mean, max over ten traits
    "BV": (0.00, 2.97, 4.89), "WBV": (2.07, 2.88, 3.89), "TBV": (2.11, 3.52, 5.86),
    "BVGVP": (6.40, 8.63, 12.4), "WBVGVP": (6.99, 8.28, 9.95), "TBVGVP": (7.22, 9.33, 12.4)}
PAPER_TABLE2 = {  # optimized h for generations tau = 0..3 after 20,000 evaluations (one trait)
    ("BV", "BV"): (1.00, 0.33, 1.67, 1.89),
    ("BVGVP", "BV"): (1.00, 1.00, 1.67, 1.67), ("BVGVP", "GVP"): (0.33, 1.00, 1.67, 1.67)}
PAPER_FIG3B = {  # share of the 10,000 simulations whose final gain passed the local optimum near 1.15 (%)
    "EQ": 1.85, "BV": 16.0, "WBV": 16.4, "TBV": 30.1, "BVGVP": 55.1, "WBVGVP": 47.6, "TBVGVP": 49.4}
STYLE = {  # Fig. 3: EQ black; BV orange, WBV blue, both red; dashed without GVP, solid with it
    "EQ": ("#000000", ""), "BV": ("#e69f00", "7,4"), "WBV": ("#0072b2", "7,4"), "TBV": ("#d62728", "7,4"),
    "BVGVP": ("#e69f00", ""), "WBVGVP": ("#0072b2", ""), "TBVGVP": ("#d62728", "")}
# --small-founders: the same program on a small coalescent panel, for tests and smoke runs.
SMALL_GENOME = "genome { chromosomes 10  loci_per_chromosome 40  length 1 M  map kosambi }"
SMALL_FOUNDERS = "founders {name} from coalescent {{ effective_size 200  pool 120  sample 60 by kmedoids  seed 2024 }}"


@dataclass(frozen=True)
class StudySettings:
    """What the study runs; a resumed study has the same settings (only trait_replicates may grow)."""

    evaluations: int = 4000
    trait_replicates: int = 10
    final_replicates: int = 10000
    replicates_per_evaluation: int = 50
    strategies: tuple[str, ...] = STRATEGIES
    small_founders: bool = False

    def departures(self) -> list[str]:
        """How these settings fall short of the paper's Table 1, in words; empty at full size."""
        out = [f"{k.replace('_', ' ')} {getattr(self, k)} (paper {v})" for k, v in PAPER_SETTINGS.items()
               if getattr(self, k) != v]
        if self.strategies != STRATEGIES:
            out.append(f"strategies {', '.join(self.strategies)} only")
        if self.small_founders:
            out.append("small founders (--small-founders)")
        return out


# ---- running --------------------------------------------------------------------------------

def strategy_graph(strategy: str, settings: StudySettings, seed: int, schemes_dir: Path = SCHEMES_DIR):
    """The strategy's scheme compiled, with the trait replicate's seed and the study's budget."""
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
    graph = api.load(SourceFile(str(path), text))
    program = graph.program
    spec = program.optimize
    if spec is not None:
        spec = replace(spec, evaluations=settings.evaluations, final_replicates=settings.final_replicates,
                       replicates_per_evaluation=settings.replicates_per_evaluation)
    program = replace(program, seed=seed, optimize=spec)
    return ExecutionGraph(program, graph.ops, graph.simulate_loci, list(graph.passes))


def _small_founders(text: str, path: Path) -> str:
    genome = re.compile(r"^genome\s*\{[^}]*\}", re.M)
    founders = re.compile(r"^founders\s+(\w+)\s+from\s+coalescent\s*\{[^}]*\}", re.M)
    if len(genome.findall(text)) != 1 or len(founders.findall(text)) != 1:
        raise ValueError(f"{path}: --small-founders needs one `genome` and one coalescent `founders` block")
    text = genome.sub(SMALL_GENOME, text)
    return founders.sub(lambda m: SMALL_FOUNDERS.format(name=m.group(1)), text)


def _with_constant(graph, name: str, value):
    from bsl.ir.graph import ExecutionGraph
    program = replace(graph.program, constants={**graph.program.constants, name: value})
    return ExecutionGraph(program, graph.ops, graph.simulate_loci, list(graph.passes))


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


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
        _write_json(folder / SUMMARY, summarize(folder / "final"))
        return
    folder.mkdir(parents=True, exist_ok=True)
    prefix = f"[trait {trait}/{settings.trait_replicates} · {strategy}]"
    graph = strategy_graph(strategy, settings, seed, schemes_dir)
    timing = _read_json(folder / "timing.json")
    if graph.program.optimize is not None:
        if not (folder / BEST).is_file():
            before = _trace_rows(folder / TRACE)
            log(f"{prefix} optimizing h with StoSOO: {settings.evaluations} evaluations x "
                f"{settings.replicates_per_evaluation} replicates" + (f", resuming after {before}" if before else ""))
            t0 = time.perf_counter()
            durations: list[float] = []
            result = run_search(graph, folder, resume=(folder / TRACE).is_file(), device=device,
                                progress=log.evaluations(prefix, durations), status=None, final=False)
            timing["optimize_seconds"] = timing.get("optimize_seconds", 0.0) + time.perf_counter() - t0
            timing["evaluations_timed"] = timing.get("evaluations_timed", 0) + result.evaluations - before
            if durations:  # the median resists bursts of load on a shared machine; the mean does not
                timing["evaluation_seconds_median"] = sorted(durations)[len(durations) // 2]
            _write_json(folder / "timing.json", timing)
        best = _read_json(folder / BEST)
        graph = _with_constant(graph, best["param"], best["values"])
    log(f"{prefix} final run: {settings.final_replicates} replicates")
    t0 = time.perf_counter()
    res = api.run(graph, reps=settings.final_replicates, device=device)
    write_results(folder / "final", cycles=res.cycles, objectives=res.objectives, manifest=res.manifest)
    timing["final_seconds"] = time.perf_counter() - t0
    timing["final_replicates"] = settings.final_replicates
    _write_json(folder / "timing.json", timing)
    _write_json(folder / SUMMARY, summarize(folder / "final"))


SUMMARY = "summary.json"
QUANTILES = 1001  # quantiles of the final gain kept in a summary (every 0.1 %)
PER_CYCLE_METRICS = ("var(gv)", "mean(gv)", "genic_var(gv)")


def summarize(final: Path) -> dict:
    """What the page needs of a final run's results contract, small enough to keep in git: the final
    gain's mean, s.d., count and 1,001 quantiles, the 5 best founders' mean gv, and per-cycle means
    over replicates of the top-5 gain and of var(gv), mean(gv) and genic_var(gv)."""
    import numpy as np
    import pandas as pd

    obj = pd.read_csv(final / "objectives.csv")
    gains = obj.loc[obj["objective"] == "gain", "value"].to_numpy(dtype=float)
    cyc = pd.read_parquet(final / "cycles.parquet")
    top = cyc[cyc["metric"] == "top(5, gv)"].pivot(index="replicate", columns="cycle", values="value")
    per_cycle = {"gain": top.sub(top[0], axis=0).mean().tolist()}
    for metric in PER_CYCLE_METRICS:
        per_cycle[metric] = cyc[cyc["metric"] == metric].groupby("cycle")["value"].mean().tolist()
    return {"replicates": int(gains.size), "gain_mean": float(gains.mean()),
            "gain_sd": float(gains.std(ddof=1)) if gains.size > 1 else 0.0,
            "gain_quantiles": [round(float(q), 6) for q in np.quantile(gains, np.linspace(0, 1, QUANTILES))],
            "top5_start": float(top[0].mean()), "per_cycle": per_cycle}


def _run_task_job(job: tuple) -> None:
    """run_task in a worker process (``--jobs``): torch threads as the parent, progress to stderr."""
    out, strategy, trait, seed, settings, schemes_dir, device, quiet, threads = job
    import torch
    torch.set_num_threads(threads)
    run_task(out, strategy, trait, seed, settings, schemes_dir=schemes_dir, device=device, log=_Log(quiet))


def _torch_threads() -> int:
    import torch
    return torch.get_num_threads()


def run_study(out: Path, settings: StudySettings, *, resume: bool, command: str, device: str = "cpu",
              schemes_dir: Path = SCHEMES_DIR, log: _Log | None = None, jobs: int = 1) -> dict:
    """Run (or continue) every strategy on every trait replicate; return study.json's content."""
    from bsl.diagnostics import BslError, Diagnostic
    from bsl.runtime.architecture import build_architecture
    from bsl.runtime.founders import default_cache_dir

    log = log or _Log()
    path = out / "study.json"
    if path.is_file() and not resume:
        raise BslError(Diagnostic("BSL533", f"{out} already holds a study", path="<command line>",
                                  hint="add --resume to continue it, or choose another --out"))
    study = _read_json(path)
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
    _write_json(path, study)
    t0 = time.perf_counter()
    try:
        for k, seed in enumerate(study["trait_seeds"], start=1):
            if str(k) not in study.setdefault("ideal_gv", {}):
                log(f"[trait {k}/{settings.trait_replicates}] founders and QTL for seed {seed}")
                graph = strategy_graph("EQ", settings, seed, schemes_dir)
                t1 = time.perf_counter()
                arch = build_architecture(graph.program, graph.simulate_loci, cache_dir=default_cache_dir(),
                                          workers=min(4, os.cpu_count() or 1))
                study["founders_seconds"].setdefault(str(k), time.perf_counter() - t1)
                # The best genotype possible: favourable homozygote at every QTL, gv = sum |a| (x = +-1).
                study["ideal_gv"][str(k)] = float(abs(arch.additive[:, 0]).sum())
            if jobs > 1:
                from concurrent.futures import ProcessPoolExecutor
                from multiprocessing import get_context
                todo = [(out, s, k, seed, settings, schemes_dir, device, log.quiet, _torch_threads())
                        for s in settings.strategies]
                with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
                    for _ in pool.map(_run_task_job, todo):
                        session["wall_seconds"] = time.perf_counter() - t0
                        _write_json(path, study)
            else:
                for strategy in settings.strategies:
                    run_task(out, strategy, k, seed, settings, schemes_dir=schemes_dir, device=device, log=log)
                    session["wall_seconds"] = time.perf_counter() - t0
                    _write_json(path, study)
        session["finished"] = True
    finally:
        session["wall_seconds"] = time.perf_counter() - t0
        session["load_average"] = round(os.getloadavg()[0], 2)  # timings on a shared machine need it
        _write_json(path, study)
    return study


# ---- collecting -----------------------------------------------------------------------------

@dataclass
class StrategyResult:
    """One strategy on one trait replicate, read back from its folder's summary.json."""

    gain_mean: float  # mean final gain over the final replicates
    gain_se: float  # its standard error
    gain_quantiles: "object"  # np.ndarray (QUANTILES,): quantiles of the final gain at linspace(0, 1)
    top5_start: float  # mean gv of the 5 best founders (cycle 0; the same in every replicate)
    per_cycle: dict  # metric -> (cycles,) mean over replicates: "gain" (top-5 vs cycle 0), "var(gv)", ...
    weights: dict | None  # best.json, None for EQ
    timing: dict

    def quantile(self, probs):
        """Quantiles of the final gain at ``probs`` (linear between the stored ones)."""
        import numpy as np
        q = np.asarray(self.gain_quantiles, dtype=float)
        return np.interp(probs, np.linspace(0.0, 1.0, q.size), q)


def collect(out: Path, study: dict) -> dict:
    """{(trait, strategy): StrategyResult} for every finished step (one with a summary.json)."""
    import numpy as np

    results = {}
    for k in range(1, len(study["trait_seeds"]) + 1):
        for strategy in study["settings"]["strategies"]:
            folder = out / f"trait_{k:02d}" / strategy.lower()
            if not (folder / SUMMARY).is_file() and (folder / "final" / "objectives.csv").is_file():
                _write_json(folder / SUMMARY, summarize(folder / "final"))
            sm = _read_json(folder / SUMMARY)
            if not sm:
                continue
            best = folder / "best.json"
            results[(k, strategy)] = StrategyResult(
                sm["gain_mean"], sm["gain_sd"] / math.sqrt(max(sm["replicates"], 1)),
                np.asarray(sm["gain_quantiles"], dtype=float), sm["top5_start"],
                {m: np.asarray(v, dtype=float) for m, v in sm["per_cycle"].items()},
                _read_json(best) if best.is_file() else None, _read_json(folder / "timing.json"))
    return results


def improvements(results: dict, study: dict) -> dict:
    """{strategy: [improvement over EQ (%) per finished trait replicate]} (Table 1's raw numbers)."""
    out: dict = {}
    for k in range(1, len(study["trait_seeds"]) + 1):
        if (k, "EQ") not in results:
            continue
        eq = results[(k, "EQ")].gain_mean
        for s in study["settings"]["strategies"]:
            if s != "EQ" and (k, s) in results:
                out.setdefault(s, []).append(100.0 * (results[(k, s)].gain_mean - eq) / abs(eq))
    return out


def timings(results: dict, study: dict) -> dict:
    """Measured cost per evaluation (per strategy), per final replicate, and the full-size projection."""
    settings = study["settings"]
    mean_eval: dict = {}
    median_eval: dict = {}
    for (k, s), r in results.items():
        if r.timing.get("evaluations_timed"):
            mean_eval.setdefault(s, []).append(r.timing["optimize_seconds"] / r.timing["evaluations_timed"])
            median_eval.setdefault(s, []).append(r.timing.get("evaluation_seconds_median", mean_eval[s][-1]))
    mean_eval = {s: sum(v) / len(v) for s, v in mean_eval.items()}
    per_eval = {s: sum(v) / len(v) for s, v in median_eval.items()}  # what the projection uses
    finals = [r.timing["final_seconds"] / r.timing["final_replicates"] for r in results.values()
              if r.timing.get("final_replicates")]
    per_final = sum(finals) / len(finals) if finals else math.nan
    founders = [v for v in study["founders_seconds"].values()]
    per_founders = max(founders) if founders else math.nan
    scale = PAPER_SETTINGS["replicates_per_evaluation"] / settings["replicates_per_evaluation"]
    full = {"optimize": sum(per_eval.get(s, math.nan) * scale for s in STRATEGIES[1:])
            * PAPER_SETTINGS["evaluations"] * PAPER_SETTINGS["trait_replicates"],
            "final": per_final * PAPER_SETTINGS["final_replicates"] * len(STRATEGIES)
            * PAPER_SETTINGS["trait_replicates"],
            "founders": per_founders * PAPER_SETTINGS["trait_replicates"]}
    full["total"] = sum(full.values())
    wall = sum(s["wall_seconds"] for s in study["sessions"])
    return {"per_evaluation": per_eval, "mean_evaluation": mean_eval, "per_final_replicate": per_final, "founders": per_founders,
            "scale": scale, "full": full, "wall": wall}


# ---- figures -------------------------------------------------------------------------------

def write_figures(results: dict, study: dict, folder: Path, trait: int = 1) -> dict[str, str]:
    """Fig. 3A (gain over cycles), 3B (CDF of the final gain) and 3D (genetic variance) for one trait."""
    import numpy as np

    from bsl.io import svg

    present = [s for s in study["settings"]["strategies"] if (trait, s) in results]
    if not present:
        return {}
    folder.mkdir(parents=True, exist_ok=True)
    cycles = list(range(len(results[(trait, present[0])].per_cycle["gain"])))
    probs = np.linspace(0.0, 1.0, 401)
    figures = {
        "fig3a_gain.svg": svg.lines(STYLE, [(s, cycles, list(results[(trait, s)].per_cycle["gain"])) for s in present],
                                    title="A · genetic gain (top 5) over cycles", xlabel="cycle",
                                    ylabel="gain: top-5 gv minus cycle 0", integer_x=True),
        "fig3b_cdf.svg": svg.lines(STYLE, [(s, list(results[(trait, s)].quantile(probs)), list(100 * probs))
                                    for s in present], title="B · final gain across simulations (CDF)",
                                   xlabel="final gain at cycle 4", ylabel="percentile of simulations (%)"),
        "fig3d_variance.svg": svg.lines(STYLE, [(s, cycles, list(results[(trait, s)].per_cycle["var(gv)"]))
                                         for s in present], title="D · genetic variance over cycles",
                                        xlabel="cycle", ylabel="var(gv)", integer_x=True),
    }
    for name, text in figures.items():
        (folder / name).write_text(text, encoding="utf-8")
    return figures


# ---- the page -------------------------------------------------------------------------------

def _fmt_time(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "n/a"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def render_page(out: Path, study: dict, results: dict, figures_dir: str) -> str:
    """The reproduction page (Markdown), from the study folder's contents."""
    import numpy as np

    from bsl import __version__
    from bsl.io.provenance import package_versions

    st = study["settings"]
    settings = StudySettings(**{**st, "strategies": tuple(st["strategies"])})
    strategies = st["strategies"]
    optimized = [s for s in strategies if s != "EQ"]
    imp = improvements(results, study)
    tm = timings(results, study)
    seeds = study["trait_seeds"]
    done = len(results)
    total = len(seeds) * len(strategies)
    versions = package_versions()
    L: list[str] = []
    add = L.append
    add("# Hamazaki & Iwata (2024) reproduced: Table 1, Figure 3 and Table 2")
    add("")
    add("Generated by `python -m bsl.studies.hamazaki2024` from its study folder; do not edit by hand. "
        "The paper: K. Hamazaki and H. Iwata (2024), *AI-assisted selection of mating pairs through "
        "simulation-based optimized progeny allocation strategies in plant breeding*, Front. Plant Sci. "
        "15:1361894. The seven strategies are the schemes in "
        "[schemes/02_hamazaki2024/](../../schemes/02_hamazaki2024/).")
    add("")
    departures = settings.departures()
    if departures:
        add(f"> **Reduced study.** This is not the paper's full design: {'; '.join(departures)}. "
            f"The full-size study is `python -m bsl.studies.hamazaki2024 --out runs/hamazaki2024`, projected "
            f"at **{_fmt_time(tm['full']['total'])}** on this machine from the timings measured below.")
        add("")
    if done < total:
        add(f"> **Unfinished:** {done} of {total} strategy × trait runs are done; resume with `--resume`.")
        add("")
    add("## What was run")
    add("")
    add("| | |")
    add("|---|---|")
    for i, s in enumerate(study["sessions"], start=1):
        add(f"| command{f' (session {i})' if len(study['sessions']) > 1 else ''} | `{s['command']}` |")
    add(f"| strategies | {', '.join(strategies)} |")
    add(f"| trait replicates | {len(seeds)} (scheme `seed` {', '.join(map(str, seeds))}: QTL positions and "
        f"effects of each; one founder panel) |")
    add(f"| optimization | StoSOO, {st['evaluations']} evaluations × {st['replicates_per_evaluation']} "
        f"simulations, h in [0, 2] starting at 1 |")
    add(f"| final comparison | {st['final_replicates']} simulations per strategy and trait replicate |")
    add("| founders | " + ("small test panel (`--small-founders`)" if st["small_founders"] else
                          "msprime coalescent, Ne 2000, pool 2000, 250 by k-medoids, 10 chromosomes × 500 loci × 10 M "
                          "(simulated as independent 1 M pieces), kosambi") + " |")
    loads = [str(s["load_average"]) for s in study["sessions"] if "load_average" in s]
    add(f"| wall time | {_fmt_time(tm['wall'])} in {len(study['sessions'])} session(s), "
        f"{os.cpu_count()} CPU cores, device {study['sessions'][-1]['device']}, torch threads "
        f"{', '.join(sorted({str(s.get('torch_threads', '?')) for s in study['sessions']}))}"
        + (f"; 1-minute load average at the end of each session: {', '.join(loads)}" if loads else "") + " |")
    add(f"| software | bsl {__version__}, torch {versions.get('torch')}, msprime {versions.get('msprime')}, "
        f"Python {versions.get('python')} |")
    add("")
    add("## Table 1: improvement in final genetic gain over equal allocation (EQ)")
    add("")
    add("Improvement = (mean final gain of the strategy − mean final gain of EQ) / mean final gain of EQ, "
        "per trait replicate; min, mean and max over the trait replicates.")
    add("")
    add("| strategy | min (%) | mean (%) | max (%) | beats EQ | paper min | paper mean | paper max |")
    add("|---|---:|---:|---:|---:|---:|---:|---:|")
    for s in optimized:
        v = imp.get(s, [])
        p = PAPER_TABLE1[s]
        ours = (f"{min(v):.2f} | {sum(v) / len(v):.2f} | {max(v):.2f} | {sum(x > 0 for x in v)}/{len(v)}"
                if v else "– | – | – | –")
        add(f"| {s} | {ours} | {p[0]:.2f} | {p[1]:.2f} | {p[2]:.3g} |")
    add("")
    if imp:
        every = all(x > 0 for v in imp.values() for x in v) and set(imp) == set(optimized)
        tbvgvp = imp.get("TBVGVP")
        verdict = ("n/a" if not tbvgvp else f"{sum(tbvgvp) / len(tbvgvp):.2f} % "
                   f"({'≥' if sum(tbvgvp) / len(tbvgvp) >= 7 else '<'} 7 %)")
        add(f"Every optimized strategy beats EQ on every trait replicate: **{'yes' if every else 'no'}**. "
            f"TBVGVP's mean improvement: **{verdict}** (paper: 9.33 %, range 7.22–12.4 %).")
        add("")
    add("### Final gain per trait replicate (the numbers behind Table 1; Fig. 3C of the paper)")
    add("")
    add("Mean final gain ± its standard error over the final simulations.")
    add("")
    add("| trait replicate (seed) | " + " | ".join(strategies) + " | room | EQ's share of it | most improvement possible |")
    add("|---|" + "---:|" * (len(strategies) + 3))
    for k, seed in enumerate(seeds, start=1):
        cells = []
        for s in strategies:
            r = results.get((k, s))
            cells.append("–" if r is None else
                         f"{r.gain_mean:.4f} ± {r.gain_se:.4f}")
        room = ["–", "–", "–"]
        eq = results.get((k, "EQ"))
        if eq is not None and str(k) in study.get("ideal_gv", {}):
            gap, eq_gain = study["ideal_gv"][str(k)] - eq.top5_start, eq.gain_mean
            room = [f"{gap:.4f}", f"{100 * eq_gain / gap:.1f} %", f"{100 * (gap - eq_gain) / eq_gain:.2f} %"]
        add(f"| {k} ({seed}) | " + " | ".join(cells) + " | " + " | ".join(room) + " |")
    add("")
    add("Room: the largest final gain possible, the genetic value of the ideal genotype (favourable "
        "homozygote at every QTL, Σ|a|) minus the mean of the 5 best founders. No strategy can beat EQ by "
        "more than the room EQ leaves (the last column, comparable with Table 1).")
    add("")
    add(f"## Figure 3: trait replicate 1, {st['final_replicates']} simulations per strategy")
    add("")
    add("Dashed: optimized without GVP; solid: with GVP; black: EQ (the paper's styles).")
    add("")
    for name, caption in (("fig3a_gain.svg", "A: gain over cycles"), ("fig3b_cdf.svg", "B: CDF of the final gain"),
                          ("fig3d_variance.svg", "D: genetic variance over cycles")):
        add(f"![{caption}]({figures_dir}/{name})")
        add("")
    present = [s for s in strategies if (1, s) in results and results[(1, s)].per_cycle]
    if present:
        cycles = range(len(results[(1, present[0])].per_cycle["gain"]))
        add("| strategy | " + " | ".join(f"gain, cycle {c}" for c in cycles if c) + " | "
            + " | ".join(f"var(gv), cycle {c}" for c in cycles) + " |")
        add("|---|" + "---:|" * (2 * len(cycles) - 1))
        for s in present:
            pc = results[(1, s)].per_cycle
            add(f"| {s} | " + " | ".join(f"{pc['gain'][c]:.4f}" for c in cycles if c) + " | "
                + " | ".join(f"{pc['var(gv)'][c]:.4f}" for c in cycles) + " |")
        add("")
        add("Percentiles of the final gain (Fig. 3B read at 1, 10, 50, 90 and 99 %):")
        add("")
        add("| strategy | 1 % | 10 % | 50 % | 90 % | 99 % | paper: share above its local optimum ≈ 1.15 |")
        add("|---|---:|---:|---:|---:|---:|---:|")
        for s in present:
            q = results[(1, s)].quantile([0.01, 0.1, 0.5, 0.9, 0.99])
            add(f"| {s} | " + " | ".join(f"{x:.4f}" for x in q) + f" | {PAPER_FIG3B[s]} % |")
        add("")
    add("## Table 2: optimized weights h (trait replicate 1)")
    add("")
    add("Generation τ = cycle − 1 (the paper counts from 0). The paper's values are after 20,000 "
        "evaluations; its Table 2 shows BV and BVGVP only.")
    add("")
    add("| strategy | feature | τ = 0 | τ = 1 | τ = 2 | τ = 3 | paper τ = 0..3 | estimated gain (optimizer) | "
        "final gain |")
    add("|---|---|---:|---:|---:|---:|---|---:|---:|")
    for s in optimized:
        r = results.get((1, s))
        if r is None or r.weights is None:
            continue
        labels = [n.split(".", 1)[1] for n in r.weights["names"][:len(r.weights["values"][0])]]
        for j, lab in enumerate(labels):
            h = [row[j] for row in r.weights["values"]]
            paper = PAPER_TABLE2.get((s, lab))
            est = f"{r.weights['estimated_objective']:.4f}" if j == 0 else ""
            fin = f"{r.gain_mean:.4f}" if j == 0 else ""
            add(f"| {s if j == 0 else ''} | {lab} | " + " | ".join(f"{x:.3f}" for x in h) + " | "
                + (", ".join(f"{x:.2f}" for x in paper) if paper else "–") + f" | {est} | {fin} |")
    add("")
    add("## Timing and the full-size projection")
    add("")
    add("Seconds per evaluation: the median over evaluations (averaged over trait replicates), which the "
        "projection uses, and the mean (all the optimization's wall time over its evaluations), which "
        "includes bursts of load on a shared machine.")
    add("")
    add("| strategy | median s / evaluation | mean s / evaluation |")
    add("|---|---:|---:|")
    for s, v in tm["per_evaluation"].items():
        add(f"| {s} | {v:.3f} | {tm['mean_evaluation'][s]:.3f} |")
    add("")
    scale_note = ("" if tm["scale"] == 1 else
                  f" Evaluations were measured at {st['replicates_per_evaluation']} simulations and scaled "
                  f"linearly to 50 (×{tm['scale']:g}), which overstates the cost (fixed costs per evaluation).")
    add(f"A final-comparison simulation costs {tm['per_final_replicate'] * 1000:.2f} ms; founders and QTL for a "
        f"trait replicate took up to {_fmt_time(tm['founders'])} (simulated once, then cached). "
        f"The full study (6 optimized strategies × 10 trait replicates × 4,000 evaluations × 50 simulations, "
        f"then 7 × 10 × 10,000 final simulations) is projected at {_fmt_time(tm['full']['optimize'])} of "
        f"optimization + {_fmt_time(tm['full']['final'])} of final runs + {_fmt_time(tm['full']['founders'])} "
        f"of founders = **{_fmt_time(tm['full']['total'])}** on this machine.{scale_note}")
    add("")
    add("## Differences from the paper")
    add("")
    for line in DIFFERENCES:
        add(f"- {line}")
    add("")
    return "\n".join(L)


DIFFERENCES = (
    "**Chromosome length.** The paper ran GENOME with `-pieces 100000 -rec 0.0001`, which is how "
    "myBreedSimulatR (`lociInfo`) encodes a chromosome of 1,000 cM: its SCOBS scripts set `lChr = 1000`, "
    "`nPiecesPerChr = lChr / 100 / rec` and place a SNP at (its fraction of the chromosome) × 100 × "
    "(pieces − 1) × rec cM. So the ten chromosomes are 10 M each and the two QTL of a chromosome are "
    "nearly unlinked; the schemes say `length 10 M` (an earlier version of this page used 1 M, which "
    "linked them). myBreedSimulatR turns map distance into recombination with Haldane's function although "
    "the paper names Kosambi's; the schemes keep Kosambi, and at 10 M the two differ little.",
    "**Founders.** The paper simulated 4,000 haplotypes per chromosome with GENOME, kept 500 loci of "
    "MAF ≥ 0.01, drew 2,000 founders by resampling haplotypes and mated them at random once; the schemes "
    "simulate 2,000 diploids with msprime (Ne 2,000), keep 500 loci per chromosome with `maf >= 0.01` and "
    "mate them at random once. msprime simulates each 10 M chromosome as ten independent 1 M pieces "
    "(`linked_length`, 40 s instead of 408 s a chromosome): loci more than 1 M apart are in linkage "
    "equilibrium in the founders, as they nearly are in a coalescent at 4·Ne·c ≥ 8,000. Both pick the 250 founders by k-medoids. The genealogies differ (GENOME's "
    "settings versus msprime's standard coalescent), so the allele-frequency spectrum at the QTL differs, "
    "and with it how much room EQ leaves to an allocation strategy (the room columns above).",
    "**Trait replicates.** As in the paper, one parent panel (the founders block's own `seed`) serves every "
    "trait replicate, and the scheme's `seed` redraws QTL positions and effects. Within a trait replicate "
    "all seven strategies share founders and QTL, so every improvement is a paired comparison.",
    "**Standardizing the features.** As in the reference code (myBreedSimulatR `computeWeightedBV`), the "
    "parents' BV and WBV (with WBV's allele frequencies) are computed and standardized in the population "
    "the parents were selected from (250 plants) before mid-parent values are taken; GVP is standardized "
    "over the 120 pairs.",
    "**Rounding.** Softmax counts are rounded as the reference code does (R `round`, then repaired to sum to "
    "250), not floored as Equation 1 writes; EQ gives the 10 leftover progeny to the pairs with the best "
    "mid-parent WBV, as the paper describes (the R code shuffles).",
    "**Budget.** Table 1 used 4,000 evaluations per strategy and trait; Table 2 and Fig. 3A/B/D used 20,000. "
    "This page uses the study's `--evaluations` for both.",
    "**True effects, h² = 1.** As in the paper, features use the true QTL effects.",
    "**QTL draw.** The paper drew 2 QTL per chromosome among all 500 loci; bsl draws them among the loci "
    "that segregate in the 250-plant panel. Every locus has MAF ≥ 0.01 in the 2,000-plant pool, so a "
    "panel of 500 haplotypes misses a locus's minor allele rarely (under e⁻⁵ for the rarest), and a QTL "
    "fixed in the panel would add only a constant to every strategy's gain.",
)


# ---- command line ---------------------------------------------------------------------------

def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value}")
    return value


def _strategies(text: str) -> tuple[str, ...]:
    chosen = tuple(s.strip().upper() for s in text.split(",") if s.strip())
    bad = [s for s in chosen if s not in STRATEGIES]
    if bad:
        raise argparse.ArgumentTypeError(f"unknown strategy {', '.join(bad)}; choose from {', '.join(STRATEGIES)}")
    if "EQ" not in chosen:
        raise argparse.ArgumentTypeError("the strategies must include EQ, the baseline of Table 1")
    return tuple(s for s in STRATEGIES if s in chosen)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bsl.studies.hamazaki2024",
                                description="Run the Hamazaki & Iwata (2024) study and write its reproduction page.")
    p.add_argument("--out", type=Path, required=True, help="study folder (checkpoints and results)")
    p.add_argument("--evaluations", type=_positive, default=PAPER_SETTINGS["evaluations"],
                   help="StoSOO evaluations per strategy and trait replicate (paper: 4000)")
    p.add_argument("--trait-replicates", type=_positive, default=PAPER_SETTINGS["trait_replicates"],
                   help="trait replicates: seeds seed, seed+1, ... of the schemes (paper: 10)")
    p.add_argument("--final-replicates", type=_positive, default=PAPER_SETTINGS["final_replicates"],
                   help="simulations comparing the strategies (paper: 10000)")
    p.add_argument("--replicates-per-evaluation", type=_positive,
                   default=PAPER_SETTINGS["replicates_per_evaluation"],
                   help="simulations averaged in one evaluation (paper: 50)")
    p.add_argument("--strategies", type=_strategies, default=STRATEGIES,
                   help=f"comma-separated subset of {','.join(STRATEGIES)} (EQ is required)")
    p.add_argument("--small-founders", action="store_true",
                   help="a small coalescent panel instead of the 2000-plant pool (tests and smoke runs)")
    p.add_argument("--resume", action="store_true", help="continue the study in --out")
    p.add_argument("--page", type=Path, default=DEFAULT_PAGE, help=f"page to write (default {DEFAULT_PAGE})")
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument("--threads", type=_positive, default=1,
                   help="torch CPU threads (default 1: an evaluation of 50 small simulations gains nothing from "
                        "more, and several threads on a busy machine can be ten times slower)")
    p.add_argument("--jobs", type=_positive, default=1,
                   help="strategies run at once in separate processes (one per core; default 1)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return p.parse_args(argv)


def write_page(out: Path, page: Path) -> Path:
    """Render the page and its figures (in a folder named after the page) from the study folder."""
    study = _read_json(out / "study.json")
    results = collect(out, study)
    figures = page.with_suffix("")
    write_figures(results, study, figures)
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(render_page(out, study, results, figures.name), encoding="utf-8")
    return page


def main(argv: list[str] | None = None) -> int:
    from bsl.diagnostics import BslError
    args = parse_args(argv)
    settings = StudySettings(args.evaluations, args.trait_replicates, args.final_replicates,
                             args.replicates_per_evaluation, args.strategies, args.small_founders)
    argv = sys.argv[1:] if argv is None else argv
    command = " ".join(["python -m bsl.studies.hamazaki2024", *map(shlex.quote, argv)])
    log = _Log(args.quiet)
    import torch
    torch.set_num_threads(args.threads)
    try:
        run_study(args.out, settings, resume=args.resume, command=command, device=args.device, log=log,
                  jobs=args.jobs)
    except BslError as err:
        print(err.render(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        log(f"interrupted; continue with: {command} --resume" if "--resume" not in argv else "interrupted")
        return 130
    finally:
        if (args.out / "study.json").is_file():
            log(f"page written to {write_page(args.out, args.page)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
