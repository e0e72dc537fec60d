# A tiny scheme for the bslr tests: small coalescent founders, two cycles.
scheme "tiny"
seed 3
replicates 2

genome { chromosomes 2  loci_per_chromosome 50  length 1 M  map kosambi }

founders base from coalescent { effective_size 200  pool 60  sample 30 by kmedoids  maf >= 0.05 }

trait yield { qtl 3 per chromosome  effects normal(0, 1 / 6)  heritability 0.6 }

feature WBV = weighted_breeding_value(yield)

const n = 8

repeat cycle 1..2 {
  select parents = top n by WBV
  mate pairs = diallel(parents, selfing = true)
  allocate 30 progeny over pairs by equal
  cross pairs
}

objective gain = top(5, gv(yield)) at cycle 2 - top(5, gv(yield)) at cycle 0

report { per_cycle mean(gv), var(gv), top(5, gv) }
