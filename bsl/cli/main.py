"""The `bsl` command: a thin typer app; each command lives in its own module and imports lazily."""
from __future__ import annotations

import sys
import traceback

import typer

from bsl import __version__

EXIT_OK, EXIT_SCHEME, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 101

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="bsl — a language for breeding schemes. `bsl run FILE` runs one.")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bsl {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="Print the version and exit.")) -> None:
    """bsl — a language for breeding schemes."""


def _register() -> None:
    from bsl.cli import check, evaluate, explain, fmt, optimize, run, train
    for module in (run, optimize, train, evaluate, check, fmt, explain):
        module.register(app)


def entry() -> None:
    """Console entry point: maps every outcome to an exit code; user errors never show a traceback."""
    from bsl.diagnostics import BslError
    _register()
    try:
        sys.exit(app(standalone_mode=False) or 0)
    except BslError as err:
        print(err.render(), file=sys.stderr)
        n = len(err.diagnostics)
        print(f"{n} error{'s' if n != 1 else ''} found", file=sys.stderr)
        code = EXIT_SCHEME
        if all(d.code.startswith("BSL0") or d.path == "<command line>" for d in err.diagnostics):
            code = EXIT_USAGE
        sys.exit(code)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as e:
        if isinstance(e, typer.exceptions.TyperException) and hasattr(e, "show"):  # usage errors
            e.show(file=sys.stderr)
            sys.exit(EXIT_USAGE)
        traceback.print_exc(file=sys.stderr)
        print(f"\nerror[BSL900]: internal error in bsl {__version__}: {type(e).__name__}: {e}\n"
              "This is a bug in bsl, not in your scheme. Please report it with the scheme and the "
              "command you ran.", file=sys.stderr)
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    entry()
