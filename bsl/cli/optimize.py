"""`bsl optimize FILE --out DIR`: tune the `optimize` block's parameter; `--resume DIR` continues a run."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def optimize(file: Path = typer.Argument(..., help="scheme file with an `optimize` block"),
                 out: Path = typer.Option(None, "--out", "-o", help="folder for trace.csv, best.json and final/"),
                 resume: Path = typer.Option(None, "--resume", help="continue the interrupted run in this folder"),
                 device: str = typer.Option("cpu", "--device", help="cpu or cuda"),
                 set_: list[str] = typer.Option([], "--set", help="override a constant: name=value"),
                 json_: bool = typer.Option(False, "--json", help="print a JSON summary on stdout"),
                 threads: int = typer.Option(1, "--threads", help="torch threads (default 1)")) -> None:
        """Optimize a scheme's parameter (StoSOO, CMA-ES or random search)."""
        from bsl.api import load
        from bsl.cli.options import parse_sets, set_threads
        set_threads(threads)
        run_optimization(load(file, overrides=parse_sets(set_)), out=out, resume=resume, device=device,
                         json_=json_)


def run_optimization(graph, *, out: Path | None, resume: Path | None, device: str, json_: bool) -> None:
    from bsl.cli.progress import Progress
    from bsl.diagnostics import BslError, Diagnostic
    from bsl.optimize.search import run_search
    if resume is not None and out is not None and Path(out) != Path(resume):
        raise BslError(Diagnostic("BSL005", "give either --out or --resume, not both", path="<command line>"))
    folder = resume or out
    if folder is None:
        raise BslError(Diagnostic("BSL005", "an optimization needs a folder for its checkpoint",
                                  path="<command line>", hint="add --out DIR (or --resume DIR to continue)"))
    with Progress(unit="evaluations") as progress:
        result = run_search(graph, folder, resume=resume is not None, device=device,
                            progress=progress.evaluation, status=progress.status)
    values = ", ".join(f"{n} = {v:.4g}" for n, v in zip(result.param.names(), result.best_values))
    print(f"best {result.param.name}: {values}", file=sys.stderr)
    print(f"estimated objective {result.best_mean:.6g} after {result.evaluations} evaluations "
          f"({result.wall_seconds:.1f} s)", file=sys.stderr)
    summary = {"param": result.param.name, "values": dict(zip(result.param.names(), result.best_values)),
               "estimated_objective": result.best_mean, "evaluations": result.evaluations,
               "wall_seconds": round(result.wall_seconds, 3), "final": {}}
    for strategy, res in result.final.items():
        summary["final"][strategy] = res.summary()["objectives"]
        for name, s in res.summary()["objectives"].items():
            print(f"final {strategy}: {name} mean {s['mean']:.4g}, sd {s['sd']:.4g}, n {s['n']}", file=sys.stderr)
    print(f"results written to {folder}/", file=sys.stderr)
    if json_:
        print(json.dumps(summary, indent=2))
