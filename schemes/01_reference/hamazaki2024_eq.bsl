# 01 · Hamazaki & Iwata (2024), equal allocation (EQ)
# Recurrent genomic selection in a small program: 15 parents picked by weighted breeding value
# (Jannink 2010), a diallel with selfing (120 pairs), 250 progeny shared equally, four cycles.
# The objective is the paper's final genetic gain: mean of the top 5 true genetic values at
# cycle 4 minus the same at cycle 0.

scheme "hamazaki2024_eq"
seed 2024
replicates 50

genome { chromosomes 10  loci_per_chromosome 500  length 10 M  map kosambi }  # 1000 cM each, as the paper's GENOME run

founders base from coalescent {
  effective_size 2000
  pool 2000
  sample 250 by kmedoids
  maf >= 0.01
  random_mating 1
  genealogy shared  # every chromosome from one genealogy, as myBreedSimulatR ran GENOME (one seed for all)
}

trait yield { qtl 2 per chromosome  effects normal(0, 1 / 20)  heritability 1 }

feature WBV = weighted_breeding_value(yield)

const n_parents = 15
const n_progeny = 250

repeat cycle 1..4 {
  select parents = top n_parents by WBV
  mate pairs = diallel(parents, selfing = true)
  allocate n_progeny progeny over pairs by equal
  cross pairs
}

objective gain = top(5, gv(yield)) at cycle 4 - top(5, gv(yield)) at cycle 0

report { per_cycle mean(gv), var(gv), top(5, gv), genic_var(gv), inbreeding(qtl), allele_freq(qtl) }
