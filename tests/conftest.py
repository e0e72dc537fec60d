"""Shared test set-up: one founder cache for the whole session, and small schemes to run."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "golden"))

SMALL_SCHEME = """\
# a small scheme for fast tests
scheme "small"
seed 11
replicates 4
genome { chromosomes 2  loci_per_chromosome 60  length 1 M  map kosambi }
founders base from coalescent { effective_size 300  pool 80  sample 40 by kmedoids  maf >= 0.05 }
trait yield { qtl 3 per chromosome  effects normal(0, 1/6)  heritability 0.6 }
const h = [[1, 1, 1], [1, 0.5, 2]]
feature BV = breeding_value(yield)
feature WBV = weighted_breeding_value(yield)
feature GVP = progeny_variance(yield)
repeat cycle 1..2 {
  select parents = top 8 by WBV
  mate pairs = diallel(parents, selfing = true)
  allocate 40 progeny over pairs by softmax(mean_parent(z(BV), z(WBV)) ++ z(GVP), weights = h[cycle])
  cross pairs
}
objective gain = top(5, gv(yield)) at cycle 2 - top(5, gv(yield)) at cycle 0
report { per_cycle mean(gv), var(gv), top(5, gv), inbreeding, allele_freq(qtl) }
"""


@pytest.fixture(scope="session", autouse=True)
def _founder_cache(tmp_path_factory):
    if "BSL_CACHE_DIR" not in os.environ:
        os.environ["BSL_CACHE_DIR"] = str(tmp_path_factory.mktemp("founder-cache"))
    yield


@pytest.fixture
def small_scheme(tmp_path) -> Path:
    p = tmp_path / "small.bsl"
    p.write_text(SMALL_SCHEME, encoding="utf-8")
    return p
