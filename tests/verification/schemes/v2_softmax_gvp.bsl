# v2 · Softmax allocation over mean_parent(z(BV), z(WBV)) ++ z(GVP), with dominance
# Weights change per cycle (Hamazaki & Iwata 2024, eq. 1); BV uses average effects a + d(1 − 2p).

scheme "v2_softmax_gvp"
seed 202
replicates 300

genome { chromosomes 2  loci_per_chromosome 100  length 1 M  map haldane }

founders base from coalescent { effective_size 500  pool 60  maf >= 0.05  random_mating 1 }

trait yield { qtl 6 per chromosome  effects normal(0, 1/12)  dominance normal(0.3, 0.2)  heritability 1 }

feature BV = breeding_value(yield)
feature WBV = weighted_breeding_value(yield)
feature GVP = progeny_variance(yield)

const h = [[0.5, 0.5, 1], [1, 0, 0.5], [0, 1, 2]]

repeat cycle 1..3 {
  select parents = top 8 by BV
  mate pairs = diallel(parents, selfing = true)
  allocate 60 progeny over pairs by softmax(mean_parent(z(BV), z(WBV)) ++ z(GVP), weights = h[cycle])
  cross pairs
}

objective gain = mean(gv(yield)) at cycle 3 - mean(gv(yield)) at cycle 0

report { per_cycle mean(gv), var(gv), top(5, gv), mean(BV), genic_var(gv), inbreeding(qtl), heterozygosity(qtl) }
