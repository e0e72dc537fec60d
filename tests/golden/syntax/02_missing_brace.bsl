scheme "demo"

genome { chromosomes 10  loci_per_chromosome 500

trait yield { qtl 2 }
