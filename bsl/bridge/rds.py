"""Run results as an R `.rds` file: a named list of data.frames and the manifest, written through rpy2.

The object written is what `bslr::bsl_run()` returns, so R users can `readRDS()` it directly:

    list(cycles     = data.frame(replicate = <int>, cycle = <int>, trait = <factor>,
                                 metric = <factor>, value = <double>),
         objectives = data.frame(replicate = <int>, objective = <factor>, value = <double>),
         manifest   = <named list>)

Factor levels are in order of first appearance (report order), missing values (NaN) are NA, and
the manifest follows jsonlite's `fromJSON(simplifyVector = TRUE, simplifyDataFrame = FALSE,
simplifyMatrix = FALSE)` rules, so the CSV + JSON fallback in bslr reads exactly the same object.

Command line (used by bslr; exit 0 ok, 2 bad results folder or file, 3 rpy2 or R unavailable):

    python -m bsl.bridge.rds OUT_DIR FILE.rds
"""
from __future__ import annotations

import math
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

EXIT_OK, EXIT_DATA, EXIT_NO_R = 0, 2, 3
_INT32_MAX = 2**31 - 1


class RUnavailable(RuntimeError):
    """rpy2 is not installed, or it cannot start R."""


def _robjects():
    """rpy2.robjects, imported late: rpy2 is an optional dependency (`pip install 'bsl[r]'`)."""
    # rpy2 puts R's library folders (the system's among them) in front of LD_LIBRARY_PATH in
    # os.environ; every later subprocess would inherit them, and a Python built elsewhere (pyenv,
    # conda) started from this one would load the system's libpython. R is loaded by then: restore.
    saved = os.environ.get("LD_LIBRARY_PATH")
    try:
        import rpy2.robjects as ro
    except ImportError as exc:
        raise RUnavailable(f"rpy2 is not installed ({exc}); install it with `pip install 'bsl[r]'`") from None
    except Exception as exc:  # rpy2 raises various errors when R itself is missing or mismatched
        raise RUnavailable(f"rpy2 cannot start R: {type(exc).__name__}: {exc}") from None
    finally:
        if saved is None:
            os.environ.pop("LD_LIBRARY_PATH", None)
        else:
            os.environ["LD_LIBRARY_PATH"] = saved
    return ro


# Built by R itself so that classes, the object bit and compact row names are exactly R's own.
_R_BUILD = """
list(
  factor = function(x) factor(x, levels = unique(x)),
  frame = function(columns) {
    class(columns) <- "data.frame"
    attr(columns, "row.names") <- .set_row_names(length(columns[[1L]]))
    columns
  }
)
"""


def _factor(ro, build, values: pd.Series):
    """A factor whose levels are the distinct values in order of first appearance (report order)."""
    return build.rx2("factor")(ro.vectors.StrVector(values.astype(str).tolist()))


def _integers(ro, values: pd.Series):
    return ro.vectors.IntVector([int(v) for v in values])


def _doubles(ro, values: pd.Series):
    na = ro.NA_Real
    return ro.vectors.FloatVector([na if math.isnan(v) else float(v) for v in values.astype(float)])


def _data_frame(ro, build, columns: dict[str, Any]):
    """A data.frame with compact integer row names, as `read.csv()` and `data.frame()` make."""
    return build.rx2("frame")(_named_list(ro, columns))


def _named_list(ro, items: dict[str, Any]):
    out = ro.vectors.ListVector.from_length(len(items))
    for i, v in enumerate(items.values()):
        out[i] = v
    out.names = ro.vectors.StrVector([str(k) for k in items])
    return out


