"""The Hamazaki & Iwata (2024) study command, run whole in a tiny form: all seven strategies on a
small founder panel, a few evaluations each; the page's tables and figures, resume, and usage errors."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

STRATEGIES = ("EQ", "BV", "WBV", "TBV", "BVGVP", "WBVGVP", "TBVGVP")
TINY = ["--evaluations", "6", "--trait-replicates", "2", "--final-replicates", "20",
        "--replicates-per-evaluation", "3", "--small-founders", "--quiet"]


def study(*args, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bsl.studies.hamazaki2024", *map(str, args)],
                          capture_output=True, text=True, env={**os.environ, **env}, timeout=300)


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("study")
    out, page = root / "out", root / "page" / "hamazaki2024.md"
    # one trait replicate, then the study grown to two by --resume (the seeds go on)
    cache = str(root / "cache")  # empty: the first session simulates the founders, the second loads them
    r = study("--out", out, "--page", page, *TINY, "--trait-replicates", "1", BSL_CACHE_DIR=cache)
    assert r.returncode == 0, r.stderr
    r = study("--out", out, "--page", page, *TINY, "--resume", BSL_CACHE_DIR=cache)
    assert r.returncode == 0, r.stderr
    return out, page


def test_every_strategy_and_trait_replicate_has_its_folder(finished):
    out, _ = finished
    st = json.loads((out / "study.json").read_text())
    assert st["trait_seeds"] == [2024, 2025]
    assert [s["finished"] for s in st["sessions"]] == [True, True] and st["sessions"][0]["wall_seconds"] > 0
    # the panel was simulated once (session 1, trait 1), then loaded: trait 1 in session 2, and trait 2
    assert st["founders_simulated_seconds"] > 0 and sorted(st["founders_seconds"]) == ["1", "2"]
    for k in (1, 2):
        for s in STRATEGIES:
            folder = out / f"trait_{k:02d}" / s.lower()
            assert (folder / "final" / "objectives.csv").is_file(), folder
            summary = json.loads((folder / "summary.json").read_text())
            assert summary["replicates"] == 20 and len(summary["gain_quantiles"]) == 1001
            assert summary["gain_quantiles"][0] <= summary["gain_mean"] <= summary["gain_quantiles"][-1]
            assert len(summary["per_cycle"]["gain"]) == 5 and summary["per_cycle"]["gain"][0] == 0
            assert (folder / "trace.csv").is_file() == (s != "EQ")
        best = json.loads((out / f"trait_{k:02d}" / "tbvgvp" / "best.json").read_text())
        assert best["names"][:3] == ["h[1].BV", "h[1].WBV", "h[1].GVP"] and len(best["values"]) == 4


def test_page_has_table_1_table_2_and_the_figures(finished):
    _, page = finished
    text = page.read_text()
    assert "**Reduced study.**" in text and "python -m bsl.studies.hamazaki2024 --out" in text
    table1 = text.split("## Table 1", 1)[1].split("##", 1)[0]
    for s in STRATEGIES[1:]:
        row = re.search(rf"^\| {s} \| (-?\d+\.\d\d) \| (-?\d+\.\d\d) \| (-?\d+\.\d\d) \| (\d)/2 \|", table1, re.M)
        assert row, f"no Table 1 row for {s}"
        low, mean, high = map(float, row.groups()[:3])
        assert low <= mean <= high
    assert "| 7.22 | 9.33 | 12.4 |" in table1  # the paper's numbers sit next to ours
    table2 = text.split("## Table 2", 1)[1].split("##", 1)[0]
    assert "| BVGVP | BV |" in table2 and "0.33, 1.00, 1.67, 1.67" in table2
    assert "| 2 (2025) |" in text  # per-trait final gains
    assert "### Which weights the optimizer moved (StoSOO, 6 evaluations)" in text
    out = page.parent.parent / "out"
    expected = [0] * 12  # how many of the two trait replicates moved each weight off 1, from best.json
    for k in (1, 2):
        best = json.loads((out / f"trait_{k:02d}" / "tbvgvp" / "best.json").read_text())
        for j, x in enumerate(x for row in best["values"] for x in row):
            expected[j] += x != 1.0
    assert f"| TBVGVP | 2 | {' | '.join(map(str, expected))} |" in text
    for name in ("fig3a_gain.svg", "fig3b_cdf.svg", "fig3d_variance.svg"):
        assert f"](hamazaki2024/{name})" in text
        svg = (page.parent / "hamazaki2024" / name).read_text()
        assert svg.startswith("<svg") and svg.count("<polyline") == len(STRATEGIES)
    assert "projected at" in text and "## Differences from the paper" in text
    assert "Simulating the founder panel took" in text and "not timed" not in text


def test_resume_finishes_an_interrupted_optimization_identically(finished, tmp_path):
    out, _ = finished
    cut = tmp_path / "cut"
    shutil.copytree(out, cut)
    folder = cut / "trait_02" / "tbvgvp"
    shutil.rmtree(folder / "final")
    (folder / "best.json").unlink()
    (folder / "summary.json").unlink()
    lines = (folder / "trace.csv").read_text().splitlines(keepends=True)
    (folder / "trace.csv").write_text("".join(lines[:4]) + lines[4][:5])  # killed while writing evaluation 4
    r = study("--out", cut, "--page", tmp_path / "p.md", *TINY, "--resume")
    assert r.returncode == 0, r.stderr
    original = out / "trait_02" / "tbvgvp"
    assert (folder / "trace.csv").read_text() == (original / "trace.csv").read_text()
    assert (folder / "final" / "objectives.csv").read_text() == (original / "final" / "objectives.csv").read_text()
    assert len(json.loads((cut / "study.json").read_text())["sessions"]) == 3


def test_usage_errors(finished, tmp_path):
    out, _ = finished
    r = study("--out", out, "--page", tmp_path / "p.md", *TINY)
    assert r.returncode == 1 and "already holds a study" in r.stderr and "--resume" in r.stderr
    r = study("--out", out, "--page", tmp_path / "p.md", *TINY, "--evaluations", "7", "--resume")
    assert r.returncode == 1 and "other settings (evaluations)" in r.stderr
    r = study("--out", out, "--page", tmp_path / "p.md", *TINY, "--trait-replicates", "1", "--resume")
    assert r.returncode == 1 and "other settings (trait_replicates)" in r.stderr
    r = study("--out", tmp_path / "new", "--strategies", "BV,TBVGVP")
    assert r.returncode == 2 and "must include EQ" in r.stderr
    r = study("--out", tmp_path / "new", "--evaluations", "0")
    assert r.returncode == 2 and ">= 1" in r.stderr


def test_the_page_needs_only_the_small_files_a_later_session_keeps(finished, tmp_path):
    # what git keeps of a study (study.json, summary.json, best.json, timing.json) renders the same page
    out, page = finished
    kept = tmp_path / "kept"
    shutil.copytree(out, kept, ignore=shutil.ignore_patterns("final", "trace.csv"))
    assert not list(kept.rglob("objectives.csv"))
    from bsl.studies.hamazaki2024 import write_page
    again = write_page(kept, tmp_path / "again" / "hamazaki2024.md")
    assert again.read_text() == page.read_text()
    for name in ("fig3a_gain.svg", "fig3b_cdf.svg", "fig3d_variance.svg"):
        assert (tmp_path / "again" / "hamazaki2024" / name).read_text() == \
            (page.parent / "hamazaki2024" / name).read_text()


def test_jobs_run_strategies_in_parallel_with_the_same_answers(finished, tmp_path):
    out, _ = finished
    par = tmp_path / "par"
    r = study("--out", par, "--page", tmp_path / "p.md", *TINY, "--trait-replicates", "1", "--jobs", "2")
    assert r.returncode == 0, r.stderr
    assert json.loads((par / "study.json").read_text())["sessions"][0]["jobs"] == 2
    for s in STRATEGIES:
        a, b = (d / "trait_01" / s.lower() / "summary.json" for d in (out, par))
        assert json.loads(a.read_text()) == json.loads(b.read_text()), s


def test_optimizer_option_runs_the_study_with_cma_es(finished, tmp_path):
    out, _ = finished
    cma, page = tmp_path / "cma", tmp_path / "cma.md"
    r = study("--out", cma, "--page", page, *TINY, "--trait-replicates", "1", "--strategies", "EQ,TBVGVP",
              "--optimizer", "cma")
    assert r.returncode == 0, r.stderr
    assert json.loads((cma / "study.json").read_text())["settings"]["optimizer"] == "cma"
    best = json.loads((cma / "trait_01" / "tbvgvp" / "best.json").read_text())
    assert best["manifest"]["optimizer"].splitlines()[1].startswith("optimize h with cma:")
    # EQ has no parameter: the same answer whatever the optimizer
    assert json.loads((cma / "trait_01" / "eq" / "summary.json").read_text()) == \
        json.loads((out / "trait_01" / "eq" / "summary.json").read_text())
    # CMA-ES draws other points than StoSOO from the same start
    assert (cma / "trait_01" / "tbvgvp" / "trace.csv").read_text() != \
        (out / "trait_01" / "tbvgvp" / "trace.csv").read_text()
    text = page.read_text()
    assert "| optimization | CMA-ES, 6 evaluations" in text and "optimizer CMA-ES (paper StoSOO)" in text
    # a study is resumed with the optimizer it was started with
    r = study("--out", cma, "--page", page, *TINY, "--trait-replicates", "1", "--strategies", "EQ,TBVGVP", "--resume")
    assert r.returncode == 1 and "other settings (optimizer)" in r.stderr
    r = study("--out", tmp_path / "x", "--optimizer", "sgd")
    assert r.returncode == 2 and "invalid choice" in r.stderr


def test_room_sweep_matches_the_study_and_shows_on_its_page(finished, tmp_path):
    out, _ = finished
    kept = tmp_path / "kept"
    shutil.copytree(out, kept)
    page = tmp_path / "page.md"

    def room(*args):
        return subprocess.run([sys.executable, "-m", "bsl.studies.hamazaki2024.room", "--out", str(kept),
                               "--small-founders", "--quiet", *map(str, args)],
                              capture_output=True, text=True, timeout=300)
    r = room("--panels", "2024,7", "--traits", "2", "--replicates", "20", "--page", page)
    assert r.returncode == 0, r.stderr
    data = json.loads((kept / "room.json").read_text())
    assert [(row["panel"], row["trait_seed"]) for row in data["rows"]] == [(2024, 2024), (2024, 2025), (7, 2024), (7, 2025)]
    study_json = json.loads((out / "study.json").read_text())
    for k, row in enumerate(data["rows"][:2], start=1):
        # panel 2024 with trait seeds 2024, 2025 are the study's own trait replicates, EQ with the same 20 replicates
        eq = json.loads((out / f"trait_{k:02d}" / "eq" / "summary.json").read_text())
        assert row["eq_gain"] == pytest.approx(eq["gain_mean"], rel=1e-12)
        assert row["top5_start"] == pytest.approx(eq["top5_start"], rel=1e-12)
        assert row["ideal_gv"] == pytest.approx(study_json["ideal_gv"][str(k)], rel=1e-12)
        assert row["cap_percent"] == pytest.approx(100 * (row["room"] - row["eq_gain"]) / row["eq_gain"])
    # another panel: the same QTL effects (the scheme's seed), other founders
    assert data["rows"][2]["ideal_gv"] == pytest.approx(data["rows"][0]["ideal_gv"])
    assert data["rows"][2]["top5_start"] != data["rows"][0]["top5_start"]
    panels = {p["panel"]: p for p in data["panels"]}
    caps = [row["cap_percent"] for row in data["rows"] if row["panel"] == 7]
    assert panels[7]["traits"] == 2 and panels[7]["mean_cap"] == pytest.approx(sum(caps) / 2)
    assert panels[7]["under_paper_min"] == sum(c < 7.22 for c in caps)
    text = page.read_text()
    assert "### Room across founder panels and trait draws" in text
    assert re.search(r"^\| 7 \| 2 \| -?\d+\.\d \|", text, re.M)
    # finished rows are kept: a second run adds nothing; other replicates are refused
    r = room("--panels", "2024,7", "--traits", "2", "--replicates", "20")
    assert r.returncode == 0 and len(json.loads((kept / "room.json").read_text())["rows"]) == 4
    r = room("--panels", "2024", "--traits", "2", "--replicates", "30")
    assert r.returncode == 1 and "--replicates 20" in r.stderr


def test_panel_option_runs_the_study_on_another_founder_panel(finished, tmp_path):
    out, _ = finished
    other, page = tmp_path / "panel7", tmp_path / "panel7.md"
    r = study("--out", other, "--page", page, *TINY, "--trait-replicates", "1", "--strategies", "EQ", "--panel", "7")
    assert r.returncode == 0, r.stderr
    assert json.loads((other / "study.json").read_text())["settings"]["panel"] == 7
    eq7 = json.loads((other / "trait_01" / "eq" / "summary.json").read_text())
    eq = json.loads((out / "trait_01" / "eq" / "summary.json").read_text())
    assert eq7["top5_start"] != eq["top5_start"]  # other founders, the same trait seed
    # the room sweep's row for panel 7 and trait seed 2024 is this study's EQ, replicate for replicate
    r = subprocess.run([sys.executable, "-m", "bsl.studies.hamazaki2024.room", "--out", str(other), "--small-founders",
                        "--quiet", "--panels", "7", "--traits", "1", "--replicates", "20"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    row = json.loads((other / "room.json").read_text())["rows"][0]
    assert row["eq_gain"] == pytest.approx(eq7["gain_mean"], rel=1e-12)
    assert row["top5_start"] == pytest.approx(eq7["top5_start"], rel=1e-12)
    text = page.read_text()
    assert "founder panel 7 (--panel" in text and "; panel 7 (founders block `seed` 7)" in text
    # a study resumes only on its own panel
    r = study("--out", other, "--page", page, *TINY, "--trait-replicates", "1", "--strategies", "EQ", "--resume")
    assert r.returncode == 1 and "other settings (panel)" in r.stderr


def test_genome_founders_option_adds_the_settings_to_the_founders_block(finished, tmp_path):
    out, _ = finished
    from bsl.studies.hamazaki2024.design import StudySettings
    from bsl.studies.hamazaki2024.run import strategy_graph
    spec = strategy_graph("TBVGVP", StudySettings(genome_founders=True), 2024).program.founders[0]
    assert dict(spec.coalescent)["sites"] == 4000 and dict(spec.coalescent)["haplotypes"] == "with_replacement"
    other, page = tmp_path / "genome", tmp_path / "genome.md"
    r = study("--out", other, "--page", page, *TINY, "--trait-replicates", "1", "--strategies", "EQ",
              "--genome-founders")
    assert r.returncode == 0, r.stderr
    assert json.loads((other / "study.json").read_text())["settings"]["genome_founders"] is True
    eq = json.loads((other / "trait_01" / "eq" / "summary.json").read_text())
    assert eq["top5_start"] != json.loads((out / "trait_01" / "eq" / "summary.json").read_text())["top5_start"]
    assert "`sites 4000`, `haplotypes with_replacement` (--genome-founders)" in page.read_text()


def test_compare_puts_study_folders_side_by_side(finished, tmp_path):
    out, page = finished
    from bsl.studies.hamazaki2024 import collect, improvements
    study_json = json.loads((out / "study.json").read_text())
    imp = improvements(collect(out, study_json), study_json)
    cmp_page = tmp_path / "docs" / "compare.md"
    r = subprocess.run([sys.executable, "-m", "bsl.studies.hamazaki2024.compare", f"{out}={page}", "--page",
                        str(cmp_page)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    text = cmp_page.read_text()
    link = os.path.relpath(page, cmp_page.parent)
    row = next(line for line in text.splitlines() if line.startswith(f"| [out]({link}) |"))
    tb = imp["TBVGVP"]
    assert f"{sum(tb) / len(tb):.2f} ({min(tb):.2f} – {max(tb):.2f})" in row
    assert "| StoSOO, 6 | small test panel | 2/2 |" in row
    assert "| paper (Table 1) | StoSOO, 4000 |" in text and "9.33 (7.22 – 12.4)" in text
    assert "Command: `python -m bsl.studies.hamazaki2024.compare " in text and "--page" in text
    per_trait = next(line for line in text.splitlines() if line.startswith("| out |"))
    assert per_trait.split(" | ")[1] == f"{tb[0]:.2f}"
    r = subprocess.run([sys.executable, "-m", "bsl.studies.hamazaki2024.compare", str(tmp_path / "none"),
                        "--page", str(cmp_page)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "not a study folder" in r.stderr
    r = subprocess.run([sys.executable, "-m", "bsl.studies.hamazaki2024.compare", str(out), "--room",
                        str(tmp_path / "room.json"), "--page", str(cmp_page)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "no such room sweep file" in r.stderr


def _fake_reference_run(reference, data, strategy, h, replicates, seed, out):
    """Stands in for reference_loop.R: per replicate, cycle c's top-5 mean is c·(1 + 0.01·strategy
    letters) + a spread of ±0.1, and var(gv) is 0.2 ± 0.02, so every mean and standard error is known."""
    rows = []
    for r in range(replicates):
        e = 0.1 if r % 2 else -0.1
        rows.append([x for c in range(5) for x in (c * (1 + 0.01 * len(strategy)) + (e if c else 0.0), 0.2 + e / 5)])
    header = ",".join(f"top5_{c},var_{c}" for c in range(5))
    out.write_text(header + "\n" + "\n".join(",".join(map(repr, row)) for row in rows) + "\n")
    assert (data / "qtl.csv").is_file() and (h == "") == strategy.startswith("EQ")
    return 1.5


def test_crosscheck_exports_the_panel_and_compares_the_reference_runs(finished, tmp_path, monkeypatch):
    import numpy as np

    from bsl.studies.hamazaki2024 import crosscheck
    from bsl.studies.hamazaki2024.design import StudySettings
    from bsl.studies.hamazaki2024.run import _founders_and_qtl, strategy_graph

    out, page = finished
    copy = tmp_path / "study"
    shutil.copytree(out, copy, ignore=shutil.ignore_patterns("final", "trace.csv"))
    monkeypatch.setenv("BSL_CACHE_DIR", str(out.parent / "cache"))
    monkeypatch.setattr(crosscheck, "run_reference", _fake_reference_run)
    result = crosscheck.run_crosscheck(copy, Path("unused"), 2, ["EQ", "EQ-best", "BVGVP"], replicates=10, jobs=2,
                                       command="python -m bsl.studies.hamazaki2024.crosscheck --trait 2")
    # the exported trait is the study's trait 2: its QTL (1-based rows of map.csv) and effects
    data = copy / "crosscheck" / "trait_02"
    settings = StudySettings(small_founders=True)
    arch, _, _ = _founders_and_qtl(strategy_graph("EQ", settings, 2025))
    qtl = np.genfromtxt(data / "qtl.csv", delimiter=",", names=True)
    founders_map = np.genfromtxt(data / "map.csv", delimiter=",", names=True)
    hap = [np.loadtxt(data / f"haplotypes_{k}.csv", delimiter=",", dtype=int) for k in (1, 2)]
    assert hap[0].shape == hap[1].shape and hap[0].shape[1] == founders_map.size
    assert set(np.unique(hap[0])) <= {0, 1}
    assert np.allclose(qtl["effect"], arch.additive[:, 0])
    full = arch.full_layout
    assert np.array_equal(full.chromosome[arch.qtl_global] + 1, founders_map["chromosome"][qtl["locus"].astype(int) - 1])
    dosage = hap[0][:, qtl["locus"].astype(int) - 1] + hap[1][:, qtl["locus"].astype(int) - 1]
    founders = arch.layout.unpack(arch.founders[next(iter(arch.founders))])
    assert np.array_equal(dosage, founders[:, 0, arch.qtl] + founders[:, 1, arch.qtl])
    entry = result["traits"]["2"]
    assert entry["seed"] == 2025 and entry["export"]["qtl"] == qtl.size
    # per cycle: mean c·(1 + 0.01·len), s.e. 0.1·sqrt(10/9)/sqrt(10); z against the study's summary
    summary = json.loads((copy / "trait_02" / "bvgvp" / "summary.json").read_text())
    row = entry["strategies"]["BVGVP"]
    assert row["reference_replicates"] == 10 and row["h"] == json.loads(
        (copy / "trait_02" / "bvgvp" / "best.json").read_text())["values"]
    c4 = row["cycles"][3]
    se = 0.1 * (10 / 9) ** 0.5 / 10 ** 0.5
    assert c4["reference_gain"] == pytest.approx(4 * 1.05) and c4["reference_gain_se"] == pytest.approx(se)
    assert c4["z_gain"] == pytest.approx((4 * 1.05 - summary["per_cycle"]["gain"][4]) / se)
    assert c4["reference_var"] == pytest.approx(0.2) and c4["bsl_var"] == summary["per_cycle"]["var(gv)"][4]
    assert entry["strategies"]["EQ"]["h"] is None and entry["strategies"]["EQ-best"]["h"] is None
    # EQ-best compares with the study's EQ (a strategy's length shifts the fake's means: 1.02 against 1.07)
    eq = json.loads((copy / "trait_02" / "eq" / "summary.json").read_text())
    assert entry["strategies"]["EQ-best"]["cycles"][3]["bsl_gain"] == eq["per_cycle"]["gain"][4]
    assert entry["strategies"]["EQ-best"]["cycles"][3]["reference_gain"] == pytest.approx(4 * 1.07)
    # the page shows the comparison; a study without crosscheck.json renders as before
    from bsl.studies.hamazaki2024 import write_page
    text = write_page(copy, tmp_path / "page.md").read_text()
    section = text.split("## The reference code's breeding loop on this panel", 1)[1].split("\n## ", 1)[0]
    assert f"| 2 | BVGVP | 4 | {4 * 1.05:.4f} ± {se:.4f} | {summary['per_cycle']['gain'][4]:.4f} |" in section
    assert section.index("| 2 | EQ | 1 |") < section.index("| 2 | EQ-best | 1 |") < section.index("| 2 | BVGVP | 1 |")
    assert "Commands: `python -m bsl.studies.hamazaki2024.crosscheck --trait 2`." in section
    ratio = 100 * (4 * 1.05 / summary["per_cycle"]["gain"][4] - 1)
    assert f"trait 2 BVGVP {ratio:+.2f} % (z {c4['z_gain']:+.1f})" in section
    assert "reference code's breeding loop" not in page.read_text() and "paper's own R code" not in page.read_text()
    verdict = text.split("TBVGVP's mean improvement:", 1)[1].split("###", 1)[0]
    assert f"trait 2 EQ-best {4 * 1.07:.4f} against bsl's" in verdict and "trait 2 BVGVP" in verdict
    assert "trait 2 EQ " not in verdict  # plain EQ keeps the reference's own leftover rule: not compared there


def test_crosscheck_usage_errors(finished, tmp_path):
    out, _ = finished
    cmd = [sys.executable, "-m", "bsl.studies.hamazaki2024.crosscheck", "--reference", str(tmp_path)]
    r = subprocess.run(cmd + ["--study", str(tmp_path / "none")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "holds no study.json" in r.stderr
    r = subprocess.run(cmd + ["--study", str(out), "--trait", "3"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "trait replicates 1..2" in r.stderr
    r = subprocess.run(cmd + ["--study", str(out), "--strategies", "EQ,XYZ"], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 2 and "unknown strategy XYZ" in r.stderr


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="needs R (scripts/setup-r.sh installs it)")
def test_reference_loop_script_says_what_it_lacks(tmp_path):
    from bsl.studies.hamazaki2024.crosscheck import R_SCRIPT
    r = subprocess.run(["Rscript", str(R_SCRIPT), "--reference", str(tmp_path), "--data", str(tmp_path),
                        "--strategy", "EQ", "--replicates", "2", "--out", str(tmp_path / "x.csv")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "lacks myUtils.R" in r.stderr and "myBreedSimulatR checkout" in r.stderr
    r = subprocess.run(["Rscript", str(R_SCRIPT), "--reference", str(tmp_path), "--strategy", "XYZ"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "--data is required" in r.stderr
    r = subprocess.run(["Rscript", str(R_SCRIPT), "--reference", str(tmp_path), "--data", str(tmp_path),
                        "--strategy", "XYZ", "--replicates", "2", "--out", "x"], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 2 and "unknown strategy `XYZ`" in r.stderr
