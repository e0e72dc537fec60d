"""The CLI contract: exit codes, stdout/stderr split, the results files and their reproducibility."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

BSL = [sys.executable, "-m", "bsl.cli.main"]


def bsl(*args, cwd=None):
    return subprocess.run(BSL + [str(a) for a in args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ}, timeout=600)


def test_version():
    r = bsl("--version")
    assert r.returncode == 0 and r.stdout.startswith("bsl ")


def test_check_ok_and_errors(small_scheme, tmp_path):
    assert bsl("check", small_scheme).returncode == 0
    bad = tmp_path / "bad.bsl"
    bad.write_text(small_scheme.read_text().replace("top 8 by WBV", "top 8 by WVB").replace("diallel", "dialel"))
    r = bsl("check", bad)
    assert r.returncode == 1
    assert "error[BSL201]" in r.stderr and "error[BSL322]" in r.stderr, r.stderr
    assert "did you mean `WBV`?" in r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_syntax_error_is_located(tmp_path):
    bad = tmp_path / "syntax.bsl"
    bad.write_text('scheme "x"\nrepeat cycle 1..2 {\n  selct p = top 2 by gv\n}\n')
    r = bsl("check", bad)
    assert r.returncode == 1
    assert f"{bad}:3:3: error[BSL102]" in r.stderr and "did you mean `select`?" in r.stderr


def test_usage_errors_exit_2(small_scheme, tmp_path):
    assert bsl("run", tmp_path / "missing.bsl").returncode == 2
    r = bsl("run", small_scheme, "--set", "hh=[1]")
    assert r.returncode == 2 and "did you mean `h`?" in r.stderr
    assert bsl("run", small_scheme, "--reps", "0").returncode == 2
    assert bsl("run", small_scheme, "--device", "tpu").returncode == 2
    assert bsl("run", small_scheme, "--bogus").returncode == 2
    for r in (bsl("run", small_scheme, "--set", "h=[1,2]"),):
        assert r.returncode == 2 and "shape" in r.stderr and "Traceback" not in r.stderr


def test_run_writes_contract_and_is_reproducible(small_scheme, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    r1 = bsl("run", small_scheme, "--reps", 5, "--seed", 3, "--out", a, "--json")
    assert r1.returncode == 0, r1.stderr
    summary = json.loads(r1.stdout)
    assert summary["objectives"]["gain"]["n"] == 5
    assert "gain" in r1.stderr  # the human table goes to stderr
    r2 = bsl("run", small_scheme, "--reps", 5, "--seed", 3, "--out", b)
    assert r2.returncode == 0 and r2.stdout == ""
    for name in ("cycles.csv", "cycles.parquet", "objectives.csv", "manifest.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    cycles = pd.read_csv(a / "cycles.csv")
    assert list(cycles.columns) == ["replicate", "cycle", "trait", "metric", "value"]
    assert sorted(cycles["replicate"].unique()) == [1, 2, 3, 4, 5]
    assert sorted(cycles["cycle"].unique()) == [0, 1, 2]
    metrics = set(cycles["metric"])
    assert {"mean(gv)", "var(gv)", "top(5, gv)", "inbreeding"} <= metrics
    assert sum(m.startswith("allele_freq(qtl)[") for m in metrics) == 6
    assert pd.read_parquet(a / "cycles.parquet").equals(pd.read_csv(a / "cycles.csv", keep_default_na=False)
                                                         .astype({"trait": str}))
    objectives = pd.read_csv(a / "objectives.csv")
    assert list(objectives.columns) == ["replicate", "objective", "value"] and len(objectives) == 5
    manifest = json.loads((a / "manifest.json").read_text())
    assert manifest["seed"] == 3 and manifest["replicates"] == 5 and manifest["device"] == "cpu"
    assert manifest["scheme"]["text"] == small_scheme.read_text()
    assert {"torch", "numpy", "msprime"} <= set(manifest["packages"])
    c = bsl("run", small_scheme, "--reps", 5, "--seed", 4, "--out", tmp_path / "c")
    assert (tmp_path / "c" / "cycles.csv").read_bytes() != (a / "cycles.csv").read_bytes()


def test_set_overrides_constant(small_scheme, tmp_path):
    r = bsl("run", small_scheme, "--reps", 3, "--set", "h=[[0,0,0],[0,0,0]]", "--out", tmp_path / "o")
    assert r.returncode == 0, r.stderr
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert manifest["constants"]["h"] == [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]


def test_failed_run_leaves_no_partial_output(tmp_path):
    (tmp_path / "map.csv").write_text("chromosome,position\n1,0.1\n1,0.05\n")
    (tmp_path / "haps.csv").write_text("0,1\n1,0\n")
    scheme = tmp_path / "s.bsl"
    scheme.write_text('founders f from file "haps.csv" map "map.csv"\ntrait y { qtl 1 }\n'
                      'repeat cycle 1..1 {\n  mate c = random(2) over f\n  cross c\n}\n')
    out = tmp_path / "out"
    r = bsl("run", scheme, "--out", out)
    assert r.returncode == 1, r.stderr
    assert "BSL504" in r.stderr and "map.csv:3" in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()


def test_internal_error_exits_101(monkeypatch, capsys, small_scheme):
    from bsl.cli import main
    import bsl.api

    def boom(*a, **k):
        raise RuntimeError("kaboom")
    monkeypatch.setattr(bsl.api, "run", boom)
    monkeypatch.setattr(sys, "argv", ["bsl", "run", str(small_scheme)])
    with pytest.raises(SystemExit) as e:
        main.entry()
    assert e.value.code == 101
    assert "internal error" in capsys.readouterr().err


def test_python_api(small_scheme):
    import bsl as api
    res = api.run(small_scheme, reps=3, seed=2)
    assert set(res.cycles.columns) == {"replicate", "cycle", "trait", "metric", "value"}
    assert res.objectives["value"].notna().all()
    assert res.summary()["objectives"]["gain"]["n"] == 3
    assert api.check(small_scheme).traits == ["yield"]
    assert "graph" in api.load(small_scheme).explain()


def test_unwritable_out_is_a_usage_error(small_scheme, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    r = bsl("run", small_scheme, "--reps", 2, "--out", blocker)
    assert r.returncode == 2 and "error[BSL006]" in r.stderr and "Traceback" not in r.stderr


def test_check_reads_data_files(tmp_path):
    (tmp_path / "map.csv").write_text("chromosome,position\n1,0.1\n1,0.05\n")
    (tmp_path / "haps.csv").write_text("0,1\n1,0\n")
    (tmp_path / "qtl.csv").write_text("chromosome,locus,effect\n1,1,0.5\n")
    scheme = tmp_path / "s.bsl"
    scheme.write_text('founders f from file "haps.csv" map "map.csv"\ntrait y { qtl "qtl.csv" }\n'
                      'repeat cycle 1..1 {\n  mate c = random(2) over f\n  cross c\n}\n')
    r = bsl("check", scheme)
    assert r.returncode == 1 and "BSL504" in r.stderr and f"{scheme}:1:1" in r.stderr, r.stderr
    (tmp_path / "map.csv").write_text("chromosome,position\n1,0.05\n1,0.1\n")
    (tmp_path / "qtl.csv").write_text("chromosome,locus,effect\n1,3,0.5\n")
    r = bsl("check", scheme)
    assert r.returncode == 1 and "BSL506" in r.stderr and "qtl.csv:2" in r.stderr, r.stderr


def test_replicate_streams_do_not_depend_on_batching(small_scheme):
    import bsl as api
    a = api.run(small_scheme, reps=4, seed=9, batch_size=4)
    b = api.run(small_scheme, reps=4, seed=9, batch_size=1)
    c = api.run(small_scheme, reps=2, seed=9)
    pd.testing.assert_frame_equal(a.cycles, b.cycles)
    pd.testing.assert_frame_equal(a.objectives, b.objectives)
    first_two = a.cycles[a.cycles["replicate"] <= 2].reset_index(drop=True)
    pd.testing.assert_frame_equal(first_two, c.cycles)
    assert a.cycles[a.cycles["replicate"] == 1]["value"].tolist() != \
        a.cycles[a.cycles["replicate"] == 2]["value"].tolist()
