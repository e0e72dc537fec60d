"""One big generation: 5,000 individuals x 10 chromosomes x 5,000 loci, 1,000 QTL, 5,000 progeny
from 2,500 random pairs. Seconds per generation and peak memory.

    .venv/bin/python bench/bench_big_generation.py [--repeats 5] [--device cpu]

A generation = draw 2,500 random pairs, allocate 2 progeny each, cross (meiosis on bit-packed
haplotypes), and compute the progeny's genetic values at 1,000 QTL. The founders are random
haplotypes (the speed does not depend on their LD). Baseline in the same run: the memory floor,
the time to read the parents' haplotypes for 10,000 gametes and write the progeny once (gather
+ copy, no meiosis).
"""
from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np
import torch

from bsl.runtime.genome import GenomeLayout
from bsl.runtime.kernels import allocation, mating, meiosis, traits


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    dev = torch.device(args.device)
    C, L, N, Q, P = 10, 5000, 5000, 1000, 2500
    rng = np.random.default_rng(1)
    layout = GenomeLayout.from_positions([np.sort(rng.random(L)) for _ in range(C)], "haldane")
    haps = torch.randint(torch.iinfo(torch.int64).min, torch.iinfo(torch.int64).max, (1, N, 2, layout.num_words),
                         dtype=torch.int64, device=dev)  # (1, N, 2, W)
    qtl = np.sort(rng.choice(layout.num_loci, Q, replace=False))
    word, bit = (torch.as_tensor(x, device=dev) for x in layout.word_and_bit(qtl))
    additive = torch.as_tensor(rng.normal(0, 0.1, (Q, 1)), device=dev)
    mei = meiosis.Meiosis(layout, dev)
    valid = torch.ones(1, N, dtype=torch.bool, device=dev)
    gen = torch.Generator(device=dev).manual_seed(0)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def generation():
        mothers, fathers, pvalid = mating.random_pairs(valid, P, gen)
        counts = allocation.fixed(2, pvalid)
        pair, _ = allocation.progeny_parents(counts, 2 * P)
        m, f = mothers.gather(1, pair), fathers.gather(1, pair)
        progeny = meiosis.cross(mei, haps, m, f, gen)  # (1, 5000, 2, W)
        gv = traits.genetic_values(traits.dosages(progeny, word, bit, torch.float64), additive)
        return progeny, gv

    def floor():
        idx = torch.randint(0, N, (1, 2 * P), generator=gen, device=dev)
        return haps[0].index_select(0, idx[0]).clone()  # read 10,000 homologue pairs, write them once

    cpu_seconds = {}

    def timed(fn):
        fn()
        if dev.type == "cuda":
            torch.cuda.synchronize()
        t, c = time.perf_counter(), time.process_time()
        for _ in range(args.repeats):
            fn()
        if dev.type == "cuda":
            torch.cuda.synchronize()
        cpu_seconds[fn.__name__] = (time.process_time() - c) / args.repeats
        return (time.perf_counter() - t) / args.repeats

    with torch.no_grad():
        sec = timed(generation)
        floor_sec = timed(floor)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    import os
    out = {"device": str(dev), "threads": torch.get_num_threads(), "load_average": os.getloadavg(),
           "seconds_per_generation": round(sec, 4),
           "cpu_seconds_per_generation": round(cpu_seconds["generation"], 4),
           "memory_floor_seconds": round(floor_sec, 4), "ratio_to_floor": round(sec / floor_sec, 2),
           "peak_rss_mib": round(peak_mib, 1), "rss_before_generations_mib": round(rss0 / 1024, 1),
           "haplotype_tensor_mib": round(haps.numel() * 8 / 2**20, 1)}
    if dev.type == "cuda":
        out["peak_cuda_mib"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
