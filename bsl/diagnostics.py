"""Diagnostics: errors as data (code, span, message, hint), their rendering, and did-you-mean."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable, Sequence

from bsl.source import SourceFile, Span

# Error code families (STYLE.md): 1xx syntax, 2xx names, 3xx types and values,
# 4xx scheme logic, 5xx runtime and data, 9xx internal.


@dataclass(frozen=True)
class Diagnostic:
    code: str  # e.g. "BSL201"
    message: str
    span: Span | None = None
    hint: str | None = None
    path: str | None = None  # file the span refers to; defaults to the scheme file
    severity: str = "error"

    def render(self, source: SourceFile | None = None) -> str:
        return render(self, source)


class BslError(Exception):
    """Raised to stop a phase; carries every diagnostic collected so far."""

    def __init__(self, diagnostics: Sequence[Diagnostic] | Diagnostic, source: SourceFile | None = None):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = list(diagnostics)
        self.source = source
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(render(d, self.source) for d in self.diagnostics)

    @property
    def is_data_error(self) -> bool:
        """True when every diagnostic is about a file or runtime data (5xx), not the scheme text."""
        return all(d.code.startswith("BSL5") for d in self.diagnostics)


class DataError(Exception):
    """A problem with an input data file (founders, map, QTL table, mating plan).

    Raised by the io layer, which knows nothing of scheme spans; the api attaches the span of
    the scheme statement that named the file and turns it into a BSL5xx diagnostic.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 hint: str | None = None, code: str = "BSL501"):
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint
        self.code = code
        where = f"{path}:{line}: " if path and line else (f"{path}: " if path else "")
        super().__init__(f"{where}{message}")


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """Return a hint naming the closest candidate, or None when nothing is close."""
    matches = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean `{matches[0]}`?" if matches else None


def render(diag: Diagnostic, source: SourceFile | None = None) -> str:
    """Render `path:line:col: error[CODE]: message`, the source line, a caret line and the hint."""
    path = diag.path or (source.path if source else "<input>")
    out: list[str] = []
    span = diag.span
    if span is not None and span.line > 0:
        out.append(f"{path}:{span.line}:{span.column}: {diag.severity}[{diag.code}]: {diag.message}")
        if source is not None and (diag.path is None or diag.path == source.path):
            text = source.line_text(span.line)
            if text:
                gutter = f"{span.line:>4} | "
                width = 1
                if span.end_line in (0, span.line) and span.end > span.start:
                    width = max(1, min(span.end - span.start, len(text) - span.column + 1))
                out.append(gutter + text)
                out.append(" " * (len(gutter) - 2) + "| " + " " * (span.column - 1) + "^" * width)
    else:
        out.append(f"{path}: {diag.severity}[{diag.code}]: {diag.message}")
    if diag.hint:
        out.append(f"  = hint: {diag.hint}")
    return "\n".join(out)
