"""Generative models of genotypes, phenotypes and omics data, the datasets bsl builds to train them, and the metrics that judge them."""
