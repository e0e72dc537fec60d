"""Options shared by several commands."""
from __future__ import annotations

from bsl.diagnostics import BslError, Diagnostic


def parse_sets(values: list[str]) -> dict[str, str]:
    """`--set name=value` arguments as a dict; a malformed one is a usage error."""
    out: dict[str, str] = {}
    for v in values:
        if "=" not in v or not v.split("=", 1)[0].strip():
            raise BslError(Diagnostic("BSL004", f"--set expects name=value, got `{v}`", path="<command line>",
                                      hint="e.g. --set n_parents=20"))
        name, value = v.split("=", 1)
        out[name.strip()] = value.strip()
    return out


def set_threads(threads: int | None) -> None:
    """Torch's intra-op threads for this process. The CLI defaults to 1: bsl batches replicates
    into a few hundred small ops per cycle, where extra threads cost more than they give (and much
    more on a busy machine); raise it for very large populations."""
    import torch
    if threads is not None and threads < 1:
        raise BslError(Diagnostic("BSL004", f"--threads must be at least 1, got {threads}", path="<command line>"))
    torch.set_num_threads(threads or 1)
