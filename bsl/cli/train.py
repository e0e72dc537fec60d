"""`bsl train FILE [--model NAME]`: train a scheme's generative models and save them for `founders ... from model`."""
from __future__ import annotations

import sys
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def train(file: Path = typer.Argument(..., help="scheme file"),
              model: str = typer.Option(None, "--model", "-m", help="train only this model (default: all)"),
              device: str = typer.Option("cpu", "--device", help="cpu or cuda"),
              threads: int = typer.Option(None, "--threads", help="torch threads (default: torch's choice)"),
              set_: list[str] = typer.Option([], "--set", help="override a constant: name=value")) -> None:
        """Train the scheme's models; each is saved as weights.safetensors + model.json in its folder."""
        from bsl.api import load, train as train_scheme
        from bsl.cli.options import parse_sets, set_threads
        from bsl.cli.progress import Progress
        if threads is not None:
            set_threads(threads)
        graph = load(file, overrides=parse_sets(set_))
        with Progress(unit="epochs") as progress:
            done = train_scheme(graph, model=model, device=device, progress=progress.training, status=progress.status)
        for m in done:
            log = m["training"]
            print(f"model {m['name']}: {log['family']} trained on {m['data']['train_individuals']} individuals x "
                  f"{m['data']['loci']} loci in {log['seconds']:.1f} s (stopped by {log['stopped_by']}); "
                  f"saved in {Path(m['path']) if 'path' in m else ''}", file=sys.stderr)
