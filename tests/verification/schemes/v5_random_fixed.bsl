# v5 · Random mating with a fixed number of progeny per pair, then one round of selfing
# 10 parents by gv, 20 random pairs with 3 progeny each, the F1 selfed once.

scheme "v5_random_fixed"
seed 505
replicates 300

genome { chromosomes 2  loci_per_chromosome 80  length 1.5 M  map haldane }

founders base from coalescent { effective_size 500  pool 60  maf >= 0.05  random_mating 1 }

trait yield { qtl 6 per chromosome  effects normal(0, 1/12)  heritability 1 }

repeat cycle 1..3 {
  select parents = top 10 by gv(yield)
  mate pairs = random(20) over parents
  allocate 60 progeny over pairs by fixed(3)
  cross f1 = pairs
  self f2 = f1
}

objective gain = mean(gv(yield)) at cycle 3 - mean(gv(yield)) at cycle 0

report { per_cycle mean(gv), var(gv), top(5, gv), inbreeding(qtl), heterozygosity(qtl) }
