"""bsl.bridge.rds: run results written as .rds through rpy2 and read back by real R."""
from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys

import pandas as pd
import pytest

# Probed in a subprocess: importing rpy2 here would start R inside the test session at collection.
if shutil.which("Rscript") is None:
    pytest.skip("R is not installed (bash scripts/setup-r.sh installs it)", allow_module_level=True)
_probe = subprocess.run([sys.executable, "-c", "import rpy2.robjects"], capture_output=True, text=True)
if _probe.returncode != 0:
    pytest.skip("rpy2 cannot be imported (pip install 'bsl[r]'): " + (_probe.stderr.strip().splitlines() or ["?"])[-1],
                allow_module_level=True)

from bsl.bridge.rds import EXIT_DATA, main, write_rds  # noqa: E402
from bsl.io.results import write_results  # noqa: E402


def rscript(code: str) -> str:
    r = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


def frames():
    cycles = pd.DataFrame({"replicate": [1, 1, 2, 2], "cycle": [0, 1, 0, 1], "trait": ["yield"] * 4,
                           "metric": ["var(gv)", "mean(gv)", "var(gv)", "mean(gv)"],
                           "value": [0.1, float("nan"), 1 / 3, -2.5e-300]})
    objectives = pd.DataFrame({"replicate": [1, 2], "objective": ["gain", "gain"], "value": [0.1 + 0.2, 7.0]})
    manifest = {"seed": 3, "big": 2**40, "x": 1.0, "ok": True, "none": None, "name": "tiny",
                "passes": ["a", "b"], "nums": [1, 2.5], "empty": [], "nested": {"k": [1, 2]},
                "objs": [{"a": 1}, {"a": 2}], "withnull": [1, None]}
    return cycles, objectives, manifest


def test_types_values_and_manifest_match_what_r_reads_from_json(tmp_path):
    cycles, objectives, manifest = frames()
    write_results(tmp_path / "out", cycles=cycles, objectives=objectives, manifest=manifest)
    rds = tmp_path / "r.rds"
    assert main([str(tmp_path / "out"), str(rds)]) == 0
    out = json.loads(rscript(f"""
      x <- readRDS("{rds}")
      m <- jsonlite::fromJSON("{tmp_path / 'out' / 'manifest.json'}", simplifyVector = TRUE,
                              simplifyDataFrame = FALSE, simplifyMatrix = FALSE)
      cat(jsonlite::toJSON(list(
        classes = lapply(x$cycles, function(c) class(c)[1]),
        oclasses = lapply(x$objectives, function(c) class(c)[1]),
        levels = levels(x$cycles$metric), nrow = nrow(x$cycles),
        na = is.na(x$cycles$value[2]) && !is.nan(x$cycles$value[2]),
        bits = sprintf("%a", c(x$cycles$value[-2], x$objectives$value)),
        manifest_identical = identical(x$manifest, m)), auto_unbox = TRUE))
    """))
    assert out["classes"] == {"replicate": "integer", "cycle": "integer", "trait": "factor", "metric": "factor",
                              "value": "numeric"}
    assert out["oclasses"] == {"replicate": "integer", "objective": "factor", "value": "numeric"}
    assert out["levels"] == ["var(gv)", "mean(gv)"]  # order of first appearance
    assert out["nrow"] == 4 and out["na"] is True
    expected = [v for v in cycles["value"] if not math.isnan(v)] + list(objectives["value"])
    assert [float.fromhex(b.replace("0x1p", "0x1.0p")) for b in out["bits"]] == expected  # exact
    assert out["manifest_identical"] is True


def test_write_rds_from_a_run_result(tmp_path, small_scheme):
    import bsl
    res = bsl.run(small_scheme, reps=2, seed=1)
    write_rds(res, tmp_path / "run.rds")
    got = rscript(f'x <- readRDS("{tmp_path / "run.rds"}"); cat(nrow(x$cycles), nrow(x$objectives), '
                  f'x$manifest$replicates, sprintf("%.17g", sum(x$objectives$value)))')
    n, k, reps, total = got.split()
    assert (int(n), int(k), int(reps)) == (len(res.cycles), len(res.objectives), 2)
    assert float(total) == pytest.approx(res.objectives["value"].sum(), rel=1e-12)


def test_importing_rpy2_leaves_the_environment_alone(monkeypatch):
    import os

    from bsl.bridge.rds import _robjects
    monkeypatch.delenv("LD_LIBRARY_PATH", raising=False)
    _robjects()
    assert "LD_LIBRARY_PATH" not in os.environ


def test_command_line_errors(tmp_path):
    r = subprocess.run([sys.executable, "-m", "bsl.bridge.rds", str(tmp_path / "nope"), str(tmp_path / "x.rds")],
                       capture_output=True, text=True)
    assert r.returncode == EXIT_DATA
    assert "cycles.parquet is missing" in r.stderr and "bsl run --out" in r.stderr
    r = subprocess.run([sys.executable, "-m", "bsl.bridge.rds"], capture_output=True, text=True)
    assert r.returncode == EXIT_DATA and "usage:" in r.stderr
    assert not (tmp_path / "x.rds").exists()
