"""`param` + `optimize`: the checkpointed search, its files, resume after a kill, and explain."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pandas as pd

SCHEME = """\
scheme "opt"
seed 5
genome { chromosomes 2  loci_per_chromosome 60  length 1 M  map kosambi }
founders base from coalescent { effective_size 300  pool 80  sample 40 by kmedoids }
trait yield { qtl 3 per chromosome  effects normal(0, 1 / 6) }
feature BV = breeding_value(yield)
feature GVP = progeny_variance(yield)
param h[cycle 1..2] = [BV, GVP] in [0, 2] start 1
repeat cycle 1..2 {
  select parents = top 8 by BV
  mate pairs = diallel(parents, selfing = true)
  allocate 40 progeny over pairs by softmax(mean_parent(z(BV)) ++ z(GVP), weights = h[cycle])
  cross pairs
}
objective gain = top(5, gv) at cycle 2 - top(5, gv) at cycle 0
optimize h with METHOD { maximize gain  evaluations 30  replicates_per_evaluation 4  final_replicates 20 }
"""


def bsl(*args):
    return subprocess.run([sys.executable, "-m", "bsl.cli.main", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ}, timeout=600)


def scheme(tmp_path: Path, method: str = "stosoo") -> Path:
    p = tmp_path / f"opt_{method}.bsl"
    p.write_text(SCHEME.replace("METHOD", method))
    return p


def test_optimize_writes_trace_best_and_final(tmp_path):
    out = tmp_path / "o"
    r = bsl("optimize", scheme(tmp_path), "--out", out, "--json")
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    trace = pd.read_csv(out / "trace.csv")
    assert list(trace.columns) == ["evaluation", "h[1].BV", "h[1].GVP", "h[2].BV", "h[2].GVP", "objective",
                                   "best_so_far"]
    assert len(trace) >= 30 and trace["evaluation"].tolist() == list(range(1, len(trace) + 1))
    assert trace.iloc[0, 1:5].tolist() == [1.0, 1.0, 1.0, 1.0]  # the root is the start
    assert ((trace.iloc[:, 1:5] >= 0) & (trace.iloc[:, 1:5] <= 2)).all().all()
    best = json.loads((out / "best.json").read_text())
    assert best["param"] == "h" and best["domain"] == [0.0, 2.0] and len(best["values"]) == 2
    assert best["manifest"]["seed"] == 5
    packages = best["manifest"]["packages"]  # what the trace depends on, CMA-ES's version included
    assert packages["cma"] == version("cma") and packages["torch"] and packages["numpy"]
    for strategy in ("optimized", "start"):
        objectives = pd.read_csv(out / "final" / strategy / "objectives.csv")
        assert len(objectives) == 20
        assert summary["final"][strategy]["gain"]["n"] == 20
    cdf = pd.read_csv(out / "final" / "cdf.csv")
    assert set(cdf["strategy"]) == {"optimized", "start"} and cdf["cdf"].max() == 1.0


def test_resume_after_kill_gives_the_same_answer(tmp_path):
    full, cut = tmp_path / "full", tmp_path / "cut"
    s = scheme(tmp_path)
    assert bsl("optimize", s, "--out", full).returncode == 0
    lines = (full / "trace.csv").read_text().splitlines(keepends=True)
    cut.mkdir()
    # as if killed while writing evaluation 13: 12 finished rows and a torn line
    (cut / "trace.csv").write_text("".join(lines[:13]) + lines[13][:7])
    r = bsl("optimize", s, "--resume", cut)
    assert r.returncode == 0, r.stderr
    assert (cut / "trace.csv").read_text() == (full / "trace.csv").read_text()
    assert json.loads((cut / "best.json").read_text())["values"] == json.loads((full / "best.json").read_text())["values"]


def test_other_optimizers_and_run_command(tmp_path):
    for method in ("cma", "random"):
        r = bsl("run", scheme(tmp_path, method), "--out", tmp_path / method)
        assert r.returncode == 0, r.stderr
        assert len(pd.read_csv(tmp_path / method / "trace.csv")) == 30
    r = bsl("run", scheme(tmp_path))
    assert r.returncode == 2 and "--out" in r.stderr
    r = bsl("optimize", scheme(tmp_path), "--out", tmp_path / "cma")  # a folder that holds a trace
    assert r.returncode == 2 or r.returncode == 1
    assert "--resume" in r.stderr


def test_explain_prints_resolved_stosoo_settings(tmp_path):
    s = tmp_path / "big.bsl"
    s.write_text(SCHEME.replace("METHOD", "stosoo").replace("evaluations 30", "evaluations 20000"))
    r = bsl("explain", s)
    assert r.returncode == 0, r.stderr
    assert "max_evals_per_node = 21, max_depth = 31" in r.stdout and "split = exact" in r.stdout
    s.write_text(SCHEME.replace("METHOD", "stosoo").replace("evaluations 30", "evaluations 20000  split reference"))
    r = bsl("explain", s)
    assert r.returncode == 0, r.stderr
    assert "split = reference" in r.stdout
    s.write_text(SCHEME.replace("METHOD", "stosoo").replace("evaluations 30", "evaluations 30  split refrence"))
    r = bsl("check", s)
    assert r.returncode != 0 and "reference" in r.stderr and "big.bsl:" in r.stderr
