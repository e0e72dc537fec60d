# Genomic estimated breeding values by ridge regression (RR-BLUP) on the phenotyped plants,
# written the way a breeder would in base R. Called by bsl once per replicate and cycle:
#   geno:   integer matrix, plants x loci, 0/1/2 copies of allele 1
#   values: data.frame with gv_yield and, once phenotyped, phenotype_yield
# Returns one GEBV per plant (a numeric vector of length nrow(geno)).
ridge_gebv <- function(geno, values, lambda = 1) {
  y <- values$phenotype_yield
  x <- scale(geno, center = TRUE, scale = FALSE)
  k <- tcrossprod(x) / ncol(x)                      # genomic relationship (VanRaden 2008, method 1)
  alpha <- solve(k + lambda * diag(nrow(k)), y - mean(y))
  as.numeric(k %*% alpha)                           # GEBV = K (K + lambda I)^-1 (y - mean y)
}
