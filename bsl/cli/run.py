"""`bsl run FILE`: simulate a scheme; results to --out, a summary table on stderr, --json on stdout."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def run(file: Path = typer.Argument(..., help="scheme file"),
            reps: int = typer.Option(None, "--reps", "-r", help="replicates (overrides `replicates`)"),
            seed: int = typer.Option(None, "--seed", "-s", help="random seed (overrides `seed`)"),
            out: Path = typer.Option(None, "--out", "-o", help="folder for cycles.csv/.parquet, objectives.csv, manifest.json"),
            device: str = typer.Option("cpu", "--device", help="cpu or cuda"),
            set_: list[str] = typer.Option([], "--set", help="override a constant: name=value"),
            json_: bool = typer.Option(False, "--json", help="print a JSON summary on stdout"),
            workers: int = typer.Option(None, "--workers", help="processes for coalescent founders (default: all cores)"),
            batch_size: int = typer.Option(None, "--batch-size", help="replicates per batch (default: by memory)"),
            threads: int = typer.Option(1, "--threads", help="torch threads (default 1; see docs/performance.md)"),
            format_: str = typer.Option("csv", "--format",
                                        help="csv: cycles.csv/.parquet, objectives.csv, manifest.json; rds: also "
                                             "results.rds for R's readRDS (needs rpy2: pip install 'bsl[r]')"),
            ) -> None:
        """Run a scheme."""
        from bsl.api import run as run_scheme
        from bsl.cli.options import parse_sets
        from bsl.cli.progress import Progress
        if reps is not None and reps < 1:
            raise typer.BadParameter("must be at least 1", param_hint="--reps")
        from bsl.api import load
        from bsl.cli.options import set_threads
        set_threads(threads)
        if format_ not in ("csv", "rds"):
            raise typer.BadParameter(f"expected csv or rds, got {format_!r}", param_hint="--format")
        if format_ == "rds" and out is None:
            raise typer.BadParameter("rds results are written into the --out folder; add --out DIR",
                                     param_hint="--format")
        graph = load(file, overrides=parse_sets(set_))
        if graph.program.optimize is not None:  # optimize, then evaluate the best values
            from bsl.cli.optimize import run_optimization
            return run_optimization(graph, out=out, resume=None, device=device, json_=json_)
        with Progress() as progress:
            result = run_scheme(graph, reps=reps, seed=seed, device=device, overrides=parse_sets(set_), out=out,
                                workers=workers, batch_size=batch_size, progress=progress.update,
                                status=progress.status)
        progress.table(result)
        if format_ == "rds":
            write_rds_results(result, out)
        if out is not None:
            print(f"results written to {out}/", file=sys.stderr)
        if json_:
            print(json.dumps(result.summary(), indent=2))


def write_rds_results(result, out: Path) -> None:
    """results.rds in `out`: the object bslr::bsl_run() returns; rpy2 or R missing is a usage error.

    Written from the files just written (not the in-memory result), so it is exactly what
    `python -m bsl.bridge.rds OUT FILE.rds` and bslr's CSV reader give (manifest keys in file order)."""
    from bsl.api import write_output
    from bsl.bridge.rds import RUnavailable, write_rds
    from bsl.diagnostics import BslError, Diagnostic
    from bsl.io.results import read_results
    try:
        write_output(lambda: write_rds(read_results(out), out / "results.rds"), out)
    except RUnavailable as exc:
        raise BslError(Diagnostic("BSL007", f"cannot write results.rds: {exc}", path="<command line>",
                                  hint="install R and rpy2 (`pip install 'bsl[r]'`), or leave out --format rds; "
                                       "the CSV results are written")) from None
