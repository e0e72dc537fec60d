"""bsl: a domain-specific language for breeding schemes, compiled to an execution graph and run on PyTorch.

    import bsl
    res = bsl.run("scheme.bsl", reps=50, seed=1)   # RunResult with pandas DataFrames
    res.cycles; res.objectives; res.manifest
"""
__version__ = "0.1.0"

from bsl.api import RunResult, check, load, run  # noqa: E402
from bsl.diagnostics import BslError, Diagnostic  # noqa: E402

__all__ = ["run", "check", "load", "RunResult", "BslError", "Diagnostic", "__version__"]
