"""Golden tests of the syntax phase: rendered parse errors, and `bsl fmt` output."""
from __future__ import annotations

from pathlib import Path

import pytest

from bsl.diagnostics import BslError
from bsl.source import SourceFile
from bsl.syntax.formatter import format_source
from bsl.syntax.parser import parse
from golden import cases, check_golden


def _read(case: Path) -> SourceFile:
    # The bare file name keeps the rendered paths the same on every machine.
    return SourceFile(case.name, case.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", cases("syntax"), ids=lambda p: p.stem)
def test_syntax_errors(case: Path) -> None:
    try:
        module = parse(_read(case))
    except BslError as err:
        actual = err.render() + "\n"
    else:
        actual = f"ok: {len(module.decls)} declarations\n"
    check_golden(case, actual)


@pytest.mark.parametrize("case", cases("fmt"), ids=lambda p: p.stem)
def test_fmt(case: Path) -> None:
    source = _read(case)
    formatted = format_source(source)
    check_golden(case, formatted)
    assert format_source(SourceFile(case.name, formatted)) == formatted, "fmt is not idempotent"
    assert parse(SourceFile(case.name, formatted)) == parse(source), "fmt changed the tree"


def test_there_are_enough_cases() -> None:
    assert len(cases("syntax")) >= 12 and len(cases("fmt")) >= 6
