# Shared set-up: the real bsl (never a mock), the tiny scheme shipped with the package.

# Skip when bsl is not installed, unless BSLR_REQUIRE_BSL=true (CI), where that is a failure.
skip_if_no_bsl <- function() {
  if (bsl_available()) return(invisible(TRUE))
  if (identical(tolower(Sys.getenv("BSLR_REQUIRE_BSL")), "true")) {
    stop("BSLR_REQUIRE_BSL=true but bsl is not found; set BSL_EXECUTABLE")
  }
  testthat::skip("bsl is not installed (set BSL_EXECUTABLE or put bsl on the PATH)")
}

tiny_scheme <- function() system.file("extdata", "tiny.bsl", package = "bslr", mustWork = TRUE)

broken_scheme <- function() testthat::test_path("broken.bsl")

# TRUE when the Python that runs bsl can import rpy2 (the .rds transport).
rds_available <- function() {
  python <- bslr:::bsl_python()
  if (is.na(python)) return(FALSE)
  res <- processx::run(python, c("-c", "import rpy2.robjects"), error_on_status = FALSE,
                       env = bslr:::child_env())
  res$status == 0L
}
