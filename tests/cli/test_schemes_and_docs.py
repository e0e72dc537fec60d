"""Every example scheme in schemes/ and every ```bsl block in docs/*.md checks, is formatted, and runs.

SLiM-recipe rule: an example that does not run in CI rots. Schemes are checked and
format-checked through the real CLI (`bsl check`, `bsl fmt --check`) and run through the api
with 2 replicates; doc snippets are written to a temporary folder (next to copies of the data
files in schemes/20_files/) and run the same way; ```bsl-error snippets must make `bsl check`
exit 1. One founder cache is shared by the whole session, so each founder set is simulated
once (the two reference schemes share theirs: about a minute on one core).
"""
from __future__ import annotations

import importlib.util
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEMES = sorted((ROOT / "schemes").rglob("*.bsl"))
DOCS = sorted((ROOT / "docs").glob("*.md"))
DATA_DIR = ROOT / "schemes" / "20_files"
R_DIR = ROOT / "schemes" / "30_r"  # R files that schemes and doc snippets call with r("file.R", "name")
BSL = [sys.executable, "-m", "bsl.cli.main"]
FENCE = re.compile(r"^```(bsl|bsl-error)[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)
TITLE = re.compile(r"^# (\d\d) · \S")


def _snippets(kind: str) -> list:
    out = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for m in FENCE.finditer(text):
            if m.group(1) == kind:
                line = text.count("\n", 0, m.start()) + 1
                out.append(pytest.param(m.group(2), id=f"{doc.name}:{line}"))
    return out


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> str:
    """One founder cache for the session, also seen by the CLI subprocesses."""
    if not os.environ.get("BSL_CACHE_DIR"):
        os.environ["BSL_CACHE_DIR"] = str(tmp_path_factory.mktemp("founders"))
    return os.environ["BSL_CACHE_DIR"]


def bsl(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(BSL + [str(a) for a in args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ}, timeout=600)


def run_scheme(path: Path, out: Path, cache: str) -> None:
    from dataclasses import replace

    from bsl.api import load, run

    graph = load(path)
    if graph.program.models:  # train every model briefly, into the run's folder rather than next to the scheme
        graph = _with_trained_models(graph, out / "models")
    if graph.program.optimize is not None:  # a reduced optimization: a few evaluations of 2 replicates
        from bsl.optimize.search import run_search
        graph.program.optimize = replace(graph.program.optimize, evaluations=4, replicates_per_evaluation=2,
                                         final_replicates=2)
        found = run_search(graph, out / "optimize")
        assert found.evaluations >= 4 and (out / "optimize" / "best.json").is_file()
        graph = load(path)
    result = run(graph, reps=2, out=out, cache_dir=cache, workers=min(4, os.cpu_count() or 1))
    assert result.cycles["replicate"].nunique() == 2
    assert result.cycles["value"].notna().all()
    for name, value in zip(result.objectives["objective"], result.objectives["value"]):
        assert math.isfinite(value), f"objective {name} is {value}"
    for f in ("cycles.csv", "objectives.csv", "manifest.json"):
        assert (out / f).is_file(), f


def _with_trained_models(graph, folder: Path):
    from dataclasses import replace

    from bsl.api import train

    p = graph.program
    p.models = [replace(m, epochs=2, max_seconds=None, path=str(folder / m.name)) for m in p.models]
    p.founders = [replace(f, path=str(folder / f.model)) if f.source == "model" else f for f in p.founders]
    manifests = train(graph)
    assert [m["name"] for m in manifests] == [m.name for m in p.models]
    return graph


def test_there_is_something_to_test():
    assert len(SCHEMES) >= 8
    assert _snippets("bsl") and _snippets("bsl-error")


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda p: str(p.relative_to(ROOT / "schemes")))
def test_scheme(scheme: Path, tmp_path: Path, cache_dir: str) -> None:
    lines = scheme.read_text(encoding="utf-8").splitlines()
    assert TITLE.match(lines[0]), f"{scheme.name} must start with a title comment `# NN · Title`"
    r = bsl("check", scheme)
    assert r.returncode == 0, r.stderr
    r = bsl("fmt", "--check", scheme)
    # (the message as well as the exit code: either alone has let an unformatted file through)
    assert r.returncode == 0 and "would be reformatted" not in r.stderr, \
        f"{scheme.name} is not formatted: run `bsl fmt {scheme}`\n{r.stderr}"
    _skip_without_r(scheme.read_text(encoding="utf-8"))
    run_scheme(scheme, tmp_path / "out", cache_dir)


def _skip_without_r(text: str) -> None:
    """Schemes that call R need R and rpy2; CI installs both (scripts/setup-r.sh) and sets
    BSLR_REQUIRE_BSL, under which a missing rpy2 fails instead of skipping."""
    if re.search(r"\br\(\s*\"", text) and importlib.util.find_spec("rpy2") is None \
            and not os.environ.get("BSLR_REQUIRE_BSL"):
        pytest.skip("calls an R function and rpy2 is not installed (pip install 'bsl[r]')")


def test_readme_lists_every_scheme() -> None:
    readme = (ROOT / "schemes" / "README.md").read_text(encoding="utf-8")
    for scheme in SCHEMES:
        rel = scheme.relative_to(ROOT / "schemes").as_posix()
        assert rel in readme, f"schemes/README.md does not list {rel}"


def _workspace(tmp_path: Path, text: str) -> Path:
    for f in [*DATA_DIR.iterdir(), *R_DIR.glob("*.R")]:
        if f.suffix in (".npy", ".csv", ".R"):
            shutil.copy(f, tmp_path / f.name)
    path = tmp_path / "snippet.bsl"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text", _snippets("bsl"))
def test_doc_snippet_runs(text: str, tmp_path: Path, cache_dir: str) -> None:
    path = _workspace(tmp_path, text)
    from bsl.api import check

    check(path)
    _skip_without_r(text)
    run_scheme(path, tmp_path / "out", cache_dir)


@pytest.mark.parametrize("text", _snippets("bsl-error"))
def test_doc_error_snippet_fails_check(text: str, tmp_path: Path) -> None:
    path = _workspace(tmp_path, text)
    r = bsl("check", path)
    assert r.returncode == 1, f"expected `bsl check` to fail with exit 1, got {r.returncode}\n{r.stderr}"
    assert re.search(r"error\[BSL\d{3}\]", r.stderr), r.stderr
    assert "Traceback" not in r.stderr


LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")


def test_relative_links_in_readme_and_docs_resolve() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    broken = []
    for page in pages:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", target):  # http:, https:, mailto:
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert not broken, "links to missing files: " + ", ".join(broken)
