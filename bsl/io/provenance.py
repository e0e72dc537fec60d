"""Provenance for manifests: versions of the packages a run depends on, and text hashes."""
from __future__ import annotations

import hashlib
import platform
import sys
from importlib import metadata

#: Distributions whose versions every manifest records (read from metadata; nothing is imported).
# cma: CMA-ES's samples, and so an `optimize ... with cma` run's trace, depend on its version
TRACKED_PACKAGES = ("bsl", "numpy", "torch", "msprime", "pandas", "pyarrow", "lark", "kmedoids", "cma")


def package_versions() -> dict:
    """``{"python": ..., "platform": ..., "<package>": version or None if not installed}``.

    Uses ``importlib.metadata``, so torch and lark are not imported (the io layer must not).
    """
    versions: dict = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    if versions["bsl"] is None:  # running from a source tree that is not installed
        from bsl import __version__

        versions["bsl"] = __version__
    return versions


def sha256_text(text: str) -> str:
    """SHA-256 hex digest of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
