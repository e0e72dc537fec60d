# bsl_optimize(): the checkpointed parameter search and its files.

#' Optimize a scheme's parameter
#'
#' Runs \code{bsl optimize} on a scheme with a \code{param} and an
#' \code{optimize} block (StoSOO, CMA-ES or random search). The search is
#' checkpointed in \code{out}; after an interruption, call again with
#' \code{resume = TRUE} to continue where it stopped.
#'
#' @param scheme Path of the \code{.bsl} scheme file.
#' @param out Folder for \code{trace.csv}, \code{best.json} and \code{final/}.
#' @param resume If \code{TRUE}, continue the interrupted search in \code{out}.
#' @param set Named list overriding \code{const} declarations.
#' @param device \code{"cpu"} or \code{"cuda"}.
#' @param quiet If \code{FALSE}, bsl's progress lines are relayed as messages.
#' @return A list of class \code{bsl_optimization} with
#'   \item{trace}{data.frame, one row per evaluation: \code{evaluation},
#'     one column per parameter value, \code{objective}, \code{best_so_far}.}
#'   \item{best}{list read from \code{best.json}: the parameter, its best
#'     values, the estimated objective and the manifest.}
#'   \item{final}{named list of \code{bsl_result}s (\code{optimized},
#'     \code{start}): the final comparison runs.}
#'   \item{cdf}{data.frame: \code{strategy}, \code{objective}, \code{value},
#'     \code{cdf}, the empirical CDF of each final objective.}
#' @examples
#' \dontrun{
#' opt <- bsl_optimize("schemes/01_reference/hamazaki2024_softmax.bsl", out = "opt/")
#' plot(opt$trace$evaluation, opt$trace$best_so_far, type = "s")
#' }
#' @export
bsl_optimize <- function(scheme, out, resume = FALSE, set = list(), device = "cpu", quiet = FALSE) {
  scheme <- check_file(scheme)
  out <- check_file(out, "`out` folder")
  if (!isTRUE(resume) && !isFALSE(resume)) bsl_abort("`resume` must be TRUE or FALSE", class = "bsl_usage_error")
  bsl_call(c("optimize", scheme, if (resume) "--resume" else "--out", out, set_args(set), "--device", device),
           quiet = quiet)
  trace <- utils::read.csv(file.path(out, "trace.csv"), check.names = FALSE)
  best <- read_json(file.path(out, "best.json"))
  final <- list()
  for (strategy in list.dirs(file.path(out, "final"), full.names = FALSE, recursive = FALSE)) {
    final[[strategy]] <- bsl_read_results(file.path(out, "final", strategy))
  }
  cdf_path <- file.path(out, "final", "cdf.csv")
  cdf <- if (file.exists(cdf_path)) utils::read.csv(cdf_path, stringsAsFactors = TRUE) else NULL
  structure(list(trace = trace, best = best, final = final, cdf = cdf), class = c("bsl_optimization", "list"))
}

#' @export
print.bsl_optimization <- function(x, ...) {
  cat(sprintf("<bsl_optimization> %d evaluations; best %s:\n", nrow(x$trace), x$best$param))
  print(x$best$values)
  for (strategy in names(x$final)) {
    obj <- x$final[[strategy]]$objectives
    cat(sprintf("final %s: %s\n", strategy,
                paste(sprintf("%s mean %.4g", levels(obj$objective),
                              tapply(obj$value, obj$objective, mean)), collapse = ", ")))
  }
  invisible(x)
}
