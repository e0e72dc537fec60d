"""Regenerate the data files of 21 · haplotype_matrix_founders.bsl (run from this folder).

founders.npy  (2N, L) 0/1 haplotypes, two rows per individual: 60 inbred-free founders of a
              small coalescent population on 3 chromosomes × 80 loci;
map.csv       chromosome, position_cM: one row per column of founders.npy;
qtl.csv       chromosome, locus, effect: 12 QTL (4 per chromosome), effects drawn N(0, 1).
"""
import csv

import numpy as np

from bsl.io.coalescent import coalescent_founders
from bsl.io.founder_files import write_haplotype_matrix

fs = coalescent_founders(num_chromosomes=3, loci_per_chromosome=80, chromosome_length_morgans=[1.2, 1.0, 0.8],
                         effective_size=500, pool_size=60, maf=0.05, random_seed=7)
write_haplotype_matrix(fs, "founders.npy", "map.csv")
n = fs.haplotypes.shape[0]
rng = np.random.default_rng(7)
dosage = fs.haplotypes.sum(axis=1)
with open("qtl.csv", "w", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(["chromosome", "locus", "effect"])
    for c in range(3):
        local = np.flatnonzero(fs.chromosome == c)
        segregating = [j for j in range(local.size) if dosage[:, local[j]].min() != dosage[:, local[j]].max()]
        for j in sorted(rng.choice(segregating, 4, replace=False)):
            w.writerow([c + 1, j + 1, f"{rng.normal(0, 1):.4f}"])
