# a scheme that leaves most things to their defaults
genome { chromosomes 2  loci_per_chromosome 50 }
founders base from coalescent { sample 40 }
trait yield { qtl 10 }
trait height { qtl 5  effects gamma(0.4)  error_variance 2 }
feature BV = breeding_value(yield)
feature GVP = progeny_variance(yield)
repeat cycle 1..2 {
  select parents = top 8 by BV
  mate pairs = diallel(parents)
  allocate 40 progeny over pairs by softmax(mean_parent(z(BV)) ++ z(GVP), weights = [1, 0.5])
  cross pairs
}
report { mean(gv), inbreeding }
