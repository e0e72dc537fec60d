test_that("bsl_run returns typed data.frames and the manifest, and `set` reaches the run", {
  skip_if_no_bsl()
  out <- withr::local_tempdir()
  res <- bsl_run(tiny_scheme(), reps = 2, seed = 1, set = list(n = 5), out = out, quiet = TRUE)
  expect_s3_class(res, "bsl_result")
  expect_named(res, c("cycles", "objectives", "manifest"))

  cycles <- res$cycles
  expect_s3_class(cycles, "data.frame")
  expect_named(cycles, c("replicate", "cycle", "trait", "metric", "value"))
  expect_type(cycles$replicate, "integer")
  expect_type(cycles$cycle, "integer")
  expect_s3_class(cycles$trait, "factor")
  expect_s3_class(cycles$metric, "factor")
  expect_type(cycles$value, "double")
  expect_equal(levels(cycles$metric), c("mean(gv)", "var(gv)", "top(5, gv)"))  # report order
  expect_equal(nrow(cycles), 2L * 3L * 3L)  # replicates x cycles 0..2 x metrics
  expect_setequal(unique(cycles$replicate), 1:2)
  expect_setequal(unique(cycles$cycle), 0:2)

  objectives <- res$objectives
  expect_named(objectives, c("replicate", "objective", "value"))
  expect_type(objectives$replicate, "integer")
  expect_equal(levels(objectives$objective), "gain")
  expect_type(objectives$value, "double")
  expect_equal(nrow(objectives), 2L)

  m <- res$manifest
  expect_identical(m$replicates, 2L)
  expect_identical(m$seed, 1L)
  expect_identical(m$overrides, list(n = "5"))
  expect_identical(m$constants$n, 5)
  expect_match(m$scheme$text, "scheme \"tiny\"", fixed = TRUE)
  expect_true(all(file.exists(file.path(out, c("cycles.csv", "objectives.csv", "manifest.json")))))
})

test_that("bsl_run(transport = \"rds\") reads the results.rds that `bsl run --format rds` writes", {
  skip_if_no_bsl()
  skip_if_not(rds_available(), "rpy2 is not installed where bsl is: no .rds transport")
  out <- withr::local_tempdir()
  res <- bsl_run(tiny_scheme(), reps = 2, seed = 1, out = out, quiet = TRUE, transport = "rds")
  expect_true(file.exists(file.path(out, "results.rds")))
  expect_s3_class(res, "bsl_result")
  expect_type(res$cycles$replicate, "integer")
  expect_s3_class(res$cycles$metric, "factor")
  via_csv <- bsl_read_results(out, transport = "csv")
  expect_identical(res$manifest, via_csv$manifest)
  expect_equal(res$objectives$value, via_csv$objectives$value, tolerance = 1e-15)
})

test_that("the .rds and CSV transports give the same object", {
  skip_if_no_bsl()
  skip_if_not(rds_available(), "rpy2 is not installed where bsl is: no .rds transport to compare")
  out <- withr::local_tempdir()
  bsl_run(tiny_scheme(), reps = 2, seed = 2, out = out, quiet = TRUE)
  via_rds <- bsl_read_results(out, transport = "rds")
  via_csv <- bsl_read_results(out, transport = "csv")
  expect_identical(via_rds$manifest, via_csv$manifest)
  expect_identical(via_rds$objectives[c("replicate", "objective")], via_csv$objectives[c("replicate", "objective")])
  expect_identical(via_rds$cycles[1:4], via_csv$cycles[1:4])
  # R's own number parser may be one unit in the last place off for a few values
  expect_equal(via_rds$cycles$value, via_csv$cycles$value, tolerance = 1e-15)
  expect_equal(via_rds$objectives$value, via_csv$objectives$value, tolerance = 1e-15)
  # and the file written by bsl's bridge is what readRDS gives R users directly
  rds <- withr::local_tempfile(fileext = ".rds")
  py <- processx::run(bslr:::bsl_python(), c("-m", "bsl.bridge.rds", out, rds), env = bslr:::child_env())
  expect_identical(readRDS(rds), unclass(via_rds)[c("cycles", "objectives", "manifest")])
})

