"""What a finished step leaves behind, read back: summary.json (what the page needs of a final run's
results contract, small enough to keep in git), the per-strategy results, Table 1's improvements
and the timings with their full-size projection."""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

from bsl.studies.hamazaki2024.design import PAPER_SETTINGS, PAPER_TABLE1, STRATEGIES

SUMMARY = "summary.json"
ROOM = "room.json"  # the room sweep (room.py): EQ over founder panels x trait seeds
CROSSCHECK = "crosscheck.json"  # the reference R code's loop on the study's panel (crosscheck.py)
PAPER_MIN_TBVGVP = PAPER_TABLE1["TBVGVP"][0]  # 7.22 %: every trait of the paper left at least this much
QUANTILES = 1001  # quantiles of the final gain kept in a summary (every 0.1 %)
PER_CYCLE_METRICS = ("var(gv)", "mean(gv)", "genic_var(gv)")


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def write_json(path: Path, data: dict) -> None:
    """Write atomically (a temporary file, then os.replace), so a kill leaves the old or the new file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)




def cap_percent(room: float, eq_gain: float) -> float:
    """The most improvement over EQ (%) any strategy can reach on a trait whose room (ideal genotype's
    value minus the 5 best founders' mean) is ``room`` and on which EQ gains ``eq_gain``."""
    return 100.0 * (room - eq_gain) / eq_gain


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
                write_json(folder / SUMMARY, summarize(folder / "final"))
            sm = read_json(folder / SUMMARY)
            if not sm:
                continue
            best = folder / "best.json"
            results[(k, strategy)] = StrategyResult(
                sm["gain_mean"], sm["gain_sd"] / math.sqrt(max(sm["replicates"], 1)),
                np.asarray(sm["gain_quantiles"], dtype=float), sm["top5_start"],
                {m: np.asarray(v, dtype=float) for m, v in sm["per_cycle"].items()},
                read_json(best) if best.is_file() else None, read_json(folder / "timing.json"))
    return results


def improvements_by_trait(results: dict, study: dict) -> dict:
    """{strategy: {trait replicate: improvement over EQ (%)}} for every finished pair, in trait order."""
    out: dict = {}
    for k in range(1, len(study["trait_seeds"]) + 1):
        if (k, "EQ") not in results:
            continue
        eq = results[(k, "EQ")].gain_mean
        for s in study["settings"]["strategies"]:
            if s != "EQ" and (k, s) in results:
                out.setdefault(s, {})[k] = 100.0 * (results[(k, s)].gain_mean - eq) / abs(eq)
    return out


def improvements(results: dict, study: dict) -> dict:
    """{strategy: [improvement over EQ (%) per finished trait replicate]} (Table 1's raw numbers)."""
    return {s: list(by_trait.values()) for s, by_trait in improvements_by_trait(results, study).items()}


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
    loads = list(study["founders_seconds"].values())  # loading the cached panel and drawing the QTL
    per_load = max(loads) if loads else math.nan
    simulated = study.get("founders_simulated_seconds", math.nan)  # one panel for every trait replicate
    scale = PAPER_SETTINGS["replicates_per_evaluation"] / settings["replicates_per_evaluation"]
    full = {"optimize": sum(per_eval.get(s, math.nan) * scale for s in STRATEGIES[1:])
            * PAPER_SETTINGS["evaluations"] * PAPER_SETTINGS["trait_replicates"],
            "final": per_final * PAPER_SETTINGS["final_replicates"] * len(STRATEGIES)
            * PAPER_SETTINGS["trait_replicates"],
            "founders": (simulated if math.isfinite(simulated) else 0.0)  # untimed: the page says so
            + per_load * PAPER_SETTINGS["trait_replicates"]}
    full["total"] = sum(full.values())
    wall = sum(s["wall_seconds"] for s in study["sessions"])
    return {"per_evaluation": per_eval, "mean_evaluation": mean_eval, "per_final_replicate": per_final,
            "founders_simulated": simulated, "founders_load": per_load,
            "scale": scale, "full": full, "wall": wall}


