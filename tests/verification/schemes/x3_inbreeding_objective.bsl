# x3 · Inbreeding in an objective when the report does not list it
# Inbreeding is the loss of expected heterozygosity since cycle 0, whatever the report holds.

scheme "x3_inbreeding_objective"
seed 808
replicates 200

genome { chromosomes 2  loci_per_chromosome 50  length 1 M  map haldane }

founders base from coalescent { effective_size 500  pool 40  maf >= 0.05  random_mating 1 }

trait yield { qtl 5 per chromosome  effects normal(0, 1/12)  heritability 1 }

repeat cycle 1..2 {
  select parents = top 6 by gv(yield)
  mate pairs = diallel(parents)
  allocate 40 progeny over pairs by equal
  cross pairs
}

objective inbred = inbreeding(qtl) at cycle 2

report { per_cycle mean(gv) }
