#!/usr/bin/env bash
# Set up the R side of bsl: R and the R packages bslr needs (from Debian; CRAN is not used), rpy2 in
# ./.venv (the `r` extra), and the bslr package from rbridge/. Idempotent; run after scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

R_DEBS=(r-base-core r-cran-testthat r-cran-jsonlite r-cran-processx r-cran-withr r-cran-r6)
missing=()
for pkg in "${R_DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup-r.sh: .venv is missing; run scripts/setup.sh first" >&2
  exit 2
fi
# rpy2 3.6 cannot be imported with R 4.2 (Debian 12): the `r` extra pins below it.
.venv/bin/python -m pip install --quiet -e '.[r]'
# an R library the current user can write to when the site library is not writable
if [ ! -w "$(Rscript -e 'cat(.libPaths()[1])')" ]; then
  mkdir -p "${R_LIBS_USER:-$HOME/R/library}"
  export R_LIBS_USER="${R_LIBS_USER:-$HOME/R/library}"
fi
R CMD INSTALL --no-test-load rbridge >/dev/null
echo "setup-r.sh: $(R --version | head -n 1); rpy2 $(.venv/bin/python -c 'import rpy2; print(rpy2.__version__)'); bslr installed" >&2
