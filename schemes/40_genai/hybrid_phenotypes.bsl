# 42 · Hybrid scheme: classical meiosis makes the genotypes, a trained model makes the phenotypes
# The founders' trial records (trials.csv: 360 founders, each grown in 3 of 4 environments described by
# rain and temperature) train a conditional flow that draws yield given genotype and environment.
# Inside the cycle, `phenotype ... from model p` phenotypes each new generation in the dry environment,
# and selection acts on those draws. Train first (`bsl train`, saved in models/p next to this file),
# score the model on held-out founders (`bsl evaluate --model p --out DIR`), then `bsl run`.
# Regenerate the data with `python make_trials.py`.

scheme "hybrid_phenotypes"
seed 21
replicates 10

founders base from file "trial_founders.npy" map "trial_map.csv"

model p = flow { data base  phenotypes "trials.csv"  max_seconds 60  holdout 0.2 }

trait yield { model p }  # no QTL: yield's phenotypes are the model's draws

environment dry { rain -1.2  temperature 0.9 }

repeat cycle 1..3 {
  phenotype base from model p given genotype, environment(dry)
  select parents = top 36 base by phenotype(yield)
  mate pairs = random(72) over parents
  allocate 360 progeny over pairs by equal
  cross base = pairs
}

objective gain = mean(phenotype(yield)) at cycle 3 - mean(phenotype(yield)) at cycle 0

report { per_cycle mean(phenotype(yield)), sd(phenotype(yield)), heterozygosity(all) }
