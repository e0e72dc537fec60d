"""Regenerate the data files of 42 · hybrid_phenotypes.bsl (run from this folder).

trial_founders.npy  (2N, L) 0/1 haplotypes, two rows per individual: 360 founders (named ind1,
                    ind2, ... by bsl) of a coalescent population on 2 chromosomes x 400 loci;
trial_map.csv       chromosome, position_cM: one row per column of trial_founders.npy;
trials.csv          individual, environment, rain, temperature, yield: each founder grown in 3 of
                    4 trial environments; yield has additive, dominance, epistatic and
                    genotype-by-environment effects (bsl.genai.data.phenotype_dataset's TraitModel),
                    the architecture a phenotype model must learn and an additive model misses.
"""
import csv

import numpy as np

from bsl.genai.data import phenotype_dataset
from bsl.io.coalescent import coalescent_founders
from bsl.io.founder_files import write_haplotype_matrix

fs = coalescent_founders(num_chromosomes=2, loci_per_chromosome=400, chromosome_length_morgans=1.0,
                         effective_size=1000, pool_size=360, maf=0.05, random_seed=42)
write_haplotype_matrix(fs, "trial_founders.npy", "trial_map.csv")
n = fs.haplotypes.shape[0]

dosages = fs.haplotypes.sum(axis=1)
trait = phenotype_dataset(dosages, num_environments=4, num_covariates=2, num_qtl=40, num_epistatic_pairs=40,
                          random_seed=3).model
covariates = np.array([[-1.2, 0.9], [-0.3, -1.1], [0.5, 0.6], [1.0, -0.4]])  # rain, temperature of 4 trials
rng = np.random.default_rng(4)
with open("trials.csv", "w", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(["individual", "environment", "rain", "temperature", "yield"])
    for i in range(n):
        for e in sorted(rng.choice(4, 3, replace=False)):
            y = trait.sample(dosages[i:i + 1], covariates[e:e + 1], random_seed=int(rng.integers(2**31)))[0]
            w.writerow([f"ind{i + 1}", f"trial{e + 1}", covariates[e, 0], covariates[e, 1], f"{y:.4f}"])
