"""The repository stays small enough to land: a submission over 512 MiB packed or 256 MiB of diffs is
refused whole, and one was (a study's final results contracts, committed from a folder the ignore rules
did not name). Data a script can make again stays out of git."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_FILE_BYTES = 2 * 1024 * 1024  # the largest tracked file today is about 0.6 MB
MAX_TOTAL_BYTES = 32 * 1024 * 1024


def _tracked_files():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [ROOT / name for name in out.decode().split("\0") if name]


def test_no_tracked_file_is_large():
    large = [(p.relative_to(ROOT), p.stat().st_size) for p in _tracked_files()
             if p.is_file() and p.stat().st_size > MAX_FILE_BYTES]
    assert not large, f"tracked files over {MAX_FILE_BYTES} bytes (keep them out of git): {large}"


def test_tracked_tree_is_small():
    total = sum(p.stat().st_size for p in _tracked_files() if p.is_file())
    assert total < MAX_TOTAL_BYTES, f"tracked files add up to {total} bytes"


@pytest.mark.parametrize("path", [
    "docs/reproductions/hamazaki2024/study/trait_01/tbvgvp/trace.csv",
    "docs/reproductions/hamazaki2024/study_cma/trait_01/tbvgvp/final/cycles.csv",
    "docs/reproductions/other_study/trait_01/eq/final/objectives.csv",
    "docs/reproductions/other_study/run/cycles.parquet",
])
def test_study_outputs_are_ignored(path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    rc = subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=ROOT).returncode
    assert rc == 0, f"{path} is not ignored by .gitignore"
