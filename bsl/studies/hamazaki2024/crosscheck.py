"""`python -m bsl.studies.hamazaki2024.crosscheck`: the reference code's own breeding loop on bsl's panel.

For a trait replicate of a finished study, this exports the study's founder panel (all loci, map in cM)
and the trait's QTL, runs reference_loop.R (myBreedSimulatR's crossInfo and population classes, from a
checkout the user names) with each strategy's optimized h from the study, and compares the reference's
gain and var(gv) per cycle with bsl's final runs (summary.json). Same founders, QTL, h and scheme: any
difference beyond the Monte Carlo error is a difference between the two simulators.

    python -m bsl.studies.hamazaki2024.crosscheck --study docs/reproductions/hamazaki2024/study \\
        --reference PATH/TO/myBreedSimulatR/R --trait 1 --strategies EQ,BVGVP --replicates 300 [--jobs 2] \\
        [--page docs/reproductions/hamazaki2024.md]

It writes STUDY/crosscheck/trait_NN/ (exported data, reference_STRATEGY.csv; git ignores this folder) and
STUDY/crosscheck.json, which the study's page shows (--page re-renders it).
"""
from __future__ import annotations

import argparse
import math
import shlex
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from bsl.optimize.search import BEST
from bsl.studies.hamazaki2024.design import STRATEGIES, StudySettings
from bsl.studies.hamazaki2024.results import CROSSCHECK, SUMMARY, read_json, write_json

R_SCRIPT = Path(__file__).with_name("reference_loop.R")
# EQ-best: the reference's EQ with its leftover progeny on the best pairs (bsl's rule, the paper's text)
CROSSCHECK_STRATEGIES = ("EQ", "EQ-best") + STRATEGIES[1:]
CYCLES = 4


def export_trait(out: Path, settings: StudySettings, trait_seed: int) -> dict:
    """Write the study's founder panel and the trait's QTL as CSV for another simulator; returns what
    was written. haplotypes_1/2.csv: founders × loci 0/1 (no header); map.csv: chromosome, position_cM
    (1-based chromosomes); qtl.csv: locus (1-based, into the map's rows), effect a (gv = Σ (dosage − 1) a)."""
    from bsl.runtime.architecture import build_architecture
    from bsl.runtime.founders import default_cache_dir
    from bsl.studies.hamazaki2024.run import strategy_graph

    graph = strategy_graph("EQ", settings, trait_seed)
    arch = build_architecture(graph.program, "all", cache_dir=str(default_cache_dir()), workers=1)
    layout = arch.layout
    alleles = layout.unpack(arch.founders[next(iter(arch.founders))])  # (N, 2, L)
    out.mkdir(parents=True, exist_ok=True)
    for k in (0, 1):
        np.savetxt(out / f"haplotypes_{k + 1}.csv", alleles[:, k, :], fmt="%d", delimiter=",")
    positions = np.concatenate(layout.chromosome_positions) * 100.0  # Morgans -> cM
    with open(out / "map.csv", "w", encoding="utf-8") as fh:
        fh.write("chromosome,position_cM\n")
        fh.writelines(f"{c + 1},{p:.6f}\n" for c, p in zip(layout.chromosome, positions))
    with open(out / "qtl.csv", "w", encoding="utf-8") as fh:
        fh.write("locus,effect\n")
        fh.writelines(f"{q + 1},{a!r}\n" for q, a in zip(arch.qtl, arch.additive[:, 0].tolist()))
    return {"founders": int(alleles.shape[0]), "loci": int(alleles.shape[2]), "qtl": int(arch.qtl.size),
            "ideal_gv": float(np.abs(arch.additive[:, 0]).sum())}


