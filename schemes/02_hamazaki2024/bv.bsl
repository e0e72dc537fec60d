# 04 · Hamazaki & Iwata (2024) study, optimized allocation on BV
# Progeny allocated by softmax of the pairs' mid-parent z(BV) times one weight per cycle,
# h[cycle] in [0, 2], tuned by StoSOO for the top-5 gain at cycle 4 (the paper's strategy (a)).
# One of the seven strategies of docs/reproductions/hamazaki2024.md (python -m bsl.studies.hamazaki2024).

scheme "hamazaki2024_bv"
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
  seed 2024  # one founder panel for every trait replicate (the scheme's seed draws the QTL)
}

trait yield { qtl 2 per chromosome  effects normal(0, 1 / 20)  heritability 1 }

feature BV = breeding_value(yield)
feature WBV = weighted_breeding_value(yield)

const n_parents = 15
const n_progeny = 250

param h[cycle 1..4] = [BV] in [0, 2] start 1

repeat cycle 1..4 {
  select parents = top n_parents by WBV
  mate pairs = diallel(parents, selfing = true)
  allocate n_progeny progeny over pairs by softmax(mean_parent(z(BV)), weights = h[cycle], rounding = floor)
  cross pairs
}

objective gain = top(5, gv(yield)) at cycle 4 - top(5, gv(yield)) at cycle 0

optimize h with stosoo {
  maximize gain
  evaluations 4000
  replicates_per_evaluation 50
  final_replicates 10000
  split reference  # of equally wide weights, split the one myStoSOO.R's floating-point widths pick
}

report { per_cycle mean(gv), var(gv), top(5, gv), genic_var(gv), inbreeding(qtl) }
