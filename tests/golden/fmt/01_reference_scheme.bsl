# Hamazaki & Iwata (2024): progeny allocation optimized by StoSOO.
scheme   "hamazaki2024_tbvgvp"
seed 2024
replicates    50

genome {
  chromosomes 10
  loci_per_chromosome 500
  length 1M
  map kosambi
}

founders base from coalescent { effective_size 2000  sample 250 by kmedoids  maf >= 0.05 }

trait yield { qtl 2 per chromosome  effects normal(0, 1/20)  heritability 0.7 }

feature BV  = breeding_value(yield)
feature WBV = weighted_breeding_value(yield)        # Jannink 2010
feature GVP = progeny_variance(yield)               # Lynch & Walsh

param h[cycle 1..4] = [BV, WBV, GVP] in [0, 2] start 1

repeat cycle 1..4 {
  select parents = top 15 by WBV
  mate pairs = diallel(parents, selfing=true)          # 120 pairs
  allocate 250 progeny over pairs by softmax(mean_parent(z(BV), z(WBV)) ++ z(GVP), weights = h[cycle])
  cross pairs
}

objective gain = mean(top(5, standardized(gv(yield), base))) at cycle 4

optimize h with stosoo { maximize gain  evaluations 20000  replicates_per_evaluation 50 }

report { per_cycle mean(gv), var(gv), top(5), inbreeding, allele_freq(qtl) }
