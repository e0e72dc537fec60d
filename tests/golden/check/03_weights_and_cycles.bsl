# softmax weights of the wrong length, a per-cycle constant too short, an objective past the end
genome { chromosomes 2  loci_per_chromosome 50  length 1 M }
founders base from coalescent { effective_size 200  pool 60 }
trait yield { qtl 10 }
const h = [[1, 1], [1, 1]]
feature BV = breeding_value(yield)
feature GVP = progeny_variance(yield)
repeat cycle 1..3 {
  select parents = top 10 by BV
  mate pairs = diallel(parents, selfing = true)
  allocate 100 progeny over pairs by softmax(mean_parent(z(BV)) ++ z(GVP) ++ z(GVP), weights = h[cycle])
  cross pairs
}
objective gain = mean(gv) at cycle 5 - mean(gv) at cycle 0
