"""QTL tables: trait loci and effects given by the user in a CSV (chromosome, locus, effect[, dominance])."""
from __future__ import annotations

import csv

import numpy as np

from bsl.diagnostics import DataError


def read_qtl_csv(path: str, loci_per_chromosome: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Return (global locus index (Q,), additive effect (Q,), dominance effect (Q,) or None).

    Columns: `chromosome` (1-based), `locus` (1-based position within the chromosome),
    `effect`, and optionally `dominance`. Loci must exist in the genome and appear once.
    """
    offsets = np.concatenate([[0], np.cumsum(loci_per_chromosome)])
    idx, eff, dom = [], [], []
    try:
        fh = open(path, newline="", encoding="utf-8")
    except OSError as err:
        raise DataError(f"cannot read QTL file: {err.strerror}", path=path, code="BSL501") from None
    with fh:
        reader = csv.DictReader(fh)
        need = {"chromosome", "locus", "effect"}
        if not reader.fieldnames or not need <= set(reader.fieldnames):
            raise DataError("a QTL table needs columns chromosome, locus, effect", path=path, line=1,
                            code="BSL502", hint="add a header line: chromosome,locus,effect[,dominance]")
        has_dom = "dominance" in reader.fieldnames
        for line, row in enumerate(reader, start=2):
            try:
                c, j, a = int(row["chromosome"]), int(row["locus"]), float(row["effect"])
                d = float(row["dominance"]) if has_dom else 0.0
            except (TypeError, ValueError):
                raise DataError("chromosome and locus must be whole numbers and effect a number", path=path,
                                line=line, code="BSL502") from None
            if not 1 <= c <= len(loci_per_chromosome):
                raise DataError(f"chromosome {c} does not exist (the genome has {len(loci_per_chromosome)})",
                                path=path, line=line, code="BSL506")
            if not 1 <= j <= loci_per_chromosome[c - 1]:
                raise DataError(f"locus {j} does not exist on chromosome {c} "
                                f"(it has {loci_per_chromosome[c - 1]} loci)", path=path, line=line, code="BSL506")
            g = int(offsets[c - 1] + j - 1)
            if g in idx:
                raise DataError(f"locus {c}:{j} is listed twice", path=path, line=line, code="BSL506")
            idx.append(g)
            eff.append(a)
            dom.append(d)
    if not idx:
        raise DataError("the QTL table has no rows", path=path, code="BSL502")
    order = np.argsort(idx)
    return (np.asarray(idx)[order], np.asarray(eff)[order], np.asarray(dom)[order] if has_dom else None)
