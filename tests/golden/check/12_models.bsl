seed 1
genome { chromosomes 2  loci_per_chromosome 40 }
founders base from coalescent { effective_size 200  pool 60 }
model g = difusion { data bsae  epochs 0  holdout 0.95  colour red }
model h = vae { epochs 10 }
model h = flow { data synth }
founders synth from model gg { sample 10 }
founders other from model h { }
trait yield { qtl 6 }
