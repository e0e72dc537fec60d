# 41 · Breeding from founders sampled from a generative model
# A diffusion model (DDPM in per-chromosome PCA space) learns the genotypes of a coalescent panel;
# the breeding program then starts from 200 synthetic founders it samples, and classical meiosis
# takes over. Train first (`bsl train`, saved in models/g next to this file), score the model on
# the held-out quarter (`bsl evaluate --model g --out DIR`), then `bsl run`.

scheme "synthetic_founders"
seed 11
replicates 20

genome { chromosomes 5  loci_per_chromosome 200  length 1 M }

founders panel from coalescent { effective_size 1000  pool 400  maf >= 0.05  seed 5 }

model g = diffusion { data panel  max_seconds 120  holdout 0.25 }

founders synth from model g { sample 200 }

trait yield { qtl 4 per chromosome  effects normal(0, 1)  heritability 0.5 }

repeat cycle 1..4 {
  phenotype synth
  select parents = top 20 synth by phenotype
  mate pairs = random(40) over parents
  allocate 200 progeny over pairs by equal
  cross synth = pairs
}

objective gain = mean(gv) at cycle 4 - mean(gv) at cycle 0

report { per_cycle mean(gv), var(gv), heterozygosity(all) }
