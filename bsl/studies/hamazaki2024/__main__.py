"""`python -m bsl.studies.hamazaki2024`."""
import sys

from bsl.studies.hamazaki2024.cli import main

sys.exit(main())
