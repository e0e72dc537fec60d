"""`python -m bsl` is `bsl`."""
from bsl.cli.main import entry

entry()
