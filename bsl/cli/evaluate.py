"""`bsl evaluate FILE --model NAME --out DIR`: a trained model's samples against the real data it did not see."""
from __future__ import annotations

import sys
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def evaluate(file: Path = typer.Argument(..., help="scheme file"),
                 model: str = typer.Option(..., "--model", "-m", help="the model to evaluate"),
                 out: Path = typer.Option(..., "--out", "-o", help="folder for metrics.json and metrics.md"),
                 seed: int = typer.Option(0, "--seed", help="seed of the synthetic sample and the subsampling"),
                 threads: int = typer.Option(None, "--threads", help="torch threads (default: torch's choice)"),
                 set_: list[str] = typer.Option([], "--set", help="override a constant: name=value")) -> None:
        """Score a trained model: allele frequencies, LD, k-NN precision/recall, privacy (Xie et al. 2025)."""
        from bsl.api import evaluate as evaluate_scheme, load
        from bsl.cli.options import parse_sets, set_threads
        from bsl.cli.progress import Progress
        if threads is not None:
            set_threads(threads)
        graph = load(file, overrides=parse_sets(set_))
        with Progress() as progress:
            result = evaluate_scheme(graph, model=model, out=out, random_seed=seed, status=progress.status)
        from bsl.genai.training import metrics_markdown
        print(metrics_markdown(result), file=sys.stderr)
        print(f"metrics written to {out}/", file=sys.stderr)
