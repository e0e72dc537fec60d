"""bsl: a domain-specific language for breeding schemes, compiled to an execution graph and run on PyTorch.

    import bsl
    res = bsl.run("scheme.bsl", reps=50, seed=1)   # RunResult with pandas DataFrames
    res.cycles; res.objectives; res.manifest
"""
__version__ = "0.1.0"

__all__ = ["run", "check", "load", "RunResult", "BslError", "Diagnostic", "__version__"]


def __getattr__(name: str):
    # Lazy, so that `import bsl.runtime...` does not pull in the front end (lark) and vice versa.
    if name in ("run", "check", "load", "RunResult"):
        from bsl import api
        return getattr(api, name)
    if name in ("BslError", "Diagnostic"):
        from bsl import diagnostics
        return getattr(diagnostics, name)
    raise AttributeError(f"module 'bsl' has no attribute {name!r}")
