"""Studies: whole reproductions of published results, each one command that runs a set of schemes
and writes a page under docs/reproductions/ (`python -m bsl.studies.hamazaki2024 --out DIR`)."""
