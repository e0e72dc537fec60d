# bad settings values, and an environment with a covariate that is not a number and one given twice
genome { chromosomes 0  loci_per_chromosome 50  length 5  map kosambii }
founders base from coalescent { effective_size 200  pool 60  sample 80 by kmedoid }
trait yield { qtl 10  effects normal(0)  heritability 1.5 }
repeat cycle 1..2 {
  select parents = top 10 by phenotype(yield)
  mate pairs = diallel(parents)
  cross pairs
}
environment trials { locations four  locations 2 }
