# bsl_check(), bsl_fmt(), bsl_explain() and bsl_version().

#' Check a scheme
#'
#' Parses and checks a scheme without running it, reporting every error at once.
#'
#' @param file Path of the \code{.bsl} scheme file.
#' @param set Named list overriding \code{const} declarations, as in \code{\link{bsl_run}}.
#' @return \code{TRUE}, invisibly, when the scheme is correct. Otherwise an
#'   R error of class \code{bsl_scheme_error} (a \code{bsl_error}) whose
#'   message is bsl's diagnostic text, e.g.
#'   \code{broken.bsl:13:29: error[BSL201]: unknown name `WVB`}, with the
#'   source line, a caret and a hint.
#' @examples
#' if (bsl_available()) {
#'   bsl_check(system.file("extdata", "tiny.bsl", package = "bslr"))
#'   broken <- tempfile(fileext = ".bsl")
#'   writeLines(c('genome { chromosomes 2  loci_per_chromosome 50 }',
#'                'founders base from coalescent { pool 60 }',
#'                'trait yield { qtl 3 per chromosome }',
#'                'repeat cycle 1..2 { select parents = top 5 by WVB }'), broken)
#'   err <- tryCatch(bsl_check(broken), bsl_error = function(e) e)
#'   cat(conditionMessage(err), "\n")
#' }
#' @export
bsl_check <- function(file, set = list()) {
  bsl_call(c("check", check_file(file), set_args(set)), quiet = TRUE)
  invisible(TRUE)
}

#' Format schemes canonically
#'
#' Rewrites each file in bsl's canonical layout (\code{bsl fmt}).
#'
#' @param file Paths of \code{.bsl} scheme files.
#' @param check If \code{TRUE}, change nothing and only report.
#' @return A logical vector named by file, invisibly when \code{check} is
#'   \code{FALSE}: \code{TRUE} where the file was (or, with \code{check},
#'   would be) reformatted. A file with syntax errors signals a \code{bsl_error}.
#' @examples
#' if (bsl_available()) {
#'   f <- tempfile(fileext = ".bsl")
#'   file.copy(system.file("extdata", "tiny.bsl", package = "bslr"), f)
#'   bsl_fmt(f, check = TRUE)
#' }
#' @export
bsl_fmt <- function(file, check = FALSE) {
  if (!is.character(file) || length(file) == 0L || anyNA(file)) {
    bsl_abort("`file` must be one or more paths", class = "bsl_usage_error")
  }
  if (!isTRUE(check) && !isFALSE(check)) bsl_abort("`check` must be TRUE or FALSE", class = "bsl_usage_error")
  paths <- path.expand(file)
  res <- bsl_call(c("fmt", paths, if (check) "--check"), quiet = TRUE, ok_status = if (check) 0:1 else 0L)
  lines <- strsplit(res$stderr, "\n", fixed = TRUE)[[1L]]
  if (check && res$status == 1L && any(grepl("error\\[BSL", lines))) bsl_fail(res, "fmt")
  marker <- if (check) ": would be reformatted" else ": formatted"
  changed <- stats::setNames(paste0(paths, marker) %in% lines, file)
  if (check) changed else invisible(changed)
}

#' Explain what a scheme compiles to
#'
#' Returns the execution graph and every resolved default (\code{bsl explain}).
#'
#' @param file Path of the \code{.bsl} scheme file.
#' @param set Named list overriding \code{const} declarations.
#' @return A character string of class \code{bsl_explain}; printing it shows the text.
#' @examples
#' if (bsl_available()) {
#'   bsl_explain(system.file("extdata", "tiny.bsl", package = "bslr"))
#' }
#' @export
bsl_explain <- function(file, set = list()) {
  res <- bsl_call(c("explain", check_file(file), set_args(set)), quiet = TRUE)
  structure(sub("\\s+$", "", res$stdout), class = "bsl_explain")
}

#' @export
print.bsl_explain <- function(x, ...) {
  cat(unclass(x), "\n", sep = "")
  invisible(x)
}

#' The version of bsl
#'
#' @return The version of the \code{bsl} executable that bslr calls, a
#'   \code{numeric_version}.
#' @examples
#' if (bsl_available()) bsl_version()
#' @export
bsl_version <- function() {
  res <- bsl_call("--version", quiet = TRUE)
  text <- trimws(res$stdout)
  version <- sub("^bsl[[:space:]]+", "", text)
  if (!grepl("^[0-9]+(\\.[0-9]+)+", version)) {
    bsl_abort(sprintf("`bsl --version` printed `%s`, not a version", text), class = "bsl_internal_error")
  }
  numeric_version(sub("^([0-9.]+).*$", "\\1", version))
}
