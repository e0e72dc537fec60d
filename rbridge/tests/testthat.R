library(testthat)
library(bslr)

test_check("bslr")
