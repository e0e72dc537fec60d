# Finding the `bsl` executable and the Python interpreter that runs it.

#' @noRd
.bslr <- new.env(parent = emptyenv())

#' Where the bsl executable is
#'
#' Looks, in order, at the option \code{bslr.bsl}, the environment variable
#' \code{BSL_EXECUTABLE}, and the \code{PATH}.
#'
#' @param required If \code{TRUE} (the default), signal an error of class
#'   \code{bsl_not_found} saying how to install or point at bsl when it is
#'   not found; if \code{FALSE}, return \code{NA} instead.
#' @return The path of the executable, a character string.
#' @examples
#' bsl_executable(required = FALSE)
#' @export
bsl_executable <- function(required = TRUE) {
  candidates <- c(option = getOption("bslr.bsl", ""),
                  env = Sys.getenv("BSL_EXECUTABLE", ""),
                  path = unname(Sys.which("bsl")))
  for (where in names(candidates)) {
    path <- path.expand(candidates[[where]])
    if (!nzchar(path)) next
    if (file.exists(path) && !dir.exists(path)) return(normalizePath(path))
    if (where != "path" && required) {
      what <- if (where == "option") "option bslr.bsl" else "environment variable BSL_EXECUTABLE"
      bsl_abort(sprintf("the %s names `%s`, which does not exist; point it at the `bsl` executable (e.g. .venv/bin/bsl)",
                        what, path), class = "bsl_not_found")
    }
  }
  if (!required) return(NA_character_)
  bsl_abort(paste0(
    "cannot find the `bsl` executable.\n",
    "Install bsl (pip install bsl, or bash scripts/setup.sh in its repository), then either put it on the PATH, ",
    "set options(bslr.bsl = \"/path/to/bsl\") or set the environment variable BSL_EXECUTABLE."),
    class = "bsl_not_found")
}

#' Is bsl installed?
#'
#' @return \code{TRUE} when \code{\link{bsl_executable}} finds the executable.
#' @examples
#' bsl_available()
#' @export
bsl_available <- function() {
  !is.na(tryCatch(bsl_executable(required = FALSE), bsl_error = function(e) NA_character_))
}

# The Python that runs bsl: option bslr.python, BSL_PYTHON, the script's #! line, or python next to it.
bsl_python <- function(bsl = bsl_executable()) {
  explicit <- c(getOption("bslr.python", ""), Sys.getenv("BSL_PYTHON", ""))
  explicit <- explicit[nzchar(explicit)]
  if (length(explicit)) return(path.expand(explicit[[1L]]))
  first <- tryCatch(suppressWarnings(readLines(bsl, n = 1L, warn = FALSE)), error = function(e) "")
  if (length(first) == 1L && startsWith(first, "#!")) {
    words <- strsplit(trimws(substring(first, 3L)), "[[:space:]]+")[[1L]]
    if (length(words) >= 1L && basename(words[[1L]]) == "env" && length(words) >= 2L) {
      found <- Sys.which(words[[2L]])
      if (nzchar(found)) return(unname(found))
    } else if (length(words) >= 1L && file.exists(words[[1L]])) {
      return(words[[1L]])
    }
  }
  for (name in c("python", "python3")) {
    sibling <- file.path(dirname(bsl), name)
    if (file.exists(sibling)) return(sibling)
  }
  NA_character_
}