def reference_table(path: Path) -> dict:
    """Per-cycle means and standard errors of the reference run's gain (top 5 minus cycle 0's) and
    var(gv), from reference_loop.R's CSV (columns top5_c, var_c for c = 0..4)."""
    data = np.genfromtxt(path, delimiter=",", names=True)
    n = data.size
    if n < 2:
        raise ValueError(f"{path}: needs at least 2 replicates, has {n}")

    def stats(x: np.ndarray) -> tuple[float, float]:
        return float(x.mean()), float(x.std(ddof=1) / math.sqrt(n))

    gains = [stats(data[f"top5_{c}"] - data["top5_0"]) for c in range(CYCLES + 1)]
    variances = [stats(data[f"var_{c}"]) for c in range(CYCLES + 1)]
    return {"replicates": int(n), "gain": [g[0] for g in gains], "gain_se": [g[1] for g in gains],
            "var": [v[0] for v in variances], "var_se": [v[1] for v in variances]}


def compare(reference: dict, summary: dict) -> dict:
    """The reference's per-cycle gain and var(gv) beside bsl's final runs, with z = (ref − bsl) / se
    (bsl's own error is a tenth of the reference's at 10,000 against 300 replicates and is left out)."""
    rows = []
    for c in range(1, CYCLES + 1):
        b_gain = summary["per_cycle"]["gain"][c]
        b_var = summary["per_cycle"]["var(gv)"][c]
        rows.append({"cycle": c, "bsl_gain": b_gain, "reference_gain": reference["gain"][c],
                     "reference_gain_se": reference["gain_se"][c],
                     "z_gain": (reference["gain"][c] - b_gain) / reference["gain_se"][c],
                     "bsl_var": b_var, "reference_var": reference["var"][c],
                     "reference_var_se": reference["var_se"][c],
                     "z_var": (reference["var"][c] - b_var) / reference["var_se"][c]})
    return {"reference_replicates": reference["replicates"], "bsl_replicates": summary["replicates"],
            "cycles": rows}


def h_argument(values: list[list[float]]) -> str:
    """A best.json's optimized values (cycle by cycle) as reference_loop.R's --h."""
    return ",".join(repr(float(x)) for row in values for x in row)


