# bsl_run() and reading a results folder (through .rds written by bsl with rpy2, or CSV + JSON).

#' Run a breeding scheme
#'
#' Runs \code{bsl run} on a scheme file and reads its results back.
#'
#' @param scheme Path of the \code{.bsl} scheme file.
#' @param reps Number of replicate simulations; \code{NULL} keeps the
#'   scheme's \code{replicates}.
#' @param seed Random seed; \code{NULL} keeps the scheme's \code{seed}.
#' @param set Named list overriding the scheme's \code{const} declarations:
#'   numbers, numeric vectors, numeric matrices, e.g. \code{list(n_select = 20)}.
#' @param out Folder to keep the results in (\code{cycles.csv},
#'   \code{cycles.parquet}, \code{objectives.csv}, \code{manifest.json});
#'   \code{NULL} uses a temporary folder that is removed afterwards.
#' @param device \code{"cpu"} or \code{"cuda"}.
#' @param quiet If \code{FALSE}, bsl's progress lines are relayed as messages.
#' @param transport How results cross over: \code{"auto"} (an \code{.rds}
#'   file written by bsl through rpy2 when rpy2 is installed, otherwise CSV),
#'   \code{"rds"} (\code{bsl run --format rds} writes \code{results.rds} in
#'   the results folder) or \code{"csv"}. See \code{\link{bsl_read_results}}.
#' @return A list of class \code{bsl_result} with
#'   \item{cycles}{data.frame: \code{replicate} (integer), \code{cycle}
#'     (integer, 0 is the founders), \code{trait} (factor), \code{metric}
#'     (factor, the report expression), \code{value} (double).}
#'   \item{objectives}{data.frame: \code{replicate} (integer),
#'     \code{objective} (factor), \code{value} (double).}
#'   \item{manifest}{list: bsl version, scheme hash and text, seed,
#'     replicates, device, overrides, resolved defaults, package versions.}
#' @section Errors: A scheme error signals an R error of class
#'   \code{bsl_scheme_error} whose message is bsl's located diagnostic; bad
#'   arguments or a missing file give \code{bsl_usage_error}; a missing bsl
#'   gives \code{bsl_not_found}. All have class \code{bsl_error}.
#' @examples
#' if (bsl_available()) {
#'   scheme <- system.file("extdata", "tiny.bsl", package = "bslr")
#'   res <- bsl_run(scheme, reps = 2, seed = 1, set = list(n = 6), quiet = TRUE)
#'   head(res$cycles)
#'   res$objectives
#'   res$manifest$seed
#' }
#' @export
bsl_run <- function(scheme, reps = NULL, seed = NULL, set = list(), out = NULL, device = "cpu",
                    quiet = FALSE, transport = getOption("bslr.transport", "auto")) {
  scheme <- check_file(scheme)
  transport <- match_transport(transport)
  if (!is.character(device) || length(device) != 1L || !(device %in% c("cpu", "cuda") || startsWith(device, "cuda:"))) {
    bsl_abort("`device` must be \"cpu\" or \"cuda\" (or \"cuda:N\")", class = "bsl_usage_error")
  }
  args <- c("run", scheme,
            if (!is.null(reps)) c("--reps", check_count(reps, "reps")),
            if (!is.null(seed)) c("--seed", check_seed(seed)),
            set_args(set), "--device", device)
  if (is.null(out)) {
    out <- tempfile("bsl-run-")
    on.exit(unlink(out, recursive = TRUE), add = TRUE)
  } else {
    out <- check_file(out, "`out` folder")
  }
  # transport "rds": bsl writes results.rds itself (`bsl run --format rds`) and R reads it
  bsl_call(c(args, "--out", out, if (transport == "rds") c("--format", "rds")), quiet = quiet)
  if (!file.exists(file.path(out, "cycles.csv")) && file.exists(file.path(out, "best.json"))) {
    bsl_abort(sprintf("%s has an `optimize` block; use bsl_optimize(\"%s\", out = ...) to get its trace and best values",
                      scheme, scheme), class = "bsl_usage_error")
  }
  if (transport == "rds") return(structure(readRDS(file.path(out, "results.rds")), class = c("bsl_result", "list")))
  bsl_read_results(out, transport = transport)
}

