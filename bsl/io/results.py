"""Run results on disk: per-cycle and objective tables (CSV, Parquet) and the manifest, written atomically."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from bsl.diagnostics import DataError

CYCLES_COLUMNS = ("replicate", "cycle", "trait", "metric", "value")
OBJECTIVES_COLUMNS = ("replicate", "objective", "value")
STANDARD_FILES = ("cycles.csv", "cycles.parquet", "objectives.csv", "manifest.json")
# pandas >= 3 parses floats round-trip exactly by default and deprecates the option
_EXACT_FLOATS = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}


def _parse_frame(name: str, frame: Any, columns: tuple[str, ...]) -> pd.DataFrame:
    """The frame with exactly ``columns``, in that order, and a fresh RangeIndex."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame; got {type(frame).__name__}")
    if sorted(frame.columns) != sorted(columns):
        raise ValueError(f"{name} must have the columns {', '.join(columns)}; got {', '.join(map(str, frame.columns))}")
    return frame.loc[:, list(columns)].reset_index(drop=True)


def _parse_extra_files(extra_files: Any) -> dict[str, bytes]:
    if extra_files is None:
        return {}
    out = {}
    for name, data in dict(extra_files).items():
        if (not isinstance(name, str) or not name or name in (".", "..") or "/" in name or "\\" in name
                or name.startswith(".") or name in STANDARD_FILES):
            raise ValueError(f"extra file name {name!r} must be a plain file name, not hidden, and not one of "
                             f"{', '.join(STANDARD_FILES)}")
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(f"extra file {name!r} must be bytes; got {type(data).__name__}")
        out[name] = bytes(data)
    return out


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    # Floats are written by NumPy's shortest round-trip repr (pandas' default without
    # float_format): exact, deterministic, and readable (0.1, not 0.10000000000000001).
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    # No timestamps go into Parquet metadata; the pandas schema metadata is dropped so the bytes
    # do not change with the pandas version either. Column types are carried by the Arrow schema.
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    pq.write_table(table, path, compression="zstd", write_statistics=True)


def _write_manifest(manifest: dict, path: Path) -> None:
    text = json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8", newline="\n")


def write_results(out_dir: str | os.PathLike, *, cycles: pd.DataFrame, objectives: pd.DataFrame,
                  manifest: dict, extra_files: dict[str, bytes] | None = None) -> list[Path]:
    """Write a run's results into ``out_dir`` all at once or not at all.

    Files: ``cycles.csv`` and ``cycles.parquet`` (columns ``replicate, cycle, trait, metric,
    value``), ``objectives.csv`` (``replicate, objective, value``), ``manifest.json`` (sorted
    keys, indent 2) and each ``extra_files`` entry (name -> bytes, e.g. plots). Everything is
    first written into a temporary directory next to ``out_dir`` (same filesystem), then moved in
    with ``os.replace``; when anything fails before the moves, ``out_dir`` is untouched and the
    temporary directory is removed. Existing files of the same names are replaced; other files
    in ``out_dir`` are left alone. The same frames and manifest give byte-identical files.

    Returns:
        The paths written, in the order above.

    Raises:
        DataError: BSL501 when ``out_dir`` cannot be created or written.
        TypeError, ValueError: frames with other columns, a manifest that is not JSON (NaN included).
    """
    cycles = _parse_frame("cycles", cycles, CYCLES_COLUMNS)
    objectives = _parse_frame("objectives", objectives, OBJECTIVES_COLUMNS)
    if not isinstance(manifest, dict):
        raise TypeError(f"manifest must be a dict; got {type(manifest).__name__}")
    extras = _parse_extra_files(extra_files)

    out = Path(out_dir)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.tmp-"))
    except OSError as exc:
        raise DataError(f"cannot create the output directory: {exc.strerror or exc}", path=str(out),
                        code="BSL501", hint="choose a writable --out directory") from None
    try:
        _write_csv(cycles, staging / "cycles.csv")
        _write_parquet(cycles, staging / "cycles.parquet")
        _write_csv(objectives, staging / "objectives.csv")
        _write_manifest(manifest, staging / "manifest.json")
        for name, data in extras.items():
            (staging / name).write_bytes(data)
        names = list(STANDARD_FILES) + list(extras)
        try:
            out.mkdir(exist_ok=True)
        except OSError as exc:
            raise DataError(f"cannot create the output directory: {exc.strerror or exc}", path=str(out),
                            code="BSL501", hint="choose a writable --out directory") from None
        written = []
        for name in names:
            os.replace(staging / name, out / name)
            written.append(out / name)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def read_results(out_dir: str | os.PathLike) -> dict:
    """Read what :func:`write_results` wrote.

    Returns:
        ``{"cycles": DataFrame (from Parquet, exact), "objectives": DataFrame (from CSV, floats
        parsed exactly), "manifest": dict}``.

    Raises:
        DataError: BSL501 when a file is missing or unreadable, BSL502 when it is malformed.
    """
    out = Path(out_dir)

    def need(name: str) -> Path:
        path = out / name
        if not path.is_file():
            raise DataError(f"{name} is missing", path=str(path), code="BSL501",
                            hint="point at a directory written by `bsl run --out`")
        return path

    try:
        cycles = pq.read_table(need("cycles.parquet")).to_pandas()
    except (OSError, pa.ArrowException) as exc:
        raise DataError(f"cannot read Parquet: {exc}", path=str(out / "cycles.parquet"), code="BSL502") from None
    try:
        objectives = pd.read_csv(need("objectives.csv"), **_EXACT_FLOATS)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataError(f"cannot read CSV: {exc}", path=str(out / "objectives.csv"), code="BSL502") from None
    try:
        manifest = json.loads(need("manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read JSON: {exc}", path=str(out / "manifest.json"), code="BSL502") from None
    return {"cycles": cycles, "objectives": objectives, "manifest": manifest}
