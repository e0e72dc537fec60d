"""Trial records for a phenotype model: a CSV with one row per phenotyped plot.

Columns: ``individual`` (a name of the founders the model learns from), the trait's column, an
optional ``environment`` label, and every other column a numeric environment covariate (for
example rainfall and temperature of the trial, standardized or not). An individual can appear in
several trials; the model learns y given its genotype and the trial's covariates.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bsl.diagnostics import DataError

ID_COLUMN = "individual"
LABEL_COLUMN = "environment"


@dataclass
class TrialRecords:
    individual: np.ndarray  # (n,) int64, rows of the founders set
    environment: np.ndarray  # (n, E) float64 covariates
    y: np.ndarray  # (n,) float64
    covariates: list[str]
    sha256: str  # of the file's bytes


def read_trials(path: str | Path, *, trait: str, names: list[str]) -> TrialRecords:
    """Read and check a trial file; DataError (with the file's line) for anything malformed."""
    import pandas as pd

    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read the trial file: {exc.strerror or exc}", path=str(p), code="BSL501",
                        hint="paths are relative to the folder of the scheme file") from None
    try:
        frame = pd.read_csv(p, dtype={ID_COLUMN: str})
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataError(f"not a CSV file: {exc}", path=str(p), code="BSL502",
                        hint=f"a header line ({ID_COLUMN},{trait},covariates...) and one row per record") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    for need in (ID_COLUMN, trait):
        if need not in frame.columns:
            raise DataError(f"no column `{need}` (columns: {', '.join(frame.columns)})", path=str(p), line=1,
                            code="BSL503", hint=f"the trial file needs `{ID_COLUMN}`, `{trait}` and the covariates")
    if frame.empty:
        raise DataError("the trial file has no records", path=str(p), line=2, code="BSL502")
    covariates = [c for c in frame.columns if c not in (ID_COLUMN, trait, LABEL_COLUMN)]
    index = {name: i for i, name in enumerate(names)}
    ids = frame[ID_COLUMN].astype(str).str.strip()
    unknown = ~ids.isin(list(index))
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0])
        raise DataError(f"individual `{ids.iloc[row]}` is not one of the founders the model learns from "
                        f"({int(unknown.sum())} such record(s))", path=str(p), line=row + 2, code="BSL504",
                        hint=f"`{ID_COLUMN}` must hold founder names, e.g. {', '.join(names[:3])}")
    values = {}
    for column in [trait, *covariates]:
        numbers = pd.to_numeric(frame[column], errors="coerce")
        bad = ~np.isfinite(numbers.to_numpy(dtype=np.float64))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise DataError(f"column `{column}` has a value that is not a finite number: {frame[column].iloc[row]!r}",
                            path=str(p), line=row + 2, code="BSL502",
                            hint="drop records with missing phenotypes; covariates must be numbers")
        values[column] = numbers.to_numpy(dtype=np.float64)
    environment = (np.column_stack([values[c] for c in covariates]) if covariates
                   else np.zeros((len(frame), 0)))
    return TrialRecords(ids.map(index).to_numpy(dtype=np.int64), environment, values[trait], covariates,
                        hashlib.sha256(raw).hexdigest())
