# 31 · Genomic selection with a prediction model written in R
# Each cycle the plants are phenotyped (h² = 0.4) and an R function, ridge_gebv() in ridge_gebv.R,
# predicts their breeding values from all markers (RR-BLUP in base R); bsl selects on them.
# The R file travels with the scheme; the run's manifest records its hash and R's version.

scheme "r_genomic_selection"
seed 7
replicates 10

genome { chromosomes 5  loci_per_chromosome 200  length 1 M }

founders base from coalescent { effective_size 500  pool 200  sample 100 by kmedoids }

trait yield { qtl 4 per chromosome  effects normal(0, 1)  heritability 0.4 }

feature gebv = r("ridge_gebv.R", "ridge_gebv")

repeat cycle 1..3 {
  phenotype base
  select parents = top 20 by gebv
  mate pairs = random(40) over parents
  allocate 100 progeny over pairs by equal
  cross base = pairs
}

objective gain = mean(gv) at cycle 3 - mean(gv) at cycle 0

report { per_cycle mean(gv), var(gv), heterozygosity(all) }
