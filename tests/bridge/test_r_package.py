"""The bslr R package in rbridge/: R CMD build + R CMD check (its testthat suite) against the real bsl."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
R_PACKAGES = ("testthat", "jsonlite", "processx", "withr")

if shutil.which("R") is None:
    pytest.skip("R is not installed (bash scripts/setup-r.sh installs it)", allow_module_level=True)


def _missing_r_packages() -> list[str]:
    code = "cat(setdiff(c(%s), rownames(installed.packages())))" % ", ".join(f'"{p}"' for p in R_PACKAGES)
    r = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, timeout=120)
    return r.stdout.split()


def _env(tmp_path: Path) -> dict:
    bsl = Path(sys.executable).parent / "bsl"
    assert bsl.exists(), f"the bsl executable is not next to {sys.executable}"
    return {**os.environ, "BSL_EXECUTABLE": str(bsl), "BSLR_REQUIRE_BSL": "true",
            "BSL_CACHE_DIR": os.environ.get("BSL_CACHE_DIR", str(tmp_path / "cache")),
            "_R_CHECK_FORCE_SUGGESTS_": "false", "LC_ALL": "C.UTF-8"}


def test_r_cmd_check(tmp_path):
    missing = _missing_r_packages()
    if missing:
        pytest.skip(f"R packages missing: {', '.join(missing)} (bash scripts/setup-r.sh installs them)")
    env = _env(tmp_path)
    build = subprocess.run(["R", "CMD", "build", "--no-build-vignettes", str(ROOT / "rbridge")], cwd=tmp_path,
                           capture_output=True, text=True, env=env, timeout=600)
    assert build.returncode == 0, build.stdout + build.stderr
    tarball = next(tmp_path.glob("bslr_*.tar.gz"))
    check = subprocess.run(["R", "CMD", "check", "--no-manual", tarball.name], cwd=tmp_path,
                           capture_output=True, text=True, env=env, timeout=1200)
    log = check.stdout + check.stderr
    testlog = tmp_path / "bslr.Rcheck" / "tests" / "testthat.Rout.fail"
    if testlog.exists():
        log += "\n--- testthat.Rout.fail ---\n" + testlog.read_text()[-6000:]
    assert check.returncode == 0, log
    status = [line for line in log.splitlines() if line.startswith("Status:")]
    assert status and "ERROR" not in status[-1] and "WARNING" not in status[-1], log
