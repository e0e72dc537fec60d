"""Invariants of the batched executor's per-batch work: an optimizer's evaluation (objectives only)
gives the objectives a full run gives, and values kept with a population (breeding values, WBV) are
never carried to a population selected from it, whose allele frequencies differ."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from bsl.api import load
from bsl.runtime import executor as ex
from bsl.runtime.architecture import build_architecture
from bsl.runtime.kernels import features
from bsl.runtime.rng import ReplicateStreams

SCHEMES = Path(__file__).resolve().parents[1] / "verification" / "schemes"


def _context(name: str, cache_dir: Path):
    graph = load(SCHEMES / f"{name}.bsl")
    arch = build_architecture(graph.program, graph.simulate_loci, cache_dir=str(cache_dir), workers=1)
    return ex.Context(graph, arch, torch.device("cpu"), dict(graph.program.constants))


def _streams(seed: int, reps: int) -> ReplicateStreams:
    return ReplicateStreams.for_replicates(np.random.SeedSequence([seed, 7, 0]), 0, reps, "cpu")


@pytest.mark.parametrize("name", ["x3_inbreeding_objective", "v2_softmax_gvp", "v1_equal_diallel_wbv"])
def test_objectives_do_not_depend_on_recording_the_report(name, tmp_path):
    ctx = _context(name, tmp_path)
    with torch.no_grad():
        full = ex.execute_batch(ctx, 12, _streams(1, 12), record_metrics=True)
        bare = ex.execute_batch(ctx, 12, _streams(1, 12), record_metrics=False)
    assert full.metrics and not bare.metrics
    assert full.objectives.keys() == bare.objectives.keys()
    for key, values in full.objectives.items():
        np.testing.assert_array_equal(values, bare.objectives[key])


def test_breeding_values_are_kept_per_population_and_not_carried_by_selection(tmp_path):
    ctx = _context("v2_softmax_gvp", tmp_path)
    founders = ctx.founders[next(iter(ctx.founders))]
    R, N = 3, founders.shape[0]
    pop = ex.Population(founders.unsqueeze(0).expand(R, *founders.shape).contiguous(),
                        torch.ones(R, N, dtype=torch.bool), torch.arange(N).expand(R, N).contiguous(), N)
    wbv = ex.ir.TraitValue("weighted_breeding_value", 0)
    first = ex.feature_values(ctx, wbv, pop)
    assert ex.feature_values(ctx, wbv, pop) is first  # computed once per population
    idx = torch.argsort(first[..., 0], dim=1, descending=True)[:, :5]
    chosen = pop.take(idx, torch.ones(R, 5, dtype=torch.bool))
    assert not any(isinstance(k, tuple) for k in chosen.cache)  # only genotype reads travel
    again = ex.feature_values(ctx, wbv, chosen)
    fresh = features.weighted_breeding_values(ex.dosages(ctx, chosen), ctx.additive[:, :1], chosen.valid)
    torch.testing.assert_close(again, fresh, rtol=0, atol=0)
    # the parents' own allele frequencies weigh their WBV, not the founders'
    assert not torch.equal(again, torch.gather(first, 1, idx.unsqueeze(-1)))