#' Read a results folder written by bsl
#'
#' Reads the folder that \code{bsl run --out DIR} wrote. With
#' \code{transport = "rds"}, bsl's own Python converts it to an \code{.rds}
#' file through rpy2 (\code{python -m bsl.bridge.rds DIR FILE.rds}), which R
#' reads with \code{readRDS}: every value is exactly the double bsl computed.
#' With \code{"csv"}, the CSV files and \code{manifest.json} are read with base
#' R and jsonlite; R's number parser may then differ from bsl's values in
#' the last bit for about one value in 30,000. \code{"auto"} uses rds when
#' rpy2 is installed where bsl is, and csv otherwise. Both give the same
#' column types.
#'
#' @param out The results folder.
#' @param transport \code{"auto"}, \code{"rds"} or \code{"csv"}.
#' @return A \code{bsl_result} list as returned by \code{\link{bsl_run}}.
#' @examples
#' if (bsl_available()) {
#'   scheme <- system.file("extdata", "tiny.bsl", package = "bslr")
#'   dir <- tempfile()
#'   bsl_run(scheme, reps = 2, out = dir, quiet = TRUE)
#'   res <- bsl_read_results(dir, transport = "csv")
#'   str(res$objectives)
#' }
#' @export
bsl_read_results <- function(out, transport = getOption("bslr.transport", "auto")) {
  out <- check_file(out, "results folder")
  transport <- match_transport(transport)
  if (!dir.exists(out)) {
    bsl_abort(sprintf("results folder `%s` does not exist", out), class = "bsl_usage_error")
  }
  res <- NULL
  if (transport != "csv") res <- read_via_rds(out, required = transport == "rds")
  if (is.null(res)) res <- read_via_csv(out)
  structure(res, class = c("bsl_result", "list"))
}

match_transport <- function(transport) {
  choices <- c("auto", "rds", "csv")
  if (!is.character(transport) || length(transport) != 1L || !(transport %in% choices)) {
    bsl_abort("`transport` must be one of \"auto\", \"rds\", \"csv\"", class = "bsl_usage_error")
  }
  transport
}

# NULL when rpy2 is unavailable and not required (remembered per Python for the session).
read_via_rds <- function(out, required) {
  python <- bsl_python()
  if (is.na(python)) {
    if (required) bsl_abort("cannot find the Python that runs bsl; set options(bslr.python = ...) or BSL_PYTHON",
                            class = "bsl_usage_error")
    return(NULL)
  }
  if (!required && identical(.bslr$no_rpy2[[python]], TRUE)) return(NULL)
  rds <- tempfile("bsl-", fileext = ".rds")
  on.exit(unlink(rds), add = TRUE)
  res <- processx::run(python, c("-m", "bsl.bridge.rds", out, rds), error_on_status = FALSE, env = child_env(),
                       encoding = "UTF-8")
  if (res$status == 3L && !required) {  # rpy2 (or R for it) is not installed: CSV instead
    .bslr$no_rpy2[[python]] <- TRUE
    return(NULL)
  }
  if (res$status != 0L) {
    msg <- sub("\\s+$", "", res$stderr)
    if (required) bsl_abort(paste0("converting the results to .rds failed:\n", msg), status = res$status,
                            stderr = res$stderr, class = "bsl_usage_error")
    warning("converting the results to .rds failed; reading the CSV files instead:\n", msg, call. = FALSE)
    return(NULL)
  }
  readRDS(rds)
}

read_via_csv <- function(out) {
  need <- function(name) {
    path <- file.path(out, name)
    if (!file.exists(path)) {
      bsl_abort(sprintf("%s is missing in `%s`; point at a folder written by `bsl run --out`", name, out),
                class = "bsl_usage_error")
    }
    path
  }
  cycles <- utils::read.csv(need("cycles.csv"), colClasses = c("integer", "integer", "character", "character", "numeric"),
                            na.strings = c("", "NA"), encoding = "UTF-8", check.names = FALSE)
  objectives <- utils::read.csv(need("objectives.csv"), colClasses = c("integer", "character", "numeric"),
                                na.strings = c("", "NA"), encoding = "UTF-8", check.names = FALSE)
  for (col in c("trait", "metric")) cycles[[col]] <- factor(cycles[[col]], levels = unique(cycles[[col]]))
  objectives$objective <- factor(objectives$objective, levels = unique(objectives$objective))
  manifest <- read_json(need("manifest.json"))
  list(cycles = cycles, objectives = objectives, manifest = manifest)
}

read_json <- function(path) {
  jsonlite::fromJSON(path, simplifyVector = TRUE, simplifyDataFrame = FALSE, simplifyMatrix = FALSE)
}

#' @export
print.bsl_result <- function(x, ...) {
  m <- x$manifest
  cat(sprintf("<bsl_result> scheme \"%s\": %s replicates, seed %s, device %s, bsl %s\n",
              m$scheme$name, m$replicates, m$seed, m$device, m$bsl_version))
  cat(sprintf("$cycles: %d rows (%s)\n", nrow(x$cycles), paste(levels(x$cycles$metric), collapse = ", ")))
  if (nrow(x$objectives)) {
    agg <- tapply(x$objectives$value, x$objectives$objective, function(v) c(mean(v), stats_sd(v)))
    for (name in names(agg)) cat(sprintf("objective %s: mean %.4g, sd %.4g\n", name, agg[[name]][1], agg[[name]][2]))
  }
  invisible(x)
}

stats_sd <- function(v) if (length(v) > 1L) sqrt(sum((v - mean(v))^2) / (length(v) - 1L)) else 0
