# 43 · Founders sampled given a phenotype, phenotyped by a model
# A flow learns the founders' genotypes given their mean yield in the trials (`condition yield`), and a
# second flow learns yield given genotype and environment. The program starts from 200 founders sampled
# at a mean yield of 1.0 (about one phenotypic s.d. above the founders' mean): individuals like the best
# of the trials, none of them a real one. Train both models first (`bsl train`), then `bsl run`.
# Data: the files of 42, made by `python make_trials.py`.

scheme "conditioned_founders"
seed 31
replicates 10

founders base from file "trial_founders.npy" map "trial_map.csv"

model g = flow {
  data base
  phenotypes "trials.csv"
  condition yield
  pca_variance 0.3  # few components: the condition then steers them (fidelity r 0.48 against 0.13 at 0.9)
  max_seconds 60
  holdout 0.2
}

model p = flow {
  data base
  phenotypes "trials.csv"
  max_seconds 60
  holdout 0.2
  path "models/p43"
}

founders elite from model g { sample 200  given 1.0 }

trait yield { model p }

environment dry { rain -1.2  temperature 0.9 }

repeat cycle 1..3 {
  phenotype elite from model p given genotype, environment(dry)
  select parents = top 20 elite by phenotype(yield)
  mate pairs = random(40) over parents
  allocate 200 progeny over pairs by equal
  cross elite = pairs
}

objective gain = mean(phenotype(yield)) at cycle 3 - mean(phenotype(yield)) at cycle 0

report { per_cycle mean(phenotype(yield)), heterozygosity(all) }
