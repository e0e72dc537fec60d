"""Results on disk: atomic writes, byte-identical rewrites, read-back, provenance."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from bsl.diagnostics import DataError
from bsl.io.provenance import package_versions, sha256_text
from bsl.io.results import _EXACT_FLOATS, read_results, write_results


def frames():
    rng = np.random.default_rng(11)
    rows = [(r, c, "yield", m, float(rng.normal())) for r in range(3) for c in range(5) for m in ("mean_gv", "var_gv")]
    cycles = pd.DataFrame(rows, columns=["replicate", "cycle", "trait", "metric", "value"])
    cycles.loc[0, "value"] = 0.1  # a value whose shortest repr differs from %.17g
    cycles.loc[1, "value"] = 1e-300
    objectives = pd.DataFrame({"objective": ["gain"] * 3, "replicate": [0, 1, 2],
                               "value": [1 / 3, 2.5, -7e10]})  # column order is normalised
    manifest = {"seed": 2024, "replicates": 3, "bsl_version": "0.1.0", "a": {"z": 1, "b": [1, 2]}}
    return cycles, objectives, manifest


def test_writes_files_and_reads_back_exactly(tmp_path):
    cycles, objectives, manifest = frames()
    out = tmp_path / "run"
    paths = write_results(out, cycles=cycles, objectives=objectives, manifest=manifest,
                          extra_files={"gain.png": b"\x89PNG fake"})
    assert [p.name for p in paths] == ["cycles.csv", "cycles.parquet", "objectives.csv", "manifest.json", "gain.png"]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # the staging directory is gone
    back = read_results(out)
    pd.testing.assert_frame_equal(back["cycles"], cycles)
    pd.testing.assert_frame_equal(back["objectives"], objectives[["replicate", "objective", "value"]])
    assert back["manifest"] == manifest
    csv_back = pd.read_csv(out / "cycles.csv", **_EXACT_FLOATS)
    pd.testing.assert_frame_equal(csv_back, cycles)  # CSV floats are exact
    text = (out / "manifest.json").read_text()
    assert text == json.dumps(manifest, sort_keys=True, indent=2) + "\n"
    assert b"\r\n" not in (out / "cycles.csv").read_bytes()
    assert (out / "cycles.csv").read_text().splitlines()[0] == "replicate,cycle,trait,metric,value"


def test_rewrite_is_byte_identical(tmp_path):
    cycles, objectives, manifest = frames()
    a = write_results(tmp_path / "a", cycles=cycles, objectives=objectives, manifest=manifest)
    b = write_results(tmp_path / "b", cycles=cycles.copy(), objectives=objectives.copy(), manifest=dict(manifest))
    for pa, pb in zip(a, b):
        assert pa.read_bytes() == pb.read_bytes(), pa.name


def test_failure_mid_write_leaves_no_partial_files(tmp_path):
    cycles, objectives, _ = frames()
    out = tmp_path / "run"
    with pytest.raises(TypeError):
        write_results(out, cycles=cycles, objectives=objectives, manifest={"bad": object()})
    assert list(tmp_path.iterdir()) == []  # neither out_dir nor the staging directory


def test_failure_keeps_previous_results_intact(tmp_path):
    cycles, objectives, manifest = frames()
    out = tmp_path / "run"
    write_results(out, cycles=cycles, objectives=objectives, manifest=manifest)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(ValueError):
        write_results(out, cycles=cycles.iloc[:2], objectives=objectives, manifest={"x": float("nan")})
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_wrong_columns_rejected(tmp_path):
    cycles, objectives, manifest = frames()
    with pytest.raises(ValueError, match="replicate, cycle, trait, metric, value"):
        write_results(tmp_path / "r", cycles=cycles.drop(columns="metric"), objectives=objectives,
                      manifest=manifest)
    with pytest.raises(ValueError, match="plain file name"):
        write_results(tmp_path / "r", cycles=cycles, objectives=objectives, manifest=manifest,
                      extra_files={"../evil": b""})
    assert list(tmp_path.iterdir()) == []


def test_read_results_missing_file(tmp_path):
    with pytest.raises(DataError) as info:
        read_results(tmp_path)
    assert info.value.code == "BSL501"


def test_provenance():
    v = package_versions()
    for key in ("python", "bsl", "numpy", "torch", "msprime", "pandas", "pyarrow", "lark", "kmedoids", "platform"):
        assert key in v
    assert v["numpy"] == np.__version__ and v["bsl"]
    assert sha256_text("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
