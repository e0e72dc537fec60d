"""Cost of crossing the R bridge: a selection index computed by an R function (`r("idx.R", ...)`)
against the same scheme selecting on a built-in feature, in one process and one run.

    .venv/bin/python bench/bench_r_function.py [--reps 50] [--repeats 5] [--threads 1]

The scheme is the reference scheme's shape (250 founders, 10 x 500 loci, 4 cycles of selecting
15 parents, diallel with selfing, 250 progeny), every locus simulated in all variants (a scheme
calling R keeps all loci; the builtin variant is made to), so the only difference is where the
index comes from:

* builtin: `top 15 by gv`;
* r_identity: an R function returning `values$gv_yield` (same selection: the pure bridge cost,
  converting a 250 x 5,000 integer matrix and a data.frame per replicate and cycle);
* r_index: an R function computing `geno %*% w` (5,000 weights) — a typical marker index.

Prints one JSON object: seconds per run, R calls per run, milliseconds per call over the builtin.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch

from bsl.api import load, load_r_functions
from bsl.ir.nodes import r_functions
from bsl.runtime.architecture import build_architecture
from bsl.runtime.executor import Context, execute_batch
from bsl.runtime.founders import default_cache_dir
from bsl.source import SourceFile

R_CODE = """
identity_gv <- function(geno, values) values$gv_yield
w <- NULL
marker_index <- function(geno, values) {
  if (is.null(w) || length(w) != ncol(geno)) w <<- sin(seq_len(ncol(geno)))
  as.numeric(geno %*% w)
}
"""

SCHEME = """scheme "bench_r"
seed 1
genome {{ chromosomes 10  loci_per_chromosome 500  length 1 M  map kosambi }}
founders base from coalescent {{ effective_size 2000  pool 2000  sample 250 by kmedoids  maf >= 0.01  seed 2024 }}
trait yield {{ qtl 2 per chromosome  effects normal(0, 1 / 20) }}
feature idx = {feature}
repeat cycle 1..4 {{
  select parents = top 15 by idx
  mate pairs = diallel(parents, selfing = true)
  allocate 250 progeny over pairs by equal
  cross pairs
}}
report {{ per_cycle mean(gv), top(5, gv) }}
"""

VARIANTS = {"builtin": "gv", "r_identity": 'r("idx.R", "identity_gv")', "r_index": 'r("idx.R", "marker_index")'}


def time_variant(folder: Path, feature: str, reps: int, repeats: int) -> tuple[float, int]:
    path = folder / "scheme.bsl"
    text = SCHEME.format(feature=feature)
    path.write_text(text, encoding="utf-8")
    graph = load(SourceFile(str(path), text))
    graph.simulate_loci = "all"  # as a scheme that calls R does
    calls = reps * 4 if r_functions(graph.ops) else 0
    arch = build_architecture(graph.program, graph.simulate_loci, cache_dir=default_cache_dir())
    ctx = Context(graph, arch, torch.device("cpu"), graph.program.constants, load_r_functions(graph))
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        execute_batch(ctx, reps, gen)  # warm-up (and R's first conversions)
        t = time.perf_counter()
        for _ in range(repeats):
            execute_batch(ctx, reps, gen)
    return (time.perf_counter() - t) / repeats, calls


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "idx.R").write_text(R_CODE, encoding="utf-8")
        seconds = {name: time_variant(folder, f, args.reps, args.repeats) for name, f in VARIANTS.items()}
    base = seconds["builtin"][0]
    out = {"replicates": args.reps, "threads": args.threads, "loci": 5000, "individuals_per_call": 250,
           "seconds_per_run": {k: round(v[0], 4) for k, v in seconds.items()},
           "r_calls_per_run": seconds["r_identity"][1],
           "ms_per_call_over_builtin": {k: round((v[0] - base) / v[1] * 1e3, 3) for k, v in seconds.items() if v[1]},
           "ratio_to_builtin": {k: round(v[0] / base, 2) for k, v in seconds.items()}}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
