"""`bsl fmt FILE`: rewrite a scheme in canonical layout (`--check` only reports)."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def fmt(files: list[Path] = typer.Argument(..., help="scheme files"),
            check: bool = typer.Option(False, "--check", help="exit 1 if a file is not formatted; change nothing")) -> None:
        """Format schemes canonically."""
        from bsl.api import _source
        from bsl.syntax.formatter import format_source
        unformatted = 0
        for f in files:
            source = _source(f)
            text = format_source(source)
            if text == source.text:
                continue
            if check:
                unformatted += 1
                print(f"{f}: would be reformatted", file=sys.stderr)
            else:
                fd, tmp = tempfile.mkstemp(dir=f.parent, prefix=f".{f.name}.", suffix=".tmp")
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                os.replace(tmp, f)
                print(f"{f}: formatted", file=sys.stderr)
        if unformatted:
            raise typer.Exit(1)
