"""Random streams: one torch generator per replicate, derived from the run's one seed.

Every kernel draws through the functions here, with either a single ``torch.Generator`` (one
stream for the whole batch) or ``ReplicateStreams`` (one stream per replicate). With per-replicate
streams a replicate's draws depend only on the seed and its replicate number, so replicate 17
gives the same values whether it ran in a batch of 50, of 10,000, or alone.
"""
from __future__ import annotations

from typing import Sequence, Union

import numpy as np
import torch


class ReplicateStreams:
    """Generators for replicates ``replicate_ids`` of a run seeded with ``seed`` (numpy SeedSequence)."""

    def __init__(self, seed_sequences: Sequence[np.random.SeedSequence], device: torch.device):
        self.device = torch.device(device)
        self.generators = []
        for ss in seed_sequences:
            g = torch.Generator(device=self.device)
            g.manual_seed(int(ss.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)))
            self.generators.append(g)

    @classmethod
    def for_replicates(cls, root: np.random.SeedSequence, first: int, count: int, device) -> "ReplicateStreams":
        """Streams of replicates first..first+count-1 of the children of `root` (a stable mapping)."""
        children = [np.random.SeedSequence(root.entropy, spawn_key=root.spawn_key + (r,),
                                           pool_size=root.pool_size) for r in range(first, first + count)]
        return cls(children, device)

    def __len__(self) -> int:
        return len(self.generators)


Streams = Union[torch.Generator, ReplicateStreams]


def _check_count(streams: ReplicateStreams, R: int) -> None:
    if len(streams) != R:
        raise ValueError(f"{len(streams)} replicate streams for a batch of {R} replicates")


def _per_replicate(streams: ReplicateStreams, draw, R: int) -> torch.Tensor:
    _check_count(streams, R)
    return torch.stack([draw(g) for g in streams.generators])


def rand(streams: Streams, R: int, shape: tuple, *, dtype=torch.float64, device=None) -> torch.Tensor:
    """Uniform [0, 1) numbers shaped (R, *shape): row r from replicate r's stream."""
    if isinstance(streams, torch.Generator):
        return torch.rand((R,) + tuple(shape), dtype=dtype, generator=streams, device=device)
    _check_count(streams, R)
    # Drawn in place, row by row: the same numbers as torch.rand per stream, without a stack's copy.
    out = torch.empty((R,) + tuple(shape), dtype=dtype, device=device)
    for row, g in zip(out, streams.generators):
        row.uniform_(generator=g)
    return out


def randn(streams: Streams, R: int, shape: tuple, *, dtype=torch.float64, device=None) -> torch.Tensor:
    """Standard normal numbers shaped (R, *shape)."""
    if isinstance(streams, torch.Generator):
        return torch.randn((R,) + tuple(shape), dtype=dtype, generator=streams, device=device)
    return _per_replicate(streams, lambda g: torch.randn(tuple(shape), dtype=dtype, generator=g, device=device), R)


def randint(streams: Streams, high: int, R: int, shape: tuple, *, device=None) -> torch.Tensor:
    """Integers in [0, high) shaped (R, *shape)."""
    if isinstance(streams, torch.Generator):
        return torch.randint(0, high, (R,) + tuple(shape), generator=streams, device=device)
    return _per_replicate(streams, lambda g: torch.randint(0, high, tuple(shape), generator=g, device=device), R)


def poisson(streams: Streams, rates: torch.Tensor) -> torch.Tensor:
    """Poisson counts for rates (R, ...): row r from replicate r's stream."""
    if isinstance(streams, torch.Generator):
        return torch.poisson(rates, generator=streams)
    if len(streams) != rates.shape[0]:
        raise ValueError(f"{len(streams)} replicate streams for rates of {rates.shape[0]} replicates")
    return torch.stack([torch.poisson(rates[r], generator=g) for r, g in enumerate(streams.generators)])


def rand_ragged(streams: Streams, counts: torch.Tensor, *, dtype=torch.float64, device=None) -> torch.Tensor:
    """counts[r] uniforms for each replicate r, concatenated in replicate order."""
    if isinstance(streams, torch.Generator):
        return torch.rand(int(counts.sum()), dtype=dtype, generator=streams, device=device)
    sizes = counts.tolist()
    return torch.cat([torch.rand(n, dtype=dtype, generator=g, device=device)
                      for n, g in zip(sizes, streams.generators)])
