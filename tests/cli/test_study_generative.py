"""python -m bsl.studies.generative --small: trains, scores, resumes and writes the page."""
from __future__ import annotations

import json
import os
import subprocess
import sys


def study(*args, env=None):
    return subprocess.run([sys.executable, "-m", "bsl.studies.generative", *map(str, args)], capture_output=True,
                          text=True, timeout=600, env={**os.environ, **(env or {})})


def test_small_study_writes_the_table_and_resumes(tmp_path):
    page = tmp_path / "page.md"
    r = study("--out", tmp_path / "s", "--small", "--max-seconds", "2", "--families", "diffusion,autoregressive",
              "--page", page)
    assert r.returncode == 0, r.stderr
    text = page.read_text()
    assert "Reduced study" in text
    for row in ("| diffusion |", "| autoregressive |", "| *independent SNPs (floor)* |", "| *real vs real (ceiling)* |",
                "## Phenotypes", "| *additive Gaussian (baseline)* |", "| *true generating model (ceiling)* |",
                "## Microbiome", "| *independent log-normal (baseline)* |"):
        assert row in text
    crps = json.loads((tmp_path / "s" / "phenotype" / "autoregressive" / "metrics.json").read_text())["crps"]
    assert 0 < crps < 10
    result = json.loads((tmp_path / "s" / "genotype" / "diffusion" / "metrics.json").read_text())
    assert set(result["scores"]) >= {"af_r", "ld_r", "precision", "recall", "exact_copies"}
    assert result["train_seconds"] <= 10 and (tmp_path / "s" / "genotype" / "diffusion" / "model" / "model.json").is_file()
    again = study("--out", tmp_path / "s", "--small", "--families", "diffusion", "--kinds", "genotype", "--page", page)
    assert again.returncode == 0 and "genotype diffusion: done before" in again.stderr


def test_unknown_family_is_a_usage_error(tmp_path):
    r = study("--out", tmp_path, "--families", "gan")
    assert r.returncode == 2 and "unknown families gan" in r.stderr
    r = study("--out", tmp_path, "--kinds", "omics")
    assert r.returncode == 2 and "--kinds takes some of genotype, phenotype, microbiome" in r.stderr
