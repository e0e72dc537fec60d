# v3 · Recurrent phenotypic selection with h² = 0.3, every locus simulated
# Markers are observed (inbreeding over all loci), so the observed-loci pass keeps every locus.

scheme "v3_phenotypic"
seed 303
replicates 300

genome { chromosomes 2  loci_per_chromosome 60  length 1 M  map haldane }

founders base from coalescent { effective_size 500  pool 50  maf >= 0.05  random_mating 1 }

trait yield { qtl 5 per chromosome  effects normal(0, 1/10)  heritability 0.3 }

repeat cycle 1..3 {
  phenotype base
  select parents = top 10 by phenotype(yield)
  mate pairs = diallel(parents)
  allocate 50 progeny over pairs by equal
  cross base = pairs
}

objective gain = mean(gv(yield)) at cycle 3 - mean(gv(yield)) at cycle 0

report { per_cycle mean(gv), var(gv), top(5, gv), inbreeding, heterozygosity, heterozygosity(qtl) }
