optimize_scheme <- function(dir) {
  path <- file.path(dir, "opt.bsl")
  writeLines(c(
    'scheme "opt"',
    "seed 5",
    "genome { chromosomes 2  loci_per_chromosome 50  length 1 M  map kosambi }",
    "founders base from coalescent { effective_size 200  pool 60  sample 30 by kmedoids }",
    "trait yield { qtl 3 per chromosome  effects normal(0, 1 / 6) }",
    "feature BV = breeding_value(yield)",
    "feature GVP = progeny_variance(yield)",
    "param h[cycle 1..2] = [BV, GVP] in [0, 2] start 1",
    "repeat cycle 1..2 {",
    "  select parents = top 6 by BV",
    "  mate pairs = diallel(parents, selfing = true)",
    "  allocate 30 progeny over pairs by softmax(mean_parent(z(BV)) ++ z(GVP), weights = h[cycle])",
    "  cross pairs",
    "}",
    "objective gain = top(5, gv) at cycle 2 - top(5, gv) at cycle 0",
    "optimize h with random { maximize gain  evaluations 6  replicates_per_evaluation 2  final_replicates 4 }"),
    path)
  path
}

test_that("bsl_optimize returns the trace, the best values and the final comparison; resume continues", {
  skip_if_no_bsl()
  dir <- withr::local_tempdir()
  scheme <- optimize_scheme(dir)
  out <- file.path(dir, "o")
  opt <- bsl_optimize(scheme, out = out, quiet = TRUE)
  expect_s3_class(opt, "bsl_optimization")
  expect_identical(names(opt$trace), c("evaluation", "h[1].BV", "h[1].GVP", "h[2].BV", "h[2].GVP",
                                       "objective", "best_so_far"))
  expect_equal(opt$trace$evaluation, seq_len(nrow(opt$trace)))
  expect_identical(opt$best$param, "h")
  expect_setequal(names(opt$final), c("optimized", "start"))
  expect_equal(nrow(opt$final$optimized$objectives), 4L)
  expect_s3_class(opt$cdf$strategy, "factor")
  expect_output(print(opt), "best h")
  again <- bsl_optimize(scheme, out = out, resume = TRUE, quiet = TRUE)
  expect_identical(again$best$values, opt$best$values)
})

test_that("bsl_optimize reports a scheme without an optimize block and bad arguments", {
  skip_if_no_bsl()
  expect_error(bsl_optimize(tiny_scheme(), out = withr::local_tempdir(), quiet = TRUE), class = "bsl_error")
  expect_error(bsl_optimize(tiny_scheme(), out = tempdir(), resume = NA), "`resume`", class = "bsl_usage_error")
  dir <- withr::local_tempdir()
  expect_error(bsl_run(optimize_scheme(dir), out = file.path(dir, "r"), quiet = TRUE), "bsl_optimize",
               class = "bsl_usage_error")
})
