"""The reproduction page: Table 1, Fig. 3A/3B/3D and Table 2 rendered from a study folder's small
files (study.json, summaries, best.json, timing.json), with the differences from the paper."""
from __future__ import annotations

import math
import os
from pathlib import Path

from bsl.studies.hamazaki2024.design import (GENOME_FOUNDERS, OPTIMIZERS, PAPER_FIG3B, PAPER_TABLE1, PAPER_TABLE2,
                                              StudySettings)
from bsl.studies.hamazaki2024.results import (CROSSCHECK, PAPER_MIN_TBVGVP, ROOM, cap_percent, collect,
                                               improvements, read_json, timings)

STYLE = {  # Fig. 3: EQ black; BV orange, WBV blue, both red; dashed without GVP, solid with it
    "EQ": ("#000000", ""), "BV": ("#e69f00", "7,4"), "WBV": ("#0072b2", "7,4"), "TBV": ("#d62728", "7,4"),
    "BVGVP": ("#e69f00", ""), "WBVGVP": ("#0072b2", ""), "TBVGVP": ("#d62728", "")}


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
    if seconds < 1:
        return f"{seconds:.2g} s"
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def _room_section(add, room: dict) -> None:
    """The room sweep (room.json, `python -m bsl.studies.hamazaki2024.room`): caps over panels x traits."""
    add("### Room across founder panels and trait draws")
    add("")
    add(f"EQ alone, {room['replicates']} simulations per row, on founder panels (the founders block's `seed`) × "
        f"trait seeds 2024, 2025, …: the most improvement over EQ each trait draw allows (the cap, as the last "
        f"column above). The paper's smallest TBVGVP improvement, {PAPER_MIN_TBVGVP} %, means each of its ten "
        f"traits left at least that much. Made by `python -m bsl.studies.hamazaki2024.room` in "
        f"{room['seconds'] / 60:.1f} min.")
    add("")
    add(f"| panel | traits | mean cap (%) | median cap (%) | smallest cap (%) | traits under {PAPER_MIN_TBVGVP} % | "
        f"chance that 10 traits all leave ≥ {PAPER_MIN_TBVGVP} % |")
    add("|---:|---:|---:|---:|---:|---:|---:|")
    for p in room["panels"]:
        add(f"| {p['panel']} | {p['traits']} | {p['mean_cap']:.1f} | {p['median_cap']:.1f} | {p['min_cap']:.2f} | "
            f"{p['under_paper_min']} | {p['all_at_least_paper_min']:.2f} |")
    add("")


def _crosscheck_order(strategy: str) -> int:
    """EQ, EQ-best, then the paper's order."""
    names = list(STYLE)
    return 2 * names.index(strategy.removesuffix("-best")) + strategy.endswith("-best")


def _crosscheck_rows(data: dict) -> list[tuple[str, str, dict]]:
    """(trait, strategy, its comparison) of crosscheck.json in trait order, then EQ, EQ-best and the paper's order."""
    return [(t, s, e["strategies"][s]) for t, e in sorted(data.get("traits", {}).items(), key=lambda kv: int(kv[0]))
            for s in sorted(e["strategies"], key=_crosscheck_order)]


