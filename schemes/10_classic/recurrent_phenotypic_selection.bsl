# 11 · Recurrent phenotypic selection
# Mass selection as in a textbook: every cycle the population is phenotyped (h² = 0.3), the
# best 20% by phenotype become parents, and 40 random pairs make the 200 plants of the next
# cycle. Compare the gain in mean(gv) with the breeder's equation R = i h² σ_P.

scheme "recurrent_phenotypic_selection"
seed 11
replicates 20

genome { chromosomes 2  loci_per_chromosome 100  length 1 M  map haldane }

founders base from coalescent { effective_size 1000  pool 200  sample 200 by random }

trait height { qtl 40  effects normal(0, 1)  heritability 0.3 }

repeat cycle 1..5 {
  phenotype base
  select parents = top 20% by phenotype
  mate pairs = random(40) over parents
  allocate 200 progeny over pairs by equal
  cross base = pairs
}

objective gain = mean(gv) at cycle 5 - mean(gv) at cycle 0

report { per_cycle mean(gv), var(gv), genic_var(gv), heterozygosity(qtl) }
