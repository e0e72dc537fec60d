# A scheme with a misspelt feature name, for the bsl_check error test.
scheme "broken"

genome { chromosomes 2  loci_per_chromosome 50 }

founders base from coalescent { pool 60 }

trait yield { qtl 3 per chromosome }

feature WBV = weighted_breeding_value(yield)

repeat cycle 1..2 {
  select parents = top 5 by WVB
  mate pairs = diallel(parents)
  allocate 30 progeny over pairs by equal
  cross pairs
}
