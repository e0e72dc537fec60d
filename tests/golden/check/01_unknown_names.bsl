# several unknown names, all reported at once
genome { chromosomes 2  loci_per_chromosome 50  length 1 M }
founders base from coalescent { effective_size 200  pool 60 }
trait yield { qtl 10  effects normal(0, 1)  heritabilty 0.5 }
feature WBV = weighted_breeding_value(yeld)
repeat cycle 1..3 {
  select parents = top 10 by WVB
  mate pairs = dialel(parents, selfing = true)
  allocate 100 progeny over pairs by equal
  cross pairs
}