test_that("the same seed gives the same results; vectors and matrices in `set` are passed as bsl values", {
  skip_if_no_bsl()
  a <- bsl_run(tiny_scheme(), reps = 2, seed = 7, quiet = TRUE)
  b <- bsl_run(tiny_scheme(), reps = 2, seed = 7, quiet = TRUE, transport = "csv")
  expect_equal(a$objectives$value, b$objectives$value, tolerance = 1e-15)
  expect_identical(bslr:::set_args(list(n = 5, h = c(1, 0.5), w = matrix(c(1, 2, 3, 4), 2, byrow = TRUE),
                                        x = 0.1, s = "[1, 2]")),
                   c("--set", "n=5", "--set", "h=[1, 0.5]", "--set", "w=[[1, 2], [3, 4]]",
                     "--set", "x=0.1", "--set", "s=[1, 2]"))
})

test_that("bad input gives a bsl_error naming what to fix", {
  skip_if_no_bsl()
  err <- expect_error(bsl_run("no-such-scheme.bsl", quiet = TRUE), class = "bsl_usage_error")
  expect_match(conditionMessage(err), "error[BSL001]", fixed = TRUE)
  expect_match(conditionMessage(err), "no-such-scheme.bsl")
  err <- expect_error(bsl_run(tiny_scheme(), set = list(zz = 1), quiet = TRUE), class = "bsl_error")
  expect_match(conditionMessage(err), "`zz`, which is not a constant")
  expect_match(conditionMessage(err), "constants you can set: n")
  err <- expect_error(bsl_run(broken_scheme(), quiet = TRUE), class = "bsl_scheme_error")
  expect_match(conditionMessage(err), "error[BSL201]", fixed = TRUE)
  expect_error(bsl_run(tiny_scheme(), reps = 0), "`reps` must be one whole number", class = "bsl_usage_error")
  expect_error(bsl_run(tiny_scheme(), seed = 1.5), "`seed`", class = "bsl_usage_error")
  expect_error(bsl_run(tiny_scheme(), set = list(5)), "needs a name", class = "bsl_usage_error")
  expect_error(bsl_run(tiny_scheme(), set = list(n = TRUE)), "set\\$n must be a number", class = "bsl_usage_error")
  expect_error(bsl_run(tiny_scheme(), device = "tpu"), "`device`", class = "bsl_usage_error")
  expect_error(bsl_run(tiny_scheme(), transport = "feather"), "`transport`", class = "bsl_usage_error")
  expect_error(bsl_run(c("a.bsl", "b.bsl")), "one path", class = "bsl_usage_error")
})

test_that("progress is relayed as messages unless quiet", {
  skip_if_no_bsl()
  expect_message(bsl_run(tiny_scheme(), reps = 1, quiet = FALSE), "replicates")
  expect_silent(bsl_run(tiny_scheme(), reps = 1, quiet = TRUE))
})

test_that("bsl_read_results says what is wrong with a folder", {
  expect_error(bsl_read_results(file.path(tempdir(), "no-such-folder"), transport = "csv"), "does not exist",
               class = "bsl_usage_error")
  empty <- withr::local_tempdir()
  expect_error(bsl_read_results(empty, transport = "csv"), "cycles.csv is missing", class = "bsl_usage_error")
})

test_that("a scheme calling R functions runs from R, and a failing R function is a located bsl_error", {
  skip_if_no_bsl()
  skip_if_not(rds_available(), "rpy2 is not installed where bsl is: schemes cannot call R")
  dir <- withr::local_tempdir()
  writeLines(c("by_gv <- function(geno, values) values$gv_yield",
               "broken <- function(geno, values) stop(\"weights file not found\")"), file.path(dir, "idx.R"))
  scheme <- readLines(tiny_scheme())
  scheme <- sub("top n by WBV", "top n by idx", scheme, fixed = TRUE)
  write_scheme <- function(fn) {
    path <- file.path(dir, paste0(fn, ".bsl"))
    writeLines(c(scheme, sprintf("feature idx = r(\"idx.R\", \"%s\")", fn)), path)
    path
  }
  res <- bsl_run(write_scheme("by_gv"), reps = 2, seed = 1, quiet = TRUE)
  expect_equal(res$manifest$r_functions[[1]]$`function`, "by_gv")
  err <- expect_error(bsl_run(write_scheme("broken"), reps = 2, quiet = TRUE), class = "bsl_scheme_error")
  expect_match(conditionMessage(err), "error[BSL540]: R function `broken` failed: weights file not found",
               fixed = TRUE)
})
