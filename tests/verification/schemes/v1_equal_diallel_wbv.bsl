# v1 · Equal allocation over a diallel with selfing, parents chosen by weighted breeding value
# The reference scheme's shape (Hamazaki & Iwata 2024, EQ), small: 8 parents, 36 pairs, 60 progeny.

scheme "v1_equal_diallel_wbv"
seed 101
replicates 300

genome { chromosomes 3  loci_per_chromosome 80  length 1 M  map kosambi }

founders base from coalescent { effective_size 500  pool 60  maf >= 0.05  random_mating 1 }

trait yield { qtl 5 per chromosome  effects normal(0, 1/20)  heritability 1 }

feature WBV = weighted_breeding_value(yield)

repeat cycle 1..3 {
  select parents = top 8 by WBV
  mate pairs = diallel(parents, selfing = true)
  allocate 60 progeny over pairs by equal
  cross pairs
}

objective gain = top(5, gv(yield)) at cycle 3 - top(5, gv(yield)) at cycle 0

report { per_cycle mean(gv), var(gv), sd(gv), min(gv), max(gv), top(5, gv), genic_var(gv),
         inbreeding(qtl), heterozygosity(qtl), allele_freq(qtl) }
