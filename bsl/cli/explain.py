"""`bsl explain FILE`: print the execution graph and every resolved default."""
from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def explain(file: Path = typer.Argument(..., help="scheme file"),
                set_: list[str] = typer.Option([], "--set", help="override a constant: name=value")) -> None:
        """Show what a scheme compiles to."""
        from bsl.api import load
        from bsl.cli.options import parse_sets
        from bsl.optimize.search import describe
        graph = load(file, overrides=parse_sets(set_))
        text = graph.explain()
        extra = describe(graph.program)
        print(text + ("\n\n" + extra if extra else ""))
