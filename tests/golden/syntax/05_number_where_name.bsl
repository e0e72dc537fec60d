trait 5 { qtl 2  heritability 0.5 }
