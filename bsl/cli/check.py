"""`bsl check FILE`: every syntax and semantic error at once; exit 1 if there is any."""
from __future__ import annotations

import sys
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def check(file: Path = typer.Argument(..., help="scheme file"),
              set_: list[str] = typer.Option([], "--set", help="override a constant: name=value")) -> None:
        """Check a scheme and the data files it names, without running it."""
        from bsl.api import check as check_scheme
        from bsl.cli.options import parse_sets
        check_scheme(file, overrides=parse_sets(set_))
        print(f"{file}: ok", file=sys.stderr)
