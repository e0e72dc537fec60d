# 22 · Planned crosses from a table
# The crossing block comes from a CSV (`mother`, `father`: 1-based positions in the parent
# population, best first after `select`), here 9 crosses among the 6 best lines plus one self.
# Each planned cross gets 12 progeny; founders and QTL are the files of scheme 21.

scheme "planned_crosses"
seed 22
replicates 20

genome { map kosambi }

founders lines from file "founders.npy" map "map.csv"

trait yield { qtl "qtl.csv"  heritability 0.8 }

repeat cycle 1..4 {
  phenotype lines
  select parents = top 6 by phenotype
  mate pairs = from "plan.csv" over parents
  allocate 120 progeny over pairs by fixed(12)
  cross lines = pairs
}

objective gain = mean(gv) at cycle 4 - mean(gv) at cycle 0

report { per_cycle mean(gv), var(gv), inbreeding(all) }
