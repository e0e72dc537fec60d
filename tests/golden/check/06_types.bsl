# feature kinds that do not fit where they are used
genome { chromosomes 2  loci_per_chromosome 50  length 1 M }
founders base from coalescent { effective_size 200  pool 60 }
trait yield { qtl 10 }
trait height { qtl 5 }
feature GVP = progeny_variance(yield)
repeat cycle 1..2 {
  select parents = top 10 by GVP
  mate pairs = diallel(parents, selfing = true)
  allocate 50 progeny over pairs by softmax(z(gv) ++ GVP, weights = [1, 1])
  cross pairs
  cross again = parents
}
objective o = mean(gv)
