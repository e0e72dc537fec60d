"""Trained models on disk: a folder with `weights.safetensors` (every tensor needed to sample) and
`model.json` (kind, family, config, loci, training-data hash, seed, bsl version, training log), so
a model can be shared instead of the data it learned from. Two kinds: a genotype model
(bsl.genai.models) and a phenotype model (bsl.genai.conditional.phenotypes.PhenotypeGenerator).
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bsl.diagnostics import DataError

FORMAT = "bsl-model/1"
WEIGHTS = "weights.safetensors"
MANIFEST = "model.json"


@dataclass
class SavedModel:
    """A trained model read back: the model, its loci and its manifest."""

    model: object  # bsl.genai.models.GenotypeModel, or a PhenotypeGenerator for kind "phenotype"
    chromosome: np.ndarray  # (L,) int32, 0-based
    positions_morgans: np.ndarray  # (L,) float64
    manifest: dict


def data_hash(dosages: np.ndarray, chromosome: np.ndarray, positions_morgans: np.ndarray) -> str:
    """SHA-256 of the training genotypes and their loci (what the model learned from)."""
    h = hashlib.sha256()
    for a in (np.ascontiguousarray(dosages, dtype=np.uint8), np.ascontiguousarray(chromosome, dtype=np.int32),
              np.ascontiguousarray(positions_morgans, dtype=np.float64)):
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def save_model(folder: str | os.PathLike, model, *, chromosome: np.ndarray, positions_morgans: np.ndarray,
               manifest: dict) -> Path:
    """Write `model` to `folder` (created; both files replaced atomically, weights first)."""
    from safetensors.torch import save_file

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    state = model.state_dict()
    full = {"format": FORMAT, "kind": getattr(model, "kind", "genotype"), "family": model.family,
            "config": model.config,
            "loci": {"chromosome": [int(c) for c in chromosome],
                     "positions_morgans": [float(p) for p in positions_morgans]},
            **manifest}
    fd, tmp = tempfile.mkstemp(dir=out, prefix=".weights.", suffix=".tmp")
    os.close(fd)
    try:
        save_file(state, tmp, metadata={"format": FORMAT, "family": model.family})
        os.replace(tmp, out / WEIGHTS)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    fd, tmp = tempfile.mkstemp(dir=out, prefix=".model.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(full, fh, indent=2)
        fh.write("\n")
    os.replace(tmp, out / MANIFEST)
    return out


def load_model(folder: str | os.PathLike) -> SavedModel:
    """Read a model folder written by `save_model`; DataError (BSL550) when it is missing or unreadable."""
    from safetensors.torch import load_file

    from bsl.genai.models import make_model

    path = Path(folder)
    manifest_path, weights_path = path / MANIFEST, path / WEIGHTS
    if not manifest_path.is_file() or not weights_path.is_file():
        raise DataError(f"no trained model in `{path}` ({MANIFEST} and {WEIGHTS} are missing)", path=str(path),
                        code="BSL550", hint="train it first: `bsl train SCHEME --model NAME`")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise ValueError(f"format {manifest.get('format')!r}, expected {FORMAT!r}")
        if manifest.get("kind", "genotype") == "phenotype":
            from bsl.genai.conditional.phenotypes import PhenotypeGenerator
            model = PhenotypeGenerator(manifest["family"], **manifest["config"])
        else:
            config = dict(manifest["config"])
            if manifest["family"] == "diffusion":  # saved before v-prediction: keep sampling as trained
                config.setdefault("prediction", "epsilon")
                config.setdefault("posterior_variance", "beta_tilde")
            model = make_model(manifest["family"], **config)
        model.load_state_dict(load_file(str(weights_path)))
        chromosome = np.asarray(manifest["loci"]["chromosome"], dtype=np.int32)
        positions = np.asarray(manifest["loci"]["positions_morgans"], dtype=np.float64)
    except (ValueError, KeyError, TypeError, OSError) as exc:
        raise DataError(f"cannot read the model in `{path}`: {exc}", path=str(path), code="BSL551",
                        hint="train it again with `bsl train`") from None
    if model.num_loci != chromosome.size:
        raise DataError(f"the model in `{path}` has {model.num_loci} loci but its manifest lists {chromosome.size}",
                        path=str(path), code="BSL551", hint="train it again with `bsl train`")
    return SavedModel(model, chromosome, positions, manifest)
