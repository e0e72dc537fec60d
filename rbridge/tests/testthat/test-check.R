test_that("bsl_check accepts a correct scheme", {
  skip_if_no_bsl()
  expect_invisible(ok <- bsl_check(tiny_scheme()))
  expect_true(ok)
  expect_true(bsl_check(tiny_scheme(), set = list(n = 4)))
})

test_that("bsl_check on a broken scheme is a bsl_error with bsl's located diagnostic", {
  skip_if_no_bsl()
  err <- expect_error(bsl_check(broken_scheme()), class = "bsl_error")
  expect_s3_class(err, "bsl_scheme_error")
  msg <- conditionMessage(err)
  expect_match(msg, "error[BSL", fixed = TRUE)
  expect_match(msg, "broken.bsl:13:29: error[BSL201]: unknown name `WVB`", fixed = TRUE)
  expect_match(msg, "\n\\s+\\|\\s+\\^\\^\\^\n")  # the caret under the name
  expect_match(msg, "did you mean `WBV`?", fixed = TRUE)
  expect_identical(err$status, 1L)
})

test_that("bsl_check reports a missing file and a bad --set as usage errors", {
  skip_if_no_bsl()
  err <- expect_error(bsl_check("missing.bsl"), class = "bsl_usage_error")
  expect_match(conditionMessage(err), "scheme file `missing.bsl` does not exist", fixed = TRUE)
  expect_identical(err$status, 2L)
  expect_error(bsl_check(tiny_scheme(), set = list(n = c(1, 2))), "shape", class = "bsl_error")
})
