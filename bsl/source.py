"""Source files and the spans that locate every AST node and diagnostic in them."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Span:
    """A half-open character range [start, end) in a source file, with 1-based line/column of its start."""

    start: int
    end: int
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0

    @staticmethod
    def unknown() -> "Span":
        return Span(0, 0, 0, 0)


@dataclass(frozen=True)
class SourceFile:
    """The text of one scheme and the name to show for it in messages."""

    path: str
    text: str

    @staticmethod
    def read(path: str | Path) -> "SourceFile":
        p = Path(path)
        return SourceFile(str(path), p.read_text(encoding="utf-8"))

    def line_text(self, line: int) -> str:
        lines = [x.rstrip("\r") for x in self.text.split("\n")]  # lark counts lines by \n only
        return lines[line - 1] if 1 <= line <= len(lines) else ""

    def span_at(self, offset: int, length: int = 1) -> Span:
        """Build a span from a character offset (used for errors that lark reports by position)."""
        offset = max(0, min(offset, len(self.text)))
        line = self.text.count("\n", 0, offset) + 1
        col = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return Span(offset, offset + length, line, col, line, col + length)
