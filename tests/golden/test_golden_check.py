"""Golden files for the checker (every semantic error of a file at once) and for `bsl explain`."""
from __future__ import annotations

import pytest

from bsl.api import check, load
from bsl.diagnostics import BslError
from bsl.source import SourceFile
from golden import cases, check_golden


@pytest.mark.parametrize("case", cases("check"), ids=lambda p: p.stem)
def test_check_errors(case, monkeypatch):
    monkeypatch.chdir(case.parent)  # files a case names sit beside it (13_trials.csv)
    source = SourceFile(case.name, case.read_text(encoding="utf-8"))
    with pytest.raises(BslError) as err:
        check(source)
    assert len(err.value.diagnostics) >= 2, "each check case shows several errors reported at once"
    check_golden(case, err.value.render() + "\n")


@pytest.mark.parametrize("case", cases("explain"), ids=lambda p: p.stem)
def test_explain(case):
    source = SourceFile(case.name, case.read_text(encoding="utf-8"))
    check_golden(case, load(source).explain() + "\n")
