# 12 · Doubled-haploid line development
# A self-pollinated crop: 15 biparental crosses among elite lines give one F1 each, every F1
# gives 8 doubled haploids (fully homozygous lines), the lines are phenotyped (h² = 0.4), the
# best 2 lines of each family are kept, and the best 10 of those are the next cycle's elites.

scheme "dh_line_development"
seed 12
replicates 20

genome { chromosomes 2  loci_per_chromosome 100  length 1.5 M  map kosambi }

founders elite from coalescent { effective_size 500  pool 100  sample 20 by random }

trait yield { qtl 30  effects normal(0, 1)  heritability 0.4 }

repeat cycle 1..4 {
  mate crosses = random(15) over elite
  cross f1 = crosses
  dh lines = f1 * 8
  phenotype lines
  select best = top 2 lines by phenotype within family
  select elite = top 10 best by phenotype
}

objective gain = mean(gv) at cycle 4 - mean(gv) at cycle 0

report { per_cycle mean(gv), var(gv), heterozygosity(all), inbreeding(all) }
