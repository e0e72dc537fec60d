# bad parameter and optimize blocks
genome { chromosomes 2  loci_per_chromosome 50  length 1 M }
founders base from coalescent { effective_size 200  pool 60 }
trait yield { qtl 10 }
param h[cycle 1..2] = [BV, GVP] in [2, 0] start 1
param w = [BV] in [0, 1] start 3
param g = 1 in [0, 1]
repeat cycle 1..2 {
  select parents = top 10 by gv
  mate pairs = diallel(parents, selfing = true)
  cross pairs
}
objective gain = mean(gv) at cycle 2 - mean(gv) at cycle 0
optimize hh with stosoa { maximize gian  evaluations 0 }
