"""R functions called from a scheme (`r("my_index.R", "my_index")`): sourced once through rpy2,
then called with each replicate's genotype matrix and current values.

The R side sees

    my_index <- function(geno, values) ...

* ``geno``: an integer matrix, one row per individual and one column per locus, 0/1/2 copies of
  allele 1; column names ``<chromosome>_<locus>`` (1-based), row names ``1..n``.
* ``values``: a data.frame with one row per individual: ``gv_<trait>`` (true genetic value) for
  every trait and ``phenotype_<trait>`` once the population is phenotyped.

A function with a single argument is called with ``geno`` alone. It must return a numeric
vector of length ``n`` without NA, NaN or Inf; anything else, an R error included, is reported
as a diagnostic naming the function and the scheme line that calls it.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Callable

import numpy as np

from bsl.bridge.rds import RUnavailable, _robjects
from bsl.diagnostics import DataError

# An R feature as the runtime sees it: (geno (n, L) int32, values {column: (n,) float64}, locus names) -> (n,)
RFeatureFunction = Callable[[np.ndarray, dict[str, np.ndarray], list[str]], np.ndarray]


def _r_error_text(exc: Exception) -> str:
    """R's condition message without the `Error in <call> :` head, on one line."""
    text = " ".join(str(exc).split())
    if text.startswith("Error in ") and " : " in text:
        call, _, message = text[len("Error in "):].partition(" : ")
        text = message if call.startswith(("(function", "FUN(", "parse(")) else f"{call}: {message}"
    elif text.startswith(("Error : ", "Error: ")):
        text = text.partition(": ")[2]
    return text


@contextmanager
def _quiet_console():
    """Keep R's own printing of an error off the terminal: the diagnostic carries the message."""
    from rpy2.rinterface_lib import callbacks

    saved = callbacks.consolewrite_warnerror
    callbacks.consolewrite_warnerror = lambda text: None
    try:
        yield
    finally:
        callbacks.consolewrite_warnerror = saved


def load_r_function(path: str, function: str) -> RFeatureFunction:
    """Source `path` into a fresh R environment and return a caller for `function`.

    Raises DataError (BSL540 the file fails to source, BSL541 no such function, BSL543 R or rpy2
    missing) with the R file as its path.
    """
    try:
        ro = _robjects()
    except RUnavailable as exc:
        raise DataError(code="BSL543", message=f"cannot call R function `{function}`: {exc}", path=path,
                        hint="install R and rpy2 (`pip install 'bsl[r]'`; on Debian `bash scripts/setup-r.sh`)") from None
    from rpy2.rinterface_lib.embedded import RRuntimeError

    env = ro.r["new.env"]()
    try:
        with _quiet_console():
            ro.r["sys.source"](str(Path(path)), envir=env)
    except RRuntimeError as exc:
        raise DataError(code="BSL540", message=f"R could not source `{path}`: {_r_error_text(exc)}", path=path,
                        hint="run `source(\"" + path + "\")` in R to see the error") from None
    exists = ro.r["exists"](function, envir=env, inherits=False)[0]
    fn = ro.r["get"](function, envir=env) if exists else None
    if fn is None or not ro.r["is.function"](fn)[0]:
        defined = [str(n) for n in ro.r["ls"](env) if ro.r["is.function"](ro.r["get"](n, envir=env))[0]]
        hint = (f"functions defined there: {', '.join(defined)}" if defined
                else f"define it: `{function} <- function(geno, values) ...`")
        raise DataError(code="BSL541", message=f"`{path}` does not define an R function `{function}`", path=path, hint=hint)
    formals = list(ro.r["names"](ro.r["formals"](fn)) or [])
    geno_only = len(formals) == 1 and formals[0] != "..."
    return _RCaller(ro, fn, function, path, geno_only)


class _RCaller:
    """Calls one R function; conversions through rpy2's numpy converter (no per-element Python loop)."""

    def __init__(self, ro, fn, name: str, path: str, geno_only: bool):
        from rpy2.robjects import numpy2ri
        from rpy2.rinterface_lib.embedded import RRuntimeError

        self.ro, self.fn, self.name, self.path, self.geno_only = ro, fn, name, path, geno_only
        self.converter = ro.default_converter + numpy2ri.converter
        self.error_type = RRuntimeError
        self._colnames: tuple[int, object] | None = None
        self.r_version = str(ro.r("R.version.string")[0])
        self._set_dimnames = ro.r("function(m, rows, cols) { dimnames(m) <- list(rows, cols); m }")

    def _matrix(self, geno: np.ndarray, loci: list[str]):
        ro = self.ro
        with self.converter.context():
            m = ro.conversion.get_conversion().py2rpy(np.asfortranarray(geno, dtype=np.int32))
        if self._colnames is None or self._colnames[0] != len(loci):
            self._colnames = (len(loci), ro.vectors.StrVector(loci))
        rows = ro.vectors.StrVector([str(i) for i in range(1, geno.shape[0] + 1)])
        return self._set_dimnames(m, rows, self._colnames[1])

    def _frame(self, values: dict[str, np.ndarray]):
        ro = self.ro
        with self.converter.context():
            columns = {k: ro.conversion.get_conversion().py2rpy(np.ascontiguousarray(v, dtype=np.float64))
                       for k, v in values.items()}
        return ro.r["data.frame"](**columns, check_names=False) if columns else ro.r["data.frame"]()

    def __call__(self, geno: np.ndarray, values: dict[str, np.ndarray], loci: list[str]) -> np.ndarray:
        n = geno.shape[0]
        args = [self._matrix(geno, loci)] if self.geno_only else [self._matrix(geno, loci), self._frame(values)]
        try:
            with _quiet_console():
                out = self.fn(*args)
        except self.error_type as exc:
            raise DataError(code="BSL540", message=f"R function `{self.name}` failed: {_r_error_text(exc)}", path=self.path,
                            hint="the function receives `geno` (integer matrix, one row per individual) and "
                                 "`values` (data.frame); see docs/r.md") from None
        kind = str(self.ro.r["typeof"](out)[0])
        dim = self.ro.r["dim"](out)
        one_column = bool(self.ro.r["is.null"](dim)[0]) or (len(dim) == 2 and int(dim[1]) == 1)
        if kind not in ("double", "integer", "logical") or not one_column:
            raise DataError(code="BSL541", message=f"R function `{self.name}` returned {self._describe(out)}; "
                                      f"it must return a numeric vector with one value per individual ({n})",
                            path=self.path, hint="return e.g. `as.numeric(geno %*% weights)`")
        values_out = np.asarray(self.ro.r["as.double"](out), dtype=np.float64)
        if values_out.shape != (n,):
            raise DataError(code="BSL541", message=f"R function `{self.name}` returned {values_out.size} values for {n} individuals",
                            path=self.path, hint="return one value per row of `geno`")
        bad = np.flatnonzero(~np.isfinite(values_out))
        if bad.size:
            raise DataError(code="BSL542", message=f"R function `{self.name}` returned NA, NaN or Inf for {bad.size} of {n} "
                                      f"individuals (first: row {bad[0] + 1})", path=self.path,
                            hint="return a finite number for every individual")
        return values_out

    def _describe(self, out) -> str:
        ro = self.ro
        cls = "/".join(str(c) for c in ro.r["class"](out))
        return f"a {cls} ({ro.r['typeof'](out)[0]})"
