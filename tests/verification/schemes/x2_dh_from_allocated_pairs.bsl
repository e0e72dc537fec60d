# x2 · Doubled haploids from pairs that were given progeny counts
# 15 pairs share 45 progeny (3 each); `dh lines = pairs * 2` makes 2 lines from each of those
# 45 F1, 90 lines in all.

scheme "x2_dh_from_allocated_pairs"
seed 707
replicates 200

genome { chromosomes 2  loci_per_chromosome 50  length 1 M  map haldane }

founders base from coalescent { effective_size 500  pool 40  maf >= 0.05  random_mating 1 }

trait yield { qtl 5 per chromosome  effects normal(0, 1/12)  heritability 1 }

repeat cycle 1..2 {
  select parents = top 6 by gv(yield)
  mate pairs = diallel(parents)
  allocate 45 progeny over pairs by equal
  dh lines = pairs * 2
}

objective gain = mean(gv(yield)) at cycle 2 - mean(gv(yield)) at cycle 0

report { per_cycle mean(gv), var(gv) }