def _crosscheck_section(add, data: dict) -> None:
    """The reference code's breeding loop on the study's panel (crosscheck.json, crosscheck.py)."""
    add("## The reference code's breeding loop on this panel")
    add("")
    add("The same founders, QTL and optimized h run through myBreedSimulatR's own classes (its `crossInfo` "
        "selects, mates and allocates, its `population` makes the progeny by its meiosis), by "
        "`python -m bsl.studies.hamazaki2024.crosscheck` with the R/ folder of a checkout of the paper's code "
        "(commit 281d546). Gain and var(gv) per cycle, the reference's mean ± its standard error beside bsl's "
        "final runs; z = (reference − bsl) / standard error.")
    add("")
    add("| trait | strategy | cycle | reference gain | bsl gain | z | reference var(gv) | bsl var(gv) | z |")
    add("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    rows = _crosscheck_rows(data)
    for trait, strategy, row in rows:
        for c in row["cycles"]:
            add(f"| {trait} | {strategy} | {c['cycle']} | {c['reference_gain']:.4f} ± {c['reference_gain_se']:.4f} | "
                f"{c['bsl_gain']:.4f} | {c['z_gain']:+.1f} | {c['reference_var']:.4f} ± "
                f"{c['reference_var_se']:.4f} | {c['bsl_var']:.4f} | {c['z_var']:+.1f} |")
    finals = [f"trait {t} {s} {100 * (r['cycles'][-1]['reference_gain'] / r['cycles'][-1]['bsl_gain'] - 1):+.2f} % "
              f"(z {r['cycles'][-1]['z_gain']:+.1f})" for t, s, r in rows]
    runs = [f"trait {t} {s}: {r['reference_replicates']} simulations in {_fmt_time(r['seconds'])}" for t, s, r in rows]
    add("")
    add("Final gain, the reference's over bsl's: " + "; ".join(finals) + ". EQ differs by design in one "
        "detail: the reference gives its 10 leftover progeny to the first ten rows of its diallel (the best "
        "parent crossed with the next ten), bsl to the best pairs by mid-parent WBV, as the paper's text says; "
        "EQ-best is the reference's EQ with bsl's rule (its weighted allocation on WBV at weight 10⁻⁹: every pair "
        "gets 2 and its own leftover step gives the 10 to the best pairs).")
    add("")
    commands = sorted({c for e in data["traits"].values() for c in e.get("commands", [])})
    if commands:
        add("Commands: " + "; ".join(f"`{c}`" for c in commands) + ".")
        add("")
    add("Reference runs: " + "; ".join(runs) + " (one R process each). bsl: the final runs above "
        f"({rows[0][2]['bsl_replicates']} simulations).")
    add("")


def _moved_weights(add, results: dict, optimized: list[str], traits: int, st: dict) -> None:
    """How often each weight left its start value over the trait replicates, per strategy: StoSOO
    splits the widest cell dimension, the first on a tie, so it refines the weights in order, one
    tree level each, and a budget that reaches depth d can move only the first d of them."""
    rows = []
    for s in optimized:
        found = [results[(k, s)].weights for k in range(1, traits + 1)
                 if (k, s) in results and results[(k, s)].weights is not None]
        if not found:
            continue
        names = found[0]["names"]
        moved = [0] * len(names)
        for w in found:
            flat = [x for row in w["values"] for x in row]
            for j, x in enumerate(flat):
                moved[j] += abs(x - w["start"]) > 1e-12
        rows.append((s, len(found), names, moved))
    if not rows:
        return
    width = max(len(r[2]) for r in rows)
    add(f"### Which weights the optimizer moved ({OPTIMIZERS[st.get('optimizer', 'stosoo')]}, "
        f"{st['evaluations']} evaluations)")
    add("")
    add("For each weight in the parameter's order (cycle by cycle, the features within a cycle), the number "
        "of trait replicates whose answer moved it off its start value 1."
        + (" StoSOO splits the widest dimension of a cell, the first on a tie, so it refines the weights in "
           "this order, one tree level each: a budget that reaches depth d leaves every weight after the d-th "
           "at 1 (so does the reference code, myBreedSimulatR's myStoSOO.R)."
           if st.get("optimizer", "stosoo") == "stosoo" else ""))
    add("")
    add("| strategy | traits | " + " | ".join(f"w{j + 1}" for j in range(width)) + " |")
    add("|---|---:|" + "---:|" * width)
    for s, n, names, moved in rows:
        cells = [str(m) for m in moved] + ["–"] * (width - len(moved))
        add(f"| {s} | {n} | " + " | ".join(cells) + " |")
    add("")
    add("w1, w2, … are " + "; ".join(f"{s}: {', '.join(names)}" for s, _, names, _ in rows[-1:]) +
        " (and the same order for the other strategies' fewer features).")
    add("")


def render_page(out: Path, study: dict, results: dict, figures_dir: str) -> str:
    """The reproduction page (Markdown), from the study folder's contents."""
    from bsl import __version__
    from bsl.io.provenance import package_versions

    st = study["settings"]
    settings = StudySettings(**{**st, "strategies": tuple(st["strategies"])})
    strategies = st["strategies"]
    optimized = [s for s in strategies if s != "EQ"]
    imp = improvements(results, study)
    tm = timings(results, study)
    crosscheck = read_json(out / CROSSCHECK)  # the reference R code on this panel (crosscheck.py), if run
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
        projected = (f", projected at **{_fmt_time(tm['full']['total'])}** on this machine from the timings "
                     "measured below" if math.isfinite(tm["full"]["total"]) else "")
        add(f"> **Reduced study.** This is not the paper's full design: {'; '.join(departures)}. "
            f"The full-size study is `python -m bsl.studies.hamazaki2024 --out runs/hamazaki2024`{projected}.")
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
    add(f"| optimization | {OPTIMIZERS[st.get('optimizer', 'stosoo')]}, {st['evaluations']} evaluations × {st['replicates_per_evaluation']} "
        f"simulations, h in [0, 2] starting at 1 |")
    add(f"| final comparison | {st['final_replicates']} simulations per strategy and trait replicate |")
    add("| founders | " + ("small test panel (`--small-founders`)" if st["small_founders"] else
                          "msprime coalescent, Ne 2000, pool 2000, 250 by k-medoids, one genealogy for 10 chromosomes × 500 loci × 10 M "
                          "(simulated as independent 1 M pieces), kosambi") + (f"; panel {st['panel']} (founders block `seed` {st['panel']})"
                                 if st.get("panel") is not None else "")
        + ("; `" + "`, `".join(GENOME_FOUNDERS) + "` (--genome-founders)" if st.get("genome_founders") else "") + " |")
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
        # plain EQ keeps the reference's own leftover rule: left out of "the same final gains"
        rows = [(t, s, r["cycles"][-1]) for t, s, r in _crosscheck_rows(crosscheck) if s != "EQ"]
        if rows:
            add("")
            worst = max(abs(c["z_gain"]) for _, _, c in rows)
            pairs = [f"trait {t} {s} {c['reference_gain']:.4f} against bsl's {c['bsl_gain']:.4f}" for t, s, c in rows]
            add("The paper's own R code, run on this panel with these weights "
                "([below](#the-reference-codes-breeding-loop-on-this-panel); EQ-best is its EQ with bsl's rule for "
                "the 10 leftover progeny), gives the same final gains: "
                f"{'; '.join(pairs)} (largest |z| {worst:.1f}).")
        add("")
    add("### Final gain per trait replicate (the numbers behind Table 1; Fig. 3C of the paper)")
    add("")
    add("Mean final gain ± its standard error over the final simulations.")
    add("")
    shares: list[float] = []  # the last optimized strategy's improvement as a share of the most possible
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
            room = [f"{gap:.4f}", f"{100 * eq_gain / gap:.1f} %", f"{cap_percent(gap, eq_gain):.2f} %"]
            best = results.get((k, optimized[-1])) if optimized else None
            if best is not None and cap_percent(gap, eq_gain) > 0:
                shares.append((best.gain_mean - eq_gain) / (gap - eq_gain))
        add(f"| {k} ({seed}) | " + " | ".join(cells) + " | " + " | ".join(room) + " |")
    add("")
    add("Room: the largest final gain possible, the genetic value of the ideal genotype (favourable "
        "homozygote at every QTL, Σ|a|) minus the mean of the 5 best founders. No strategy can beat EQ by "
        "more than the room EQ leaves (the last column, comparable with Table 1)."
        + (f" {optimized[-1]} took {100 * sum(shares) / len(shares):.0f} % of that most possible improvement on "
           f"average (range {100 * min(shares):.0f}–{100 * max(shares):.0f} %)." if shares else ""))
    add("")
    room_json = read_json(out / ROOM)
    if room_json.get("panels"):
        _room_section(add, room_json)
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
        add("| strategy | 1 % | 10 % | 50 % | 90 % | 99 % | paper: share above its local optimum ≈ 1.15 (2.30 on bsl's scale) |")
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
    _moved_weights(add, results, optimized, len(seeds), st)
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
    add(f"A final-comparison simulation costs {tm['per_final_replicate'] * 1000:.2f} ms. "
        + (f"Simulating the founder panel took {_fmt_time(tm['founders_simulated'])}, once: one panel serves "
           "every trait replicate and is cached on disk. " if math.isfinite(tm["founders_simulated"]) else
           "The founder panel came from a cache filled before this study, so its simulation was not timed "
           "here (docs/performance.md times it). ")
        + f"Loading it and drawing a trait replicate's QTL took up to {_fmt_time(tm['founders_load'])}. "
        f"The full study (6 optimized strategies × 10 trait replicates × 4,000 evaluations × 50 simulations, "
        f"then 7 × 10 × 10,000 final simulations) is projected at {_fmt_time(tm['full']['optimize'])} of "
        f"optimization + {_fmt_time(tm['full']['final'])} of final runs + {_fmt_time(tm['full']['founders'])} "
        f"of founders = **{_fmt_time(tm['full']['total'])}** on this machine.{scale_note}")
    add("")
    if crosscheck:
        _crosscheck_section(add, crosscheck)
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
    "linked them). myBreedSimulatR turns the distance between adjacent loci into recombination with "
    "Kosambi's function, tanh(2d)/2 (`R/myLoci.R`; its Haldane line is commented out), as the paper says; "
    "so do the schemes (`map kosambi`).",
    "**Founders.** The paper simulated 4,000 haplotypes per chromosome with GENOME, kept 500 loci of "
    "MAF ≥ 0.01, drew 2,000 founders by resampling haplotypes and mated them at random once; the schemes "
    "simulate 2,000 diploids with msprime (Ne 2,000), keep 500 loci per chromosome with `maf >= 0.01` and "
    "mate them at random once. Both pick the 250 founders by k-medoids. myBreedSimulatR's `lociInfo` runs "
    "GENOME once per chromosome with one seed for all (`seed = seedSimGeno` in every call, R/myLoci.R at "
    "281d546), so the ten chromosomes share one genealogy: each draws its own 500 of the same sites, a "
    "founder haplotype is one lineage on every chromosome, and loci on different chromosomes are in "
    "linkage disequilibrium in the pool (GENOME places a fixed 4,000 SNPs per run, by the neutral spectrum "
    "about half of them with MAF ≥ 0.01, so two chromosomes would also share about a quarter of their "
    "500 sites; msprime's genealogy carries far more sites, so identical sites are rare in bsl's). The schemes reproduce that with "
    "`genealogy shared`; on trait 1 it "
    "raised TBVGVP's improvement from +3.39 % (independent chromosomes) to +5.60 % (4,000 × 50, 10,000 "
    "final), but a new genealogy is also a new panel: over ten traits, two other panels gave TBVGVP "
    "means of 4.68 and 5.07 %, and the founders block with `sites 4000` and `haplotypes with_replacement` "
    "(GENOME's fixed 4,000 SNPs per run, the paper's founders drawn with replacement) 3.90 % "
    "([the variants side by side](hamazaki2024-variants.md)). msprime simulates the 10 M chromosome as ten independent 1 M pieces (`linked_length`, 40 s "
    "instead of 408 s): loci more than 1 M apart are in linkage equilibrium within a chromosome, as they "
    "nearly are in a coalescent at 4·Ne·c ≥ 8,000.",
    "**Trait replicates.** As in the paper, one parent panel (the founders block's own `seed`) serves every "
    "trait replicate, and the scheme's `seed` redraws QTL positions and effects. Within a trait replicate "
    "all seven strategies share founders and QTL, so every improvement is a paired comparison.",
    "**Standardizing the features.** As in the reference code (myBreedSimulatR `computeWeightedBV`), the "
    "parents' BV and WBV (with WBV's allele frequencies) are computed and standardized in the population "
    "the parents were selected from (250 plants) before mid-parent values are taken; GVP is standardized "
    "over the 120 pairs.",
    "**Rounding.** The schemes say `rounding = floor`: a pair gets ⌊250 · softmax(Ωh)⌋ progeny and the "
    "shortfall goes one each to the best pairs, as Equation 1 writes and as the 2021 myBreedSimulatR that "
    "made the paper's results did (`R/myCross.R` at 281d546; the R `round` of later versions came in "
    "2023). An earlier version of this page rounded, which at the same weights spreads progeny over more "
    "pairs. EQ gives its 10 leftover progeny to the pairs with the best mid-parent WBV, as the paper's text "
    "says (the 2021 code gave them to the first ten rows of its diallel, the best parent crossed with the "
    "next ten).",
    "**Scale of genetic values.** bsl computes gv = Σ (dosage − 1)·a, as Equation 2 prints; the reference "
    "code uses Σ dosage·a/2, so the paper's gains (and Fig. 3B's local optimum near 1.15, 2.30 here) are "
    "half of bsl's and its variances a quarter. Improvements in % are the same on both scales.",
    "**Objective scale.** The reference code divides the final genetic values by the panel's s.d. and rounds "
    "to 3 decimals before StoSOO sees them; bsl gives StoSOO the raw gain (trait 1: panel s.d. 0.47), so "
    "StoSOO's confidence bonus is about twice as wide relative to the signal. Not measured on the study.",
    "**StoSOO's split rule.** The schemes say `split reference`: of equally wide dimensions StoSOO splits "
    "the one the reference R code picks, comparing floating-point widths in which an upper third is one "
    "unit in the last place wider, so once every weight has been split the weights whose cell is an upper "
    "third go next (on a 3-weight test function our StoSOO then asked for the same 1,373 points as "
    "myStoSOO.R; bsl's default, `split exact`, takes the first and parted from it at the 146th). The rules "
    "differ only past depth D, the number of weights: at 4,000 evaluations the 8- and 12-weight "
    "strategies never get there, the 4-weight BV and WBV do. The paper's Table 2 BV point (1.00, 0.33, "
    "1.67, 1.89) is at depth 6 under the reference rule, 8 under the exact one.",
    "**Budget.** Table 1 used 4,000 evaluations per strategy and trait; Table 2 and Fig. 3A/B/D used 20,000 "
    "(50,000 for TBVGVP, the SCOBS script 3.3). This page uses the study's `--evaluations` for all.",
    "**TBV in the committed scripts.** The paper's scripts (SCOBS 2.2, 3.3) as committed list only WBV among "
    "the selection criteria, so their TBV and TBVGVP runs would have allocated on WBV (and GVP) alone; the "
    "authors may have edited the list for those runs. bsl's TBV uses BV and WBV.",
    "**True effects, h² = 1.** As in the paper, features use the true QTL effects.",
    "**QTL draw.** The paper drew 2 QTL per chromosome among all 500 loci; bsl draws them among the loci "
    "that segregate in the 250-plant panel. Every locus has MAF ≥ 0.01 in the 2,000-plant pool, so a "
    "panel of 500 haplotypes misses a locus's minor allele rarely (under e⁻⁵ for the rarest), and a QTL "
    "fixed in the panel would add only a constant to every strategy's gain.",
)




def write_page(out: Path, page: Path) -> Path:
    """Render the page and its figures (in a folder named after the page) from the study folder."""
    study = read_json(out / "study.json")
    results = collect(out, study)
    figures = page.with_suffix("")
    write_figures(results, study, figures)
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(render_page(out, study, results, figures.name), encoding="utf-8")
    return page

