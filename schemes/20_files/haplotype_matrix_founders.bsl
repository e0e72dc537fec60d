# 21 · Founders from a haplotype matrix, QTL from a table
# Founders are read from your own data instead of simulated: a NumPy (2N × L) 0/1 matrix of
# phased haplotypes with a map CSV (chromosome, position_cM), and the trait's QTL and their
# effects from a CSV (chromosome, locus, effect). Paths are relative to this file.

scheme "haplotype_matrix_founders"
seed 11
replicates 20

genome { map kosambi }

founders lines from file "founders.npy" map "map.csv"

trait yield { qtl "qtl.csv"  heritability 0.6 }

const n_parents = 10

repeat cycle 1..5 {
  phenotype lines
  select parents = top n_parents by phenotype
  mate pairs = diallel(parents)
  allocate 90 progeny over pairs by equal
  cross lines = pairs
}

objective gain = mean(gv) at cycle 5 - mean(gv) at cycle 0

report { per_cycle mean(gv), sd(gv), max(gv), heterozygosity(all), allele_freq(qtl) }
