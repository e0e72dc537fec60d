# phenotype models: traits made by models, environments and `phenotype ... from model`
genome { chromosomes 2  loci_per_chromosome 40 }
founders base from coalescent { effective_size 200  pool 60 }
model p = flow { data base  phenotypes "13_trials.csv" }
model g = vae { data base }
model q = flow { data base  phenotypes "13_trials.csv" }
model r = flow { data base  phenotypes "missing.csv" }
model s = flow { data base  phenotypes trials }
model c = vae { data base  phenotypes "13_trials.csv"  condition yield  pca_variance 0.5 }
model k = flow { data base  condition yield }
founders e from model k { sample 5 }
founders f from model p { sample 5  given 1 }
trait yield { model p  heritability 0.5 }
trait height { model g }
trait other { model nope }
trait size { qtl 10 }
environment wet { rain 1.0  temperature 0.5 }
environment dry { rain -1 }
repeat cycle 1..2 {
  phenotype base from model p given genotype, environment(wet)
  phenotype base from model p given genotype
  phenotype base from model p given genotype, environment(hot)
  phenotype base from model g given genotype
  phenotype base from model p given genotype, soil(dry)
  phenotype base from model p given genotype, environment(dry)
  select parents = top 10 by gv(yield) + phenotype(yield)
  mate pairs = diallel(parents)
  cross pairs
}
report { mean(phenotype(yield)), genic_var(yield), mean(gv(size)) }
