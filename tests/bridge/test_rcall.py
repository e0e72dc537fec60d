"""R functions called from a scheme (`r("file.R", "name")`): real R through rpy2, run by the real CLI."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

if shutil.which("Rscript") is None:
    pytest.skip("R is not installed (bash scripts/setup-r.sh installs it)", allow_module_level=True)
# Probed in a subprocess: importing rpy2 here would start R inside the test session at collection.
if subprocess.run([sys.executable, "-c", "import rpy2.robjects"], capture_output=True).returncode != 0:
    pytest.skip("rpy2 is not installed (pip install 'bsl[r]')", allow_module_level=True)

R_CODE = """
same_as_gv <- function(geno, values) {
  stopifnot(is.matrix(geno), is.integer(geno), all(geno %in% 0:2), ncol(geno) == 80L,
            identical(colnames(geno)[c(1, 41)], c("1_1", "2_1")), nrow(geno) == nrow(values),
            identical(names(values), "gv_yield"))
  values$gv_yield
}
homozygotes <- function(geno) rowSums(geno != 1L)
too_short <- function(geno, values) c(1, 2)
words <- function(geno, values) rep("a", nrow(geno))
with_na <- function(geno) { x <- as.numeric(rowSums(geno)); x[2] <- NA; x }
fails <- function(geno, values) stop("weights file not found")
"""

SCHEME = """seed 3
replicates 3
genome {{ chromosomes 2  loci_per_chromosome 40  length 1 M }}
founders base from coalescent {{ effective_size 200  pool 60  sample 30 }}
trait yield {{ qtl 6 }}
feature idx = {feature}
repeat cycle 1..2 {{
  select parents = top 10 by idx
  mate pairs = random(10) over parents
  allocate 30 progeny over pairs by equal
  cross pairs
}}
objective gain = mean(gv) at cycle 2 - mean(gv) at cycle 0
report {{ per_cycle mean(gv), heterozygosity(all) }}
"""


def bsl(*args, cwd):
    return subprocess.run([sys.executable, "-m", "bsl.cli.main", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ}, timeout=600)


@pytest.fixture
def folder(tmp_path) -> Path:
    (tmp_path / "idx.R").write_text(R_CODE, encoding="utf-8")
    return tmp_path


def scheme(folder: Path, feature: str, name: str = "s.bsl") -> Path:
    p = folder / name
    p.write_text(SCHEME.format(feature=feature), encoding="utf-8")
    return p


def test_an_r_index_selects_exactly_as_the_builtin_it_computes(folder):
    # The R function returns gv unchanged (after checking what it receives), so selection by it is
    # selection by gv: same seed, same loci simulated (heterozygosity(all) keeps every locus) -> same run.
    by_r = bsl("run", scheme(folder, 'r("idx.R", "same_as_gv")', "r.bsl"), "--out", folder / "r", cwd=folder)
    assert by_r.returncode == 0, by_r.stderr
    by_gv = bsl("run", scheme(folder, "gv", "gv.bsl"), "--out", folder / "gv", cwd=folder)
    assert by_gv.returncode == 0, by_gv.stderr
    a = pd.read_csv(folder / "r" / "cycles.csv")
    b = pd.read_csv(folder / "gv" / "cycles.csv")
    pd.testing.assert_frame_equal(a, b)
    assert a.loc[a.cycle == 2, "value"].nunique() > 1  # the replicates differ: the comparison is not vacuous
    manifest = json.loads((folder / "r" / "manifest.json").read_text())
    (entry,) = manifest["r_functions"]
    assert entry["function"] == "same_as_gv" and entry["file"].endswith("idx.R") and len(entry["sha256"]) == 64
    assert entry["r_version"].startswith("R version")


def test_a_one_argument_function_is_called_with_the_genotypes_alone(folder):
    r = bsl("run", scheme(folder, 'r("idx.R", "homozygotes")'), "--out", folder / "o", "--reps", "2", cwd=folder)
    assert r.returncode == 0, r.stderr
    manifest = json.loads((folder / "o" / "manifest.json").read_text())
    assert manifest["passes"] == ["observed-loci (an R function reads the genotypes: kept all loci)"]


@pytest.mark.parametrize("function, code, message", [
    ("too_short", "BSL541", "R function `too_short` returned 2 values for 30 individuals (replicate 1)"),
    ("words", "BSL541", "R function `words` returned a character (character); it must return a numeric vector"),
    ("with_na", "BSL542", "R function `with_na` returned NA, NaN or Inf for 1 of 30 individuals (first: row 2)"),
    ("fails", "BSL540", "R function `fails` failed: weights file not found"),
    ("nowhere", "BSL541", "does not define an R function `nowhere`"),
])
def test_bad_r_functions_are_located_diagnostics(folder, function, code, message):
    r = bsl("run", scheme(folder, f'r("idx.R", "{function}")'), cwd=folder)
    assert r.returncode == 1, r.stderr
    assert f"s.bsl:6:15: error[{code}]" in r.stderr and message in r.stderr, r.stderr
    assert "^^^" in r.stderr  # the scheme line is shown with a caret
    assert "Traceback" not in r.stderr and "R[write to console]" not in r.stderr


def test_an_r_file_that_does_not_parse(folder):
    (folder / "broken.R").write_text("f <- function(geno) {\n", encoding="utf-8")
    r = bsl("run", scheme(folder, 'r("broken.R", "f")'), cwd=folder)
    assert r.returncode == 1 and "error[BSL540]: R could not source" in r.stderr, r.stderr
    assert "unexpected end of input" in r.stderr


def test_check_catches_a_missing_file_and_bad_arguments_without_r(folder):
    r = bsl("check", scheme(folder, 'r("nope.R", "f")'), cwd=folder)
    assert r.returncode == 1 and "error[BSL501]: R file `nope.R` does not exist" in r.stderr, r.stderr
    r = bsl("check", scheme(folder, 'r(idx, "f")'), cwd=folder)
    assert "error[BSL318]: `r` takes an R file and the name of a function in it" in r.stderr, r.stderr
    r = bsl("check", scheme(folder, 'r("idx.R", "not a name")'), cwd=folder)
    assert "error[BSL318]: `not a name` is not an R function name" in r.stderr, r.stderr


def test_r_missing_is_a_clear_error(monkeypatch):
    from bsl.bridge import rcall
    from bsl.bridge.rds import RUnavailable
    from bsl.diagnostics import DataError

    def unavailable():
        raise RUnavailable("rpy2 is not installed (No module named 'rpy2')")

    monkeypatch.setattr(rcall, "_robjects", unavailable)
    with pytest.raises(DataError) as err:
        rcall.load_r_function("idx.R", "f")
    assert err.value.code == "BSL543" and "cannot call R function `f`" in err.value.message
    assert "pip install 'bsl[r]'" in err.value.hint


def test_run_format_rds_writes_results_rds_that_r_reads(folder, small_scheme):
    r = bsl("run", small_scheme, "--reps", "2", "--out", folder / "o", "--format", "rds", cwd=folder)
    assert r.returncode == 0, r.stderr
    out = subprocess.run(["Rscript", "-e", f'x <- readRDS("{folder / "o" / "results.rds"}"); '
                          'cat(class(x$cycles$replicate), class(x$cycles$metric), nrow(x$objectives))'],
                         capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["integer", "factor", "2"], out.stderr
    r = bsl("run", small_scheme, "--format", "rds", cwd=folder)
    assert r.returncode == 2 and "add --out DIR" in r.stderr
