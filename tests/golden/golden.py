"""Golden files shared by every phase: `<phase>/x.bsl` beside `x.expected`, compared exactly,
or rewritten when the environment has BSL_UPDATE_GOLDEN=1 (then review the diff)."""
from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

GOLDEN_DIR = Path(__file__).resolve().parent


def updating() -> bool:
    return os.environ.get("BSL_UPDATE_GOLDEN") == "1"


def cases(phase: str, pattern: str = "*.bsl") -> list[Path]:
    """The input files of one phase's folder, sorted, for `pytest.mark.parametrize`."""
    return sorted((GOLDEN_DIR / phase).glob(pattern))


def check_golden(case: Path, actual: str, suffix: str = ".expected") -> None:
    """Compare `actual` with the file beside `case`; with BSL_UPDATE_GOLDEN=1, rewrite it instead."""
    expected_path = case.with_suffix(suffix)
    if updating():
        expected_path.write_text(actual, encoding="utf-8")
        return
    if not expected_path.exists():
        pytest.fail(f"{expected_path} is missing; create it with BSL_UPDATE_GOLDEN=1 and review it")
    expected = expected_path.read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(expected.splitlines(keepends=True), actual.splitlines(keepends=True),
                                    fromfile=str(expected_path), tofile="actual")
        pytest.fail("golden output differs (BSL_UPDATE_GOLDEN=1 rewrites it):\n" + "".join(diff),
                    pytrace=False)
