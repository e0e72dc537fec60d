# softmax rounding: a misspelt rule, a number, and an unknown option
genome { chromosomes 2  loci_per_chromosome 50  length 1 M }
founders base from coalescent { effective_size 200  pool 60 }
trait yield { qtl 10 }
feature BV = breeding_value(yield)
repeat cycle 1..3 {
  select parents = top 10 by BV
  mate pairs = diallel(parents, selfing = true)
  allocate 100 progeny over pairs by softmax(mean_parent(z(BV)), weights = [1], rounding = flor)
  allocate 100 progeny over pairs by softmax(mean_parent(z(BV)), weights = [1], rounding = 2)
  allocate 100 progeny over pairs by softmax(mean_parent(z(BV)), weights = [1], roundin = floor)
  cross pairs
}
