# x4 · A proportion of a population counts its individuals, not its slots
# Within-family selection of 3 from families of 2 DH lines leaves empty places; at cycle 2,
# `top 20%` of those 56 lines (28 families) is 11 parents.

scheme "x4_fraction_of_padded_population"
seed 909
replicates 120

genome { chromosomes 2  loci_per_chromosome 50  length 1 M  map haldane }

founders base from coalescent { effective_size 500  pool 40  maf >= 0.05  random_mating 1 }

trait yield { qtl 5 per chromosome  effects normal(0, 1/12)  heritability 1 }

repeat cycle 1..2 {
  select parents = top 20% by gv(yield)
  mate pairs = diallel(parents)
  dh lines = pairs * 2
  select elite = top 3 lines by gv(yield) within family
  self next = elite
}

objective gain = mean(gv(yield)) at cycle 2 - mean(gv(yield)) at cycle 0

report { per_cycle mean(gv) }
