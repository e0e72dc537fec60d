"""FounderSet: the phased founder haplotypes and their genetic map, as every founder source returns them."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bsl.diagnostics import DataError


@dataclass(eq=False)  # arrays: compare with .equals()
class FounderSet:
    """Phased diploid founders on a genetic map.

    Attributes:
        haplotypes: ``uint8`` array ``(N, 2, L)`` of 0/1 alleles (1 is the counted allele);
            loci are concatenated chromosome by chromosome.
        chromosome: ``int32`` array ``(L,)``, the 0-based chromosome of each locus; loci of one
            chromosome are contiguous and chromosomes appear in order ``0, 1, ...``.
        positions_morgans: ``float64`` array ``(L,)``, map position in Morgans, strictly
            increasing within a chromosome.
        names: the ``N`` individual ids, unique.
        source: optional free text saying where the founders came from (file path, cache key).

    Arrays are coerced to the documented dtypes; anything inconsistent raises ``DataError``.
    """

    haplotypes: np.ndarray
    chromosome: np.ndarray
    positions_morgans: np.ndarray
    names: list[str]
    source: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        where = self.source
        haps = np.asarray(self.haplotypes)
        if haps.ndim != 3 or haps.shape[1] != 2:
            raise DataError(f"founder haplotypes must have shape (N, 2, L); got {haps.shape}",
                            path=where, code="BSL503")
        if haps.dtype != np.uint8:
            if haps.dtype.kind not in "biu":
                raise DataError(f"founder haplotypes must be integer 0/1 alleles; got dtype {haps.dtype}",
                                path=where, code="BSL502")
        if haps.size and (haps.min() < 0 or haps.max() > 1):
            raise DataError("founder haplotypes must contain only 0/1 alleles", path=where, code="BSL502",
                            hint="recode alleles as 0 (reference) and 1 (alternative)")
        self.haplotypes = np.ascontiguousarray(haps, dtype=np.uint8)
        n, _, num_loci = self.haplotypes.shape

        chrom = np.asarray(self.chromosome)
        pos = np.asarray(self.positions_morgans)
        if chrom.shape != (num_loci,) or pos.shape != (num_loci,):
            raise DataError(f"chromosome {chrom.shape} and positions {pos.shape} must both have shape "
                            f"({num_loci},), one entry per locus", path=where, code="BSL503")
        if chrom.size and chrom.dtype.kind not in "iu":
            raise DataError(f"chromosome indices must be integers; got dtype {chrom.dtype}",
                            path=where, code="BSL502")
        self.chromosome = np.ascontiguousarray(chrom, dtype=np.int32)
        self.positions_morgans = np.ascontiguousarray(pos, dtype=np.float64)
        _check_map(self.chromosome, self.positions_morgans, where)

        names = [str(x) for x in self.names]
        if len(names) != n:
            raise DataError(f"{len(names)} names for {n} individuals", path=where, code="BSL503")
        if len(set(names)) != n:
            dup = sorted({x for x in names if names.count(x) > 1})[:3]
            raise DataError(f"individual names must be unique; repeated: {', '.join(dup)}",
                            path=where, code="BSL502")
        self.names = names

    # -- shape helpers -------------------------------------------------------------------

    @property
    def num_individuals(self) -> int:
        return int(self.haplotypes.shape[0])

    @property
    def num_loci(self) -> int:
        return int(self.haplotypes.shape[2])

    @property
    def num_chromosomes(self) -> int:
        return int(self.chromosome[-1]) + 1 if self.chromosome.size else 0

    def loci_per_chromosome(self) -> np.ndarray:
        """Number of loci on each chromosome, ``(C,)`` int64."""
        return np.bincount(self.chromosome, minlength=self.num_chromosomes).astype(np.int64)

    def positions_by_chromosome(self) -> list[np.ndarray]:
        """Map positions in Morgans, one array per chromosome in order."""
        bounds = np.cumsum(self.loci_per_chromosome())[:-1]
        return [p.copy() for p in np.split(self.positions_morgans, bounds)]

    def dosages(self) -> np.ndarray:
        """Allele-1 dosage 0/1/2, ``(N, L)`` uint8."""
        return self.haplotypes.sum(axis=1, dtype=np.uint8)

    def equals(self, other: "FounderSet") -> bool:
        """True when both hold identical arrays and names (``source`` is ignored)."""
        return (self.names == other.names
                and np.array_equal(self.haplotypes, other.haplotypes)
                and np.array_equal(self.chromosome, other.chromosome)
                and np.array_equal(self.positions_morgans, other.positions_morgans))


def _check_map(chrom: np.ndarray, pos: np.ndarray, where: str | None) -> None:
    """Chromosomes contiguous and numbered 0.. in order; positions finite, >= 0, increasing within each."""
    if chrom.size == 0:
        raise DataError("founders have no loci", path=where, code="BSL505")
    if not np.all(np.isfinite(pos)) or pos.min() < 0:
        raise DataError("map positions must be finite and non-negative", path=where, code="BSL502")
    if chrom[0] != 0 or np.any(np.diff(chrom) < 0) or np.any(np.diff(chrom) > 1):
        raise DataError("chromosome indices must start at 0 and be grouped in order (0, 0, ..., 1, 1, ...)",
                        path=where, code="BSL502",
                        hint="sort loci by chromosome, then by position")
    same = chrom[1:] == chrom[:-1]
    bad = np.flatnonzero(same & (np.diff(pos) <= 0))
    if bad.size:
        j = int(bad[0]) + 1
        raise DataError(f"map positions must increase strictly within a chromosome; locus {j} "
                        f"(chromosome {int(chrom[j])}) is at {pos[j]!r} M after {pos[j - 1]!r} M",
                        path=where, code="BSL504", hint="sort loci by position and drop duplicates")
