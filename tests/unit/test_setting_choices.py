"""The checker's lists of allowed names (semantics/builtins.py) are the runtime's own lists.

semantics does not import the layers that act on a setting (io, runtime, optimize), so each list is
written twice; a name added to one side and not the other would pass `bsl check` and fail at run time
(or be refused by the checker while the runtime takes it). These tests tie the copies together.
"""
from __future__ import annotations

import subprocess
import sys

from bsl.io.coalescent import GENEALOGIES, HAPLOTYPE_DRAWS
from bsl.optimize.stosoo import SPLIT_RULES
from bsl.runtime.genome import MAP_FUNCTIONS
from bsl.runtime.kernels.allocation import ROUNDINGS
from bsl.semantics import builtins as B


def test_setting_choices_are_the_runtime_lists():
    assert B.GENOME_SETTINGS["map"].choices == MAP_FUNCTIONS
    assert B.COALESCENT_SETTINGS["genealogy"].choices == GENEALOGIES
    assert B.COALESCENT_SETTINGS["haplotypes"].choices == HAPLOTYPE_DRAWS
    assert B.OPTIMIZE_SETTINGS["split"].choices == SPLIT_RULES
    assert B.SOFTMAX_ROUNDINGS == ROUNDINGS


def test_a_setting_name_far_from_every_choice_gets_the_list(tmp_path):
    scheme = tmp_path / "s.bsl"
    scheme.write_text('scheme "x"\n'
                      "genome { chromosomes 1  loci_per_chromosome 50  length 1 M }\n"
                      "founders base from coalescent { effective_size 100  pool 20  sample 10 by random  "
                      "haplotypes twice  genealogy sharred }\n"
                      "trait y { qtl 5  effects normal(0, 1)  heritability 0.5 }\n")
    r = subprocess.run([sys.executable, "-m", "bsl.cli.main", "check", str(scheme)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 1
    assert "`haplotypes` cannot be `twice`" in r.stderr and "choose one of: once, with_replacement" in r.stderr
    assert "`genealogy` cannot be `sharred`" in r.stderr and "did you mean `shared`?" in r.stderr
