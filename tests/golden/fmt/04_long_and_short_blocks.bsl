founders base from coalescent { effective_size 2000  sample 250 by kmedoids  maf >= 0.05  mutation_rate 2.5e-8  recombination_rate 1e-8 }
trait yield {
  qtl 2 per chromosome
  heritability 0.7
}
environment trials {
}
model milk_gen = cond_flow { data "records.parquet"  condition genotype  epochs 100  batch_size 256  learning_rate 0.001  hidden 64 }
