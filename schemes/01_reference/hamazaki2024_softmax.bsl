# 02 · Hamazaki & Iwata (2024), softmax allocation
# The EQ scheme with the paper's allocation rule: every pair scores the concatenation of
# mid-parent z(BV), mid-parent z(WBV) and z(GVP) weighted by h[cycle] (eq. 1), and the 250
# progeny are shared in proportion to softmax of that score (eq. 2). With all weights 1 this
# is the paper's starting point for optimization; change them with `--set h=[[...], ...]`.

scheme "hamazaki2024_softmax"
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

feature BV = breeding_value(yield)
feature WBV = weighted_breeding_value(yield)
feature GVP = progeny_variance(yield)

const n_parents = 15
const n_progeny = 250
const h = [[1, 1, 1], [1, 1, 1], [1, 1, 1], [1, 1, 1]]

repeat cycle 1..4 {
  select parents = top n_parents by WBV
  mate pairs = diallel(parents, selfing = true)
  allocate n_progeny progeny over pairs by softmax(mean_parent(z(BV), z(WBV)) ++ z(GVP), weights = h[cycle], rounding = floor)
  cross pairs
}

objective gain = top(5, gv(yield)) at cycle 4 - top(5, gv(yield)) at cycle 0

report { per_cycle mean(gv), var(gv), top(5, gv), genic_var(gv), inbreeding(qtl), allele_freq(qtl) }
