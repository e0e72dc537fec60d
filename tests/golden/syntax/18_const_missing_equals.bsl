genome { chromosomes 10  length 1 M  map kosambi }
founders base from coalescent { effective_size 2000 }
trait yield { qtl 2 per chromosome  effects normal(0, 1/20)  heritability 0.7 }
const n = 10
const n 5
