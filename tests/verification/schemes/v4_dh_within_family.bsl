# v4 · Doubled haploids from a diallel, the best line of each family kept
# 6 parents by breeding value, 15 pairs, 4 DH lines per pair, top 1 by gv within each pair's family;
# selfing a DH line copies it, so `self` keeps the elite lines as the next generation.

scheme "v4_dh_within_family"
seed 404
replicates 300

genome { chromosomes 3  loci_per_chromosome 50  length 1 M  map kosambi }

founders base from coalescent { effective_size 500  pool 40  maf >= 0.05  random_mating 1 }

trait yield { qtl 4 per chromosome  effects normal(0, 1/12)  heritability 1 }

repeat cycle 1..3 {
  select parents = top 6 by breeding_value(yield)
  mate pairs = diallel(parents)
  dh lines = pairs * 4
  select elite = top 1 lines by gv(yield) within family
  self next = elite
}

objective gain = max(gv(yield)) at cycle 3 - max(gv(yield)) at cycle 0

report { per_cycle mean(gv), var(gv), top(3, gv), inbreeding(qtl), heterozygosity(qtl) }