def _json_to_r(ro, value: Any):
    """A JSON value as jsonlite::fromJSON(simplifyVector = TRUE, simplifyDataFrame = FALSE, simplifyMatrix = FALSE) reads it."""
    if value is None:
        return ro.NULL
    if isinstance(value, bool):
        return ro.vectors.BoolVector([value])
    if isinstance(value, int):
        return ro.vectors.IntVector([value]) if abs(value) <= _INT32_MAX else ro.vectors.FloatVector([float(value)])
    if isinstance(value, float):
        return ro.vectors.FloatVector([value])
    if isinstance(value, str):
        return ro.vectors.StrVector([value])
    if isinstance(value, dict):
        return _named_list(ro, {k: _json_to_r(ro, v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        atomic = _simplify(ro, list(value))
        if atomic is not None:
            return atomic
        out = ro.vectors.ListVector.from_length(len(value))
        for i, v in enumerate(value):
            out[i] = _json_to_r(ro, v)
        return out
    raise TypeError(f"manifest value of type {type(value).__name__} is not JSON")


def _simplify(ro, items: list):
    """jsonlite's simplifyVector: a non-empty array of scalars (nulls allowed) becomes an atomic vector."""
    scalars = [v for v in items if v is not None]
    if not items or not scalars or any(isinstance(v, (dict, list, tuple)) for v in items):
        return None
    if all(isinstance(v, bool) for v in scalars):
        return ro.vectors.BoolVector([ro.NA_Logical if v is None else v for v in items])
    if any(isinstance(v, str) for v in scalars):
        if not all(isinstance(v, str) for v in scalars):
            # jsonlite turns mixed strings and numbers into strings
            return ro.vectors.StrVector([ro.NA_Character if v is None else _json_scalar_text(v) for v in items])
        return ro.vectors.StrVector([ro.NA_Character if v is None else v for v in items])
    if any(isinstance(v, bool) for v in scalars):
        return None
    if all(isinstance(v, int) and abs(v) <= _INT32_MAX for v in scalars):
        return ro.vectors.IntVector([ro.NA_Integer if v is None else v for v in items])
    return ro.vectors.FloatVector([ro.NA_Real if v is None else float(v) for v in items])


def _json_scalar_text(v: Any) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    return str(v)


def results_to_r(results: Any):
    """The R object (rpy2) for a RunResult, or for the dict :func:`bsl.io.results.read_results` returns."""
    ro = _robjects()
    if isinstance(results, dict):
        cycles, objectives, manifest = results["cycles"], results["objectives"], results["manifest"]
    else:
        cycles, objectives, manifest = results.cycles, results.objectives, results.manifest
    build = ro.r(_R_BUILD)
    cycles_r = _data_frame(ro, build, {
        "replicate": _integers(ro, cycles["replicate"]),
        "cycle": _integers(ro, cycles["cycle"]),
        "trait": _factor(ro, build, cycles["trait"]),
        "metric": _factor(ro, build, cycles["metric"]),
        "value": _doubles(ro, cycles["value"]),
    })
    objectives_r = _data_frame(ro, build, {
        "replicate": _integers(ro, objectives["replicate"]),
        "objective": _factor(ro, build, objectives["objective"]),
        "value": _doubles(ro, objectives["value"]),
    })
    return _named_list(ro, {"cycles": cycles_r, "objectives": objectives_r,
                            "manifest": _json_to_r(ro, manifest)})


def write_rds(results: Any, path: str | os.PathLike) -> Path:
    """Write a RunResult (or a read_results dict) to ``path`` as `.rds`, atomically.

    Raises:
        RUnavailable: rpy2 is not installed or cannot start R.
    """
    ro = _robjects()
    obj = results_to_r(results)
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", prefix=f".{target.name}.",
                               suffix=".tmp")
    os.close(fd)
    try:
        ro.r["saveRDS"](obj, file=tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def main(argv: list[str] | None = None) -> int:
    """`python -m bsl.bridge.rds OUT_DIR FILE.rds`: convert a `bsl run --out` folder to `.rds`."""
    from bsl.diagnostics import DataError
    from bsl.io.results import read_results
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] in ("-h", "--help"):
        print("usage: python -m bsl.bridge.rds OUT_DIR FILE.rds\n"
              "convert the results folder written by `bsl run --out OUT_DIR` to an R .rds file", file=sys.stderr)
        return EXIT_DATA if args[:1] not in (["-h"], ["--help"]) else EXIT_OK
    out_dir, rds_path = args
    try:
        _robjects()
    except RUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NO_R
    try:
        results = read_results(out_dir)
        write_rds(results, rds_path)
    except DataError as exc:
        print(f"error: {exc}" + (f"\n  = hint: {exc.hint}" if exc.hint else ""), file=sys.stderr)
        return EXIT_DATA
    except OSError as exc:
        print(f"error: cannot write {rds_path}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_DATA
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
