# Running the bsl executable and turning its failures into R conditions.

bsl_abort <- function(message, class = NULL, status = NA_integer_, stderr = "") {
  cond <- structure(
    class = c(class, "bsl_error", "error", "condition"),
    list(message = message, call = NULL, status = status, stderr = stderr))
  stop(cond)
}

# Run `bsl ARGS`; relay progress (stderr) unless quiet; a non-zero exit is an R error of class
# bsl_scheme_error (exit 1), bsl_usage_error (2) or bsl_internal_error (101), all bsl_error.
bsl_call <- function(args, quiet = FALSE, ok_status = 0L) {
  bsl <- bsl_executable()
  in_error <- FALSE
  relay <- function(line, proc) {
    if (grepl("error\\[BSL[0-9]+\\]", line)) in_error <<- TRUE
    if (!quiet && !in_error) message(line)
  }
  res <- processx::run(bsl, args, error_on_status = FALSE, stderr_line_callback = relay, env = child_env(),
                       encoding = "UTF-8", cleanup_tree = TRUE)
  if (!(res$status %in% ok_status)) bsl_fail(res, args)
  res
}

bsl_fail <- function(res, args) {
  text <- sub("\\s+$", "", res$stderr)
  lines <- strsplit(text, "\n", fixed = TRUE)[[1L]]
  first <- grep("error\\[BSL[0-9]+\\]", lines)
  message <- if (length(first)) {
    paste(lines[first[[1L]]:length(lines)], collapse = "\n")
  } else {
    sub("\\n$", "", paste0(sprintf("`bsl %s` failed with exit status %s", args[[1L]], format(res$status)),
                            if (nzchar(text)) paste0(":\n", text) else ""))
  }
  class <- switch(as.character(res$status),
                  "1" = "bsl_scheme_error", "2" = "bsl_usage_error", "101" = "bsl_internal_error",
                  NULL)
  bsl_abort(message, class = class, status = res$status, stderr = res$stderr)
}

# `--set name=value` arguments from a named list: numbers, vectors, matrices (row by row) or strings.
set_args <- function(set) {
  if (is.null(set) || length(set) == 0L) return(character())
  if (!is.list(set) && !is.numeric(set)) {
    bsl_abort("`set` must be a named list, e.g. set = list(n_select = 20)", class = "bsl_usage_error")
  }
  set <- as.list(set)
  if (is.null(names(set)) || any(!nzchar(names(set)))) {
    bsl_abort("every element of `set` needs a name: the constant it overrides, e.g. set = list(n_select = 20)",
              class = "bsl_usage_error")
  }
  values <- vapply(names(set), function(name) set_value(name, set[[name]]), character(1))
  as.vector(rbind("--set", paste0(names(set), "=", values)))
}

set_value <- function(name, value) {
  if (is.character(value) && length(value) == 1L) return(value)
  if (!is.numeric(value) || length(value) == 0L || anyNA(value)) {
    bsl_abort(sprintf("set$%s must be a number, a numeric vector or a numeric matrix (or a string in bsl syntax); got %s",
                      name, class(value)[[1L]]), class = "bsl_usage_error")
  }
  if (is.matrix(value)) {
    rows <- apply(value, 1L, function(r) paste0("[", paste(vapply(r, number_text, ""), collapse = ", "), "]"))
    return(paste0("[", paste(rows, collapse = ", "), "]"))
  }
  if (length(value) == 1L) return(number_text(value))
  paste0("[", paste(vapply(value, number_text, ""), collapse = ", "), "]")
}

# The shortest of 15 or 17 significant digits that reads back as the same double.
number_text <- function(x) {
  s <- sprintf("%.15g", x)
  if (as.numeric(s) != x) s <- sprintf("%.17g", x)
  s
}

check_file <- function(file, what = "scheme file") {
  if (!is.character(file) || length(file) != 1L || is.na(file) || !nzchar(file)) {
    bsl_abort(sprintf("the %s must be one path (a character string)", what), class = "bsl_usage_error")
  }
  path.expand(file)
}

check_count <- function(x, name) {
  if (is.null(x)) return(NULL)
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || x != round(x) || x < 1) {
    bsl_abort(sprintf("`%s` must be one whole number of at least 1", name), class = "bsl_usage_error")
  }
  format(x, scientific = FALSE)
}

check_seed <- function(x) {
  if (is.null(x)) return(NULL)
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || x != round(x) || x < 0) {
    bsl_abort("`seed` must be one whole number of at least 0", class = "bsl_usage_error")
  }
  format(x, scientific = FALSE)
}

# The environment for bsl's processes. R's start-up script (etc/ldpaths) puts R's library folders,
# including the system's, in front of LD_LIBRARY_PATH; a Python built elsewhere (pyenv, conda) would
# then load the system's libpython and fail to import its own modules. Drop what R added.
child_env <- function() {
  env <- Sys.getenv()
  current <- env[["LD_LIBRARY_PATH"]]
  if (is.null(current) || !nzchar(current)) return(NULL)
  added <- r_ld_library_path()
  if (!nzchar(added)) return(NULL)
  if (!startsWith(current, added)) return(NULL)
  # R run from R (R CMD check, Rscript in a script) adds its folders once per level
  while (startsWith(current, added)) {
    rest <- substring(current, nchar(added) + 1L)
    if (nzchar(rest) && !startsWith(rest, ":")) break
    current <- sub("^:", "", rest)
  }
  if (nzchar(current)) env[["LD_LIBRARY_PATH"]] <- current else env <- env[names(env) != "LD_LIBRARY_PATH"]
  env
}

r_ld_library_path <- function() {
  if (!is.null(.bslr$r_ld)) return(.bslr$r_ld)
  ldpaths <- file.path(R.home("etc"), "ldpaths")
  value <- ""
  if (.Platform$OS.type == "unix" && file.exists(ldpaths) && nzchar(Sys.which("sh"))) {
    script <- sprintf("unset LD_LIBRARY_PATH R_LD_LIBRARY_PATH; R_HOME='%s'; . '%s' >/dev/null 2>&1; printf %%s \"$LD_LIBRARY_PATH\"",
                      R.home(), ldpaths)
    value <- tryCatch(processx::run("sh", c("-c", script), error_on_status = FALSE)$stdout,
                      error = function(e) "")
  }
  .bslr$r_ld <- value
  value
}
