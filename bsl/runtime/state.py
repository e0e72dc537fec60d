"""Population state batched over replicates: packed haplotypes, validity, families and cached values."""
from __future__ import annotations

from dataclasses import dataclass, field

import torch


@dataclass
class Population:
    haplotypes: torch.Tensor  # (R, N, 2, W) int64, bit-packed
    valid: torch.Tensor  # (R, N) bool; padded slots are False
    family: torch.Tensor  # (R, N) int64: the pair (or parent) each individual came from
    num_families: int
    phenotypes: torch.Tensor | None = None  # (R, N, T) once phenotyped
    cache: dict = field(default_factory=dict)  # dosages, alleles, gv: derived from haplotypes
    # For a selected population: the population it was selected from and the indices (R, K)
    # taken; individual features of its mating pairs are evaluated there (see executor).
    origin: tuple["Population", torch.Tensor] | None = None

    @property
    def size(self) -> int:
        return self.haplotypes.shape[1]

    def take(self, idx: torch.Tensor, valid: torch.Tensor) -> "Population":
        """Individuals idx (R, K) of each replicate, with their cached values."""
        R, K = idx.shape
        hap = torch.gather(self.haplotypes, 1, idx.view(R, K, 1, 1).expand(R, K, *self.haplotypes.shape[2:]))
        out = Population(hap, valid & self.valid.gather(1, idx), self.family.gather(1, idx), self.num_families)
        if self.phenotypes is not None:
            out.phenotypes = _gather_rows(self.phenotypes, idx)
        for key in ("dosage", "gv", "alleles"):
            if key in self.cache:
                out.cache[key] = _gather_rows(self.cache[key], idx)
        return out


@dataclass
class PairSet:
    parents: Population
    mothers: torch.Tensor  # (R, P) int64 into parents
    fathers: torch.Tensor  # (R, P)
    valid: torch.Tensor  # (R, P) bool
    counts: torch.Tensor | None = None  # (R, P) int64 progeny per pair, after `allocate`
    total: int | None = None  # progeny slots made by `cross`


def _gather_rows(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    R, K = idx.shape
    return torch.gather(x, 1, idx.view(R, K, *([1] * (x.dim() - 2))).expand(R, K, *x.shape[2:]))


def concat(a: Population, b: Population) -> Population:
    """Two populations side by side (used by factorial mating)."""
    out = Population(torch.cat([a.haplotypes, b.haplotypes], 1), torch.cat([a.valid, b.valid], 1),
                     torch.cat([a.family, b.family + a.num_families], 1), a.num_families + b.num_families)
    if a.phenotypes is not None and b.phenotypes is not None:
        out.phenotypes = torch.cat([a.phenotypes, b.phenotypes], 1)
    return out
