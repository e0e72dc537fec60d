# selecting more than exist, negative and fractional counts, zero pairs
genome { chromosomes 2  loci_per_chromosome 50  length 1 M }
founders base from coalescent { effective_size 200  pool 60 }
trait yield { qtl 10 }
repeat cycle 1..2 {
  select parents = top 100 by gv
  select few = top 1 by gv
  mate pairs = diallel(few, selfing = false)
  allocate -5 progeny over pairs by equal
  select other = top 2.5 by gv
  cross pairs
}
