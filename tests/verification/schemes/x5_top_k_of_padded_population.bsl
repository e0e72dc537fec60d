# x5 · top(k, gv) of a population with fewer than k individuals is the mean of all of them
# 28 families of 2 DH lines, `top 3 ... within family` keeps all 56; top(70, gv) averages those 56.

scheme "x5_top_k_of_padded_population"
seed 1010
replicates 60

genome { chromosomes 2  loci_per_chromosome 50  length 1 M  map haldane }

founders base from coalescent { effective_size 500  pool 40  maf >= 0.05  random_mating 1 }

trait yield { qtl 5 per chromosome  effects normal(0, 1/12)  heritability 1 }

repeat cycle 1..1 {
  select parents = top 8 by gv(yield)
  mate pairs = diallel(parents)
  dh lines = pairs * 2
  select elite = top 3 lines by gv(yield) within family
  self next = elite
}

objective best = top(70, gv(yield)) at cycle 1

report { per_cycle mean(gv), top(70, gv) }
