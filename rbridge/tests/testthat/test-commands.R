test_that("bsl_fmt reports and rewrites layout", {
  skip_if_no_bsl()
  f <- withr::local_tempfile(fileext = ".bsl")
  file.copy(tiny_scheme(), f)
  expect_identical(bsl_fmt(f, check = TRUE), stats::setNames(FALSE, f))
  text <- readLines(f)
  writeLines(sub("^seed 3$", "seed     3", text), f)
  expect_identical(bsl_fmt(f, check = TRUE), stats::setNames(TRUE, f))
  expect_identical(readLines(f)[grep("^seed", readLines(f))], "seed     3")  # check changes nothing
  expect_invisible(changed <- bsl_fmt(f))
  expect_identical(changed, stats::setNames(TRUE, f))
  expect_identical(readLines(f), text)
})

test_that("bsl_fmt on a file with syntax errors is a bsl_error", {
  skip_if_no_bsl()
  f <- withr::local_tempfile(fileext = ".bsl")
  writeLines("genome { chromosomes }", f)
  err <- expect_error(bsl_fmt(f, check = TRUE), class = "bsl_error")
  expect_match(conditionMessage(err), "error[BSL1", fixed = TRUE)
  expect_error(bsl_fmt(f), class = "bsl_error")
  expect_error(bsl_fmt(character()), "one or more paths", class = "bsl_usage_error")
})

test_that("bsl_explain returns the graph and resolved defaults", {
  skip_if_no_bsl()
  x <- bsl_explain(tiny_scheme(), set = list(n = 4))
  expect_s3_class(x, "bsl_explain")
  expect_match(x, "scheme 'tiny'", fixed = TRUE)
  expect_match(x, "count=4", fixed = TRUE)
  expect_match(x, "resolved defaults:", fixed = TRUE)
  expect_output(print(x), "graph")
  expect_error(bsl_explain(broken_scheme()), "error[BSL201]", fixed = TRUE, class = "bsl_scheme_error")
})

test_that("bsl_version is the executable's version", {
  skip_if_no_bsl()
  v <- bsl_version()
  expect_s3_class(v, "numeric_version")
  expect_true(v >= "0.1.0")
})

test_that("a missing bsl says how to point at it", {
  withr::local_options(bslr.bsl = file.path(tempdir(), "no", "bsl"))
  err <- expect_error(bsl_executable(), class = "bsl_not_found")
  expect_match(conditionMessage(err), "option bslr.bsl")
  expect_error(bsl_version(), class = "bsl_not_found")
  withr::local_options(bslr.bsl = NULL)
  withr::local_envvar(BSL_EXECUTABLE = "", PATH = withr::local_tempdir())
  err <- expect_error(bsl_check(tiny_scheme()), class = "bsl_not_found")
  expect_match(conditionMessage(err), "BSL_EXECUTABLE")
  expect_false(bsl_available())
  expect_identical(bsl_executable(required = FALSE), NA_character_)
})
