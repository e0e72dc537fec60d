"""`python -m bsl.studies.hamazaki2024.room`: how much improvement over EQ a trait draw leaves.

No strategy can raise the final gain above the room, the ideal genotype's value (favourable
homozygote at every QTL, Σ|a|) minus the mean of the 5 best founders. So a trait replicate on which
EQ already gains g caps every strategy's improvement over EQ at (room − g) / g: the cap. The paper's
smallest TBVGVP improvement (7.22 %, Table 1) says each of its ten traits had a cap at least that
large. This sweep runs EQ alone (no optimization, so it is cheap) over founder panels × trait seeds
and writes the caps to room.json in the study folder; the study's page shows their distribution.

    python -m bsl.studies.hamazaki2024.room --out docs/reproductions/hamazaki2024/study \\
        [--panels 2024,1,2,3] [--traits 20] [--replicates 1000] [--page FILE]

A panel is the founders block's `seed`; trait seed k is the scheme's `seed` 2024 + k − 1, as the
study's trait replicates (panel 2024, trait seeds 2024..2033 are the study's own ten).
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from bsl.studies.hamazaki2024.design import StudySettings
from bsl.studies.hamazaki2024.results import PAPER_MIN_TBVGVP, ROOM, cap_percent, read_json, write_json


def room_row(panel: int, trait_seed: int, replicates: int, settings: StudySettings) -> dict:
    """EQ on one founder panel and trait draw: its mean final gain, the room and the cap."""
    import numpy as np

    from bsl import api
    from bsl.studies.hamazaki2024.run import _founders_and_qtl, strategy_graph

    graph = strategy_graph("EQ", settings, trait_seed, founders_seed=panel)
    arch, _, _ = _founders_and_qtl(graph)
    ideal = float(np.abs(arch.additive[:, 0]).sum())
    res = api.run(graph, reps=replicates)
    gains = res.objectives.loc[res.objectives["objective"] == "gain", "value"].to_numpy(dtype=float)
    cyc = res.cycles
    top5_start = float(cyc.loc[(cyc["metric"] == "top(5, gv)") & (cyc["cycle"] == 0), "value"].mean())
    room = ideal - top5_start
    eq_gain = float(gains.mean())
    return {"panel": panel, "trait_seed": trait_seed, "ideal_gv": ideal, "top5_start": top5_start,
            "room": room, "eq_gain": eq_gain, "eq_gain_se": float(gains.std(ddof=1) / math.sqrt(gains.size)),
            "eq_share_percent": 100.0 * eq_gain / room, "cap_percent": cap_percent(room, eq_gain)}


def panel_summaries(rows: list[dict], traits_per_study: int = 10) -> list[dict]:
    """Per panel: the caps' mean and median, how many traits cap under the paper's smallest TBVGVP
    improvement, and the chance that a study of ``traits_per_study`` traits drawn on that panel has
    every cap at least that large (the share of such traits to that power)."""
    import numpy as np

    out = []
    for panel in sorted({r["panel"] for r in rows}, key=[r["panel"] for r in rows].index):
        caps = np.array([r["cap_percent"] for r in rows if r["panel"] == panel])
        under = int((caps < PAPER_MIN_TBVGVP).sum())
        out.append({"panel": panel, "traits": int(caps.size), "mean_cap": float(caps.mean()),
                    "median_cap": float(np.median(caps)), "min_cap": float(caps.min()),
                    "under_paper_min": under,
                    "all_at_least_paper_min": float((1 - under / caps.size) ** traits_per_study)})
    return out


def run_room(out: Path, panels: list[int], traits: int, replicates: int, *, small_founders: bool = False,
             log=print) -> dict:
    """Run (or continue) the sweep; every finished row is in room.json before the next starts."""
    path = out / ROOM
    data = read_json(path)
    settings = StudySettings(small_founders=small_founders)
    if data and data["replicates"] != replicates:
        raise ValueError(f"{path} holds rows of {data['replicates']} replicates; use --replicates "
                         f"{data['replicates']} or another --out")
    data = data or {"replicates": replicates, "small_founders": small_founders, "rows": [], "seconds": 0.0}
    base = 2024
    done = {(r["panel"], r["trait_seed"]) for r in data["rows"]}
    out.mkdir(parents=True, exist_ok=True)
    for panel in panels:
        for k in range(traits):
            seed = base + k
            if (panel, seed) in done:
                continue
            t0 = time.perf_counter()
            row = room_row(panel, seed, replicates, settings)
            data["seconds"] += time.perf_counter() - t0
            data["rows"].append(row)
            data["panels"] = panel_summaries(data["rows"])
            write_json(path, data)
            log(f"[panel {panel} · trait seed {seed}] room {row['room']:.3f}, EQ gain {row['eq_gain']:.3f}, "
                f"cap {row['cap_percent']:.2f} %")
    return data


def main(argv: list[str] | None = None) -> int:
    from bsl.diagnostics import BslError
    p = argparse.ArgumentParser(prog="python -m bsl.studies.hamazaki2024.room",
                                description="EQ over founder panels x trait seeds: the room each trait draw leaves.")
    p.add_argument("--out", type=Path, required=True, help="study folder; room.json is written there")
    p.add_argument("--panels", default="2024", help="comma-separated founder seeds (default 2024, the study's)")
    p.add_argument("--traits", type=int, default=20, help="trait seeds per panel: 2024, 2025, ... (default 20)")
    p.add_argument("--replicates", type=int, default=1000, help="EQ simulations per row (default 1000)")
    p.add_argument("--small-founders", action="store_true", help="the small test panel (tests and smoke runs)")
    p.add_argument("--page", type=Path, default=None, help="re-render this study page when done")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    try:
        panels = [int(x) for x in args.panels.split(",") if x.strip()]
    except ValueError:
        p.error(f"--panels takes whole numbers separated by commas, got {args.panels!r}")
    if not panels or args.traits < 1 or args.replicates < 2:
        p.error("give at least one panel, --traits >= 1 and --replicates >= 2")
    import torch
    torch.set_num_threads(1)
    log = (lambda *a: None) if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    try:
        run_room(args.out, panels, args.traits, args.replicates, small_founders=args.small_founders, log=log)
    except (BslError, ValueError) as err:
        print(err.render() if isinstance(err, BslError) else f"error: {err}", file=sys.stderr)
        return 1
    if args.page is not None and (args.out / "study.json").is_file():
        from bsl.studies.hamazaki2024.page import write_page
        log(f"page written to {write_page(args.out, args.page)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
