# x1 · A proportion within family is a proportion of each family
# 15 families of 4 DH lines; `top 25% ... within family` keeps 1 line of each (25% of 4).

scheme "x1_within_family_fraction"
seed 606
replicates 200

genome { chromosomes 2  loci_per_chromosome 50  length 1 M  map haldane }

founders base from coalescent { effective_size 500  pool 40  maf >= 0.05  random_mating 1 }

trait yield { qtl 4 per chromosome  effects normal(0, 1/12)  heritability 1 }

repeat cycle 1..2 {
  select parents = top 6 by gv(yield)
  mate pairs = diallel(parents)
  dh lines = pairs * 4
  select elite = top 25% lines by gv(yield) within family
  self next = elite
}

objective gain = mean(gv(yield)) at cycle 2 - mean(gv(yield)) at cycle 0

report { per_cycle mean(gv), var(gv) }
