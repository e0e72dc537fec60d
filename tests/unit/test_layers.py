"""Imports flow one way: the front end never imports torch; the runtime never imports lark."""
from __future__ import annotations

import subprocess
import sys


def _modules_after(imports: str) -> set[str]:
    code = f"import sys; {imports}; print(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_front_end_does_not_import_torch():
    mods = _modules_after("import bsl.syntax.parser, bsl.semantics.checker, bsl.ir.lower, bsl.ir.graph, "
                          "bsl.ir.passes; from bsl.api import check, load; load('schemes/01_reference/hamazaki2024_eq.bsl')")
    assert "torch" not in mods


def test_runtime_does_not_import_lark():
    mods = _modules_after("import bsl.runtime.executor, bsl.runtime.architecture, bsl.runtime.reference.genetics")
    assert "lark" not in mods
