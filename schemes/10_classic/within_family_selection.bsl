# 13 · Within-family selection
# 20 random pairs each get exactly 5 progeny (`fixed(5)`), every plant is phenotyped, and only
# the best plant of each family becomes a parent. Every family contributes one parent, so
# inbreeding rises more slowly than under mass selection at the price of a smaller gain.

scheme "within_family_selection"
seed 13
replicates 20

genome { chromosomes 2  loci_per_chromosome 100  length 1 M  map haldane }

founders base from coalescent { effective_size 1000  pool 200  sample 100 by random }

trait yield { qtl 40  effects normal(0, 1)  heritability 0.5 }

const n_families = 20

repeat cycle 1..6 {
  phenotype base
  select parents = top 1 base by phenotype within family
  mate pairs = random(n_families) over parents
  allocate 100 progeny over pairs by fixed(5)
  cross base = pairs
}

objective gain = mean(gv) at cycle 6 - mean(gv) at cycle 0
objective inbreeding_6 = inbreeding(qtl) at cycle 6

report { per_cycle mean(gv), var(gv), inbreeding(qtl) }
