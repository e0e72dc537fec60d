"""Models in a scheme: `model` declarations, `bsl train`, `founders ... from model`, `bsl evaluate`."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

SCHEME = """seed 1
replicates 2
genome {{ chromosomes 2  loci_per_chromosome 30  length 1 M }}
founders base from coalescent {{ effective_size 200  pool 60  sample 40  seed 3 }}
model g = diffusion {{ data base  epochs {epochs}  holdout 0.25 }}
founders synth from model g {{ sample 24 }}
trait yield {{ qtl 6 }}
repeat cycle 1..2 {{
  select parents = top 8 synth by gv
  mate pairs = random(8) over parents
  allocate 24 progeny over pairs by equal
  cross synth = pairs
}}
objective gain = mean(gv) at cycle 2 - mean(gv) at cycle 0
report {{ per_cycle mean(gv), heterozygosity(all) }}
"""


def bsl(*args, cwd):
    return subprocess.run([sys.executable, "-m", "bsl.cli.main", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ}, timeout=600)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    path = folder / "s.bsl"
    path.write_text(SCHEME.format(epochs=3), encoding="utf-8")
    r = bsl("train", path, "--threads", "1", cwd=folder)
    assert r.returncode == 0, r.stderr
    return folder, path


def test_train_saves_weights_and_a_manifest(trained):
    folder, _ = trained
    model = folder / "models" / "g"
    assert (model / "weights.safetensors").is_file()
    m = json.loads((model / "model.json").read_text())
    assert m["format"] == "bsl-model/1" and m["family"] == "diffusion" and m["name"] == "g"
    assert m["data"]["individuals"] == 40 and m["data"]["loci"] == 60 and m["data"]["train_individuals"] == 30
    assert len(m["data"]["test_rows"]) == 10 and len(m["data"]["sha256"]) == 64
    assert len(m["loci"]["chromosome"]) == 60 and m["training"]["stopped_by"] == "epochs"
    assert m["bsl_version"] and m["packages"]["torch"]


def test_founders_from_the_model_run_and_are_reproducible(trained, tmp_path):
    import bsl
    _, path = trained
    a = bsl.run(path, reps=2, seed=5)
    b = bsl.run(path, reps=2, seed=5)
    assert a.cycles.equals(b.cycles)
    assert a.manifest["founders"]["synth"]["source"] == "model"
    het0 = a.cycles[(a.cycles.metric == "heterozygosity(all)") & (a.cycles.cycle == 0)]["value"]
    assert (het0 > 0).all()  # the sampled founders segregate
    c = bsl.run(path, reps=2, seed=6)
    assert not a.cycles.equals(c.cycles)


def test_model_founders_are_the_models_samples_phased(trained):
    from bsl.genai.store import load_model
    from bsl.api import load
    from bsl.runtime.founders import model_founders
    folder, path = trained
    program = load(path).program
    spec = next(f for f in program.founders if f.name == "synth")
    fs, prov = model_founders(program, spec, seed=11)
    assert fs.haplotypes.shape == (24, 2, 60) and prov["family"] == "diffusion"
    saved = load_model(folder / "models" / "g")
    rng = np.random.default_rng(np.random.SeedSequence(11))
    expected = saved.model.sample(24, random_seed=int(rng.integers(2**31)))
    assert np.array_equal(fs.haplotypes.sum(axis=1), expected)


def test_evaluate_writes_the_metrics_table(trained):
    folder, path = trained
    r = bsl("evaluate", path, "--model", "g", "--out", folder / "ev", "--threads", "1", cwd=folder)
    assert r.returncode == 0, r.stderr
    result = json.loads((folder / "ev" / "metrics.json").read_text())
    assert set(result["rows"]) == {"diffusion", "independent SNPs (floor)", "real vs real (ceiling)"}
    assert result["test_individuals"] == 10
    for row in result["rows"].values():
        assert -1 <= row["af_r"] <= 1 and 0 <= row["precision"] <= 1
    for name in ("pca.svg", "allele_frequencies.svg", "ld_decay.svg", "ld_heatmap.svg", "precision_recall.svg"):
        text = (folder / "ev" / name).read_text()
        assert text.startswith("<svg") and text.rstrip().endswith("</svg>")
        assert ("<circle" in text) or ("<polyline" in text) or (name == "ld_heatmap.svg" and "<rect" in text)
    md = (folder / "ev" / "metrics.md").read_text()
    assert "| independent SNPs (floor) |" in md and "AATS" in md


def test_an_untrained_model_is_a_located_error(tmp_path):
    path = tmp_path / "s.bsl"
    path.write_text(SCHEME.format(epochs=1), encoding="utf-8")
    r = bsl("run", path, cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    assert "s.bsl:6:1: error[BSL550]: model `g` has not been trained" in r.stderr
    assert f"bsl train {path} --model g" in r.stderr and "Traceback" not in r.stderr


def test_a_model_trained_on_another_genome_is_refused(trained, tmp_path):
    folder, _ = trained
    other = tmp_path / "other.bsl"
    text = SCHEME.format(epochs=1).replace("loci_per_chromosome 30", "loci_per_chromosome 20")
    other.write_text(text.replace("data base  epochs 1", f'data base  epochs 1  path "{folder / "models" / "g"}"'),
                     encoding="utf-8")
    r = bsl("run", other, cwd=tmp_path)
    assert r.returncode == 1 and "error[BSL552]" in r.stderr, r.stderr
    assert "was trained on 2 chromosome(s) with [30, 30] loci" in r.stderr


def test_train_unknown_model_is_a_usage_error(trained):
    folder, path = trained
    r = bsl("train", path, "--model", "gg", cwd=folder)
    assert r.returncode == 2 and "the scheme has no model `gg`" in r.stderr and "did you mean `g`?" in r.stderr


def test_evaluate_refuses_a_model_trained_on_other_data(trained, tmp_path):
    folder, _ = trained
    other = tmp_path / "other.bsl"
    text = SCHEME.format(epochs=1).replace("effective_size 200", "effective_size 300")
    other.write_text(text.replace("data base  epochs 1", f'data base  epochs 1  path "{folder / "models" / "g"}"'),
                     encoding="utf-8")
    r = bsl("evaluate", other, "--model", "g", "--out", tmp_path / "ev", cwd=tmp_path)
    assert r.returncode == 1 and "error[BSL552]" in r.stderr and "was trained on other data" in r.stderr, r.stderr
