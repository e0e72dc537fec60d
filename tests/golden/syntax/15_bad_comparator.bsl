founders base from coalescent { effective_size 2000  maf => 0.05 }