def run_reference(reference: Path, data: Path, strategy: str, h: str, replicates: int, seed: int,
                  out: Path) -> float:
    """reference_loop.R for one strategy; returns its wall seconds. Raises on failure with R's message."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        raise RuntimeError("Rscript is not on PATH (install R: bash scripts/setup-r.sh)")
    # R reads a script as it runs it: a copy keeps a long run safe from an edit of (or update to) bsl's file.
    script = data / f"reference_loop_{strategy.lower()}.R"
    shutil.copyfile(R_SCRIPT, script)
    cmd = [rscript, str(script), "--reference", str(reference), "--data", str(data), "--strategy", strategy,
           "--replicates", str(replicates), "--seed", str(seed), "--out", str(out)]
    if h:
        cmd += ["--h", h]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"reference_loop.R failed for {strategy}:\n{proc.stderr.strip()}")
    return time.perf_counter() - t0


def run_crosscheck(study_dir: Path, reference: Path, trait: int, strategies: list[str], replicates: int,
                   jobs: int = 1, seed: int = 1, command: str = "") -> dict:
    study = read_json(study_dir / "study.json")
    if not study:
        raise ValueError(f"{study_dir} holds no study.json")
    stored = study["settings"]
    settings = StudySettings(**{**stored, "strategies": tuple(stored["strategies"])})
    if not 1 <= trait <= len(study["trait_seeds"]):
        raise ValueError(f"--trait {trait}: the study has trait replicates 1..{len(study['trait_seeds'])}")
    trait_seed = study["trait_seeds"][trait - 1]
    tasks = []
    for strategy in strategies:
        # EQ-best: EQ whose 10 leftover progeny go to the best pairs by mid-parent WBV (bsl's rule)
        folder = study_dir / f"trait_{trait:02d}" / strategy.lower().removesuffix("-best")
        if not (folder / SUMMARY).is_file():
            raise ValueError(f"{folder} has no {SUMMARY}: run the study for {strategy} first")
        values = None if strategy.startswith("EQ") else read_json(folder / BEST)["values"]
        tasks.append((strategy, folder, values))
    data = study_dir / "crosscheck" / f"trait_{trait:02d}"
    exported = export_trait(data, settings, trait_seed)

    def one(task):
        strategy, folder, values = task
        csv = data / f"reference_{strategy.lower()}.csv"
        seconds = run_reference(reference, data, strategy, h_argument(values) if values else "", replicates, seed, csv)
        return strategy, folder, values, seconds, csv

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        done = list(pool.map(one, tasks))
    result = read_json(study_dir / CROSSCHECK) or {"traits": {}}
    entry = result["traits"].setdefault(str(trait), {"seed": trait_seed, "export": exported, "strategies": {}})
    entry.update({"seed": trait_seed, "export": exported})
    if command:
        entry.setdefault("commands", [])
        if command not in entry["commands"]:
            entry["commands"].append(command)
    for strategy, folder, values, seconds, csv in done:
        row = compare(reference_table(csv), read_json(folder / SUMMARY))
        row.update({"h": values, "seconds": seconds, "seed": seed})
        entry["strategies"][strategy] = row
    result["reference"] = "myBreedSimulatR R/ classes (crossInfo, population), from " + str(reference)
    write_json(study_dir / CROSSCHECK, result)
    return result


def main(argv: list[str] | None = None) -> int:
    from bsl.studies.hamazaki2024.cli import _positive

    def strategies(text: str) -> tuple[str, ...]:
        chosen = tuple(s.strip().upper().replace("-BEST", "-best") for s in text.split(",") if s.strip())
        bad = [s for s in chosen if s not in CROSSCHECK_STRATEGIES]
        if bad or not chosen:
            raise argparse.ArgumentTypeError(f"unknown strategy {', '.join(bad) or '(none)'}; "
                                             f"choose from {', '.join(CROSSCHECK_STRATEGIES)}")
        return tuple(s for s in CROSSCHECK_STRATEGIES if s in chosen)

    p = argparse.ArgumentParser(prog="python -m bsl.studies.hamazaki2024.crosscheck",
                                description="Run the reference R code's breeding loop on a study's panel and "
                                            "trait and compare it with bsl's final runs.")
    p.add_argument("--study", type=Path, required=True, help="a study folder (python -m bsl.studies.hamazaki2024)")
    p.add_argument("--reference", type=Path, required=True,
                   help="the R/ folder of a myBreedSimulatR checkout (the paper's code: commit 281d546)")
    p.add_argument("--trait", type=_positive, default=1, help="trait replicate (default 1)")
    p.add_argument("--strategies", type=strategies, default=("EQ", "BVGVP"),
                   help=f"comma-separated, of {','.join(CROSSCHECK_STRATEGIES)} (default EQ,BVGVP; EQ-best: EQ "
                        "with its 10 leftover progeny on the best pairs by mid-parent WBV, bsl's rule)")
    p.add_argument("--replicates", type=_positive, default=300, help="reference simulations per strategy")
    p.add_argument("--jobs", type=_positive, default=1, help="strategies run at once (one R process each)")
    p.add_argument("--seed", type=int, default=1, help="R's set.seed for the reference runs")
    p.add_argument("--page", type=Path, default=None,
                   help="re-render the study's page with the comparison (e.g. docs/reproductions/hamazaki2024.md)")
    args = p.parse_args(argv)
    argv = sys.argv[1:] if argv is None else argv
    command = " ".join(["python -m bsl.studies.hamazaki2024.crosscheck", *map(shlex.quote, argv)])
    try:
        result = run_crosscheck(args.study, args.reference, args.trait, list(args.strategies), args.replicates,
                                jobs=args.jobs, seed=args.seed, command=command)
    except (ValueError, RuntimeError) as e:
        print(f"crosscheck: {e}", file=sys.stderr)
        return 1
    if args.page is not None:
        from bsl.studies.hamazaki2024.page import write_page
        print(f"page written to {write_page(args.study, args.page)}")
    for strategy, row in result["traits"][str(args.trait)]["strategies"].items():
        last = row["cycles"][-1]
        print(f"{strategy}: final gain reference {last['reference_gain']:.4f} ± {last['reference_gain_se']:.4f}, "
              f"bsl {last['bsl_gain']:.4f} (z {last['z_gain']:+.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
