# 14 · Factorial cross of two selected groups
# Two traits, two groups: the 8 best plants for yield and the 6 best for quality are crossed
# every-by-every with `factorial(A, B)` (48 pairs), each pair gets exactly 3 progeny with
# `fixed(3)`. Reports cover both traits; the objectives name each one.

scheme "factorial_two_pools"
seed 14
replicates 20

genome { chromosomes 2  loci_per_chromosome 100  length 1 M  map haldane }

founders base from coalescent { effective_size 1000  pool 200  sample 144 by random }

trait yield { qtl 30  effects normal(0, 1)  heritability 0.5 }
trait quality { qtl 20  effects gamma(0.4)  heritability 0.7 }

repeat cycle 1..4 {
  phenotype base
  select pool_a = top 8 base by phenotype(yield)
  select pool_b = top 6 base by phenotype(quality)
  mate pairs = factorial(pool_a, pool_b)
  allocate 144 progeny over pairs by fixed(3)
  cross base = pairs
}

objective yield_gain = mean(gv(yield)) at cycle 4 - mean(gv(yield)) at cycle 0
objective quality_gain = mean(gv(quality)) at cycle 4 - mean(gv(quality)) at cycle 0

report { per_cycle mean(gv), sd(gv), min(gv), max(gv) }
