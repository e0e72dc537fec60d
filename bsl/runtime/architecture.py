"""The genetic architecture of a run: founders loaded, the genome laid out, QTL and effects drawn."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bsl.diagnostics import BslError, DataError, Diagnostic
from bsl.io.founders import FounderSet
from bsl.io.qtl_table import read_qtl_csv
from bsl.ir import nodes as ir
from bsl.runtime.founders import data_error as _data_error, founder_seeds, load_founders
from bsl.runtime.genome import GenomeLayout


@dataclass
class Architecture:
    """Everything drawn once per run and shared by every replicate (as in Hamazaki & Iwata 2024)."""

    full_layout: GenomeLayout  # every locus of the founders
    layout: GenomeLayout  # the loci simulated (all, or only the QTL after the observed-loci pass)
    kept_loci: np.ndarray  # (L_sim,) global indices into full_layout
    founders: dict[str, np.ndarray]  # name -> (N, 2, W) packed int64 on `layout`
    founder_names: dict[str, list[str]]
    qtl: np.ndarray  # (Q,) indices into `layout`
    qtl_global: np.ndarray  # (Q,) indices into full_layout
    additive: np.ndarray  # (Q, T)
    dominance: np.ndarray | None  # (Q, T)
    founder_provenance: dict[str, dict]


def build_architecture(program: ir.Program, simulate_loci: str, *, cache_dir: str | None = None,
                       workers: int = 1, status=None) -> Architecture:
    trait_ss = np.random.SeedSequence(program.seed).spawn(2)[1]
    sets: dict[str, FounderSet] = {}
    prov: dict[str, dict] = {}
    for spec, s in zip(program.founders, founder_seeds(program)):
        if status is not None:
            status(f"founders `{spec.name}`: " + ("coalescent (msprime; simulated once, then cached)"
                                                   if spec.source == "coalescent" else
                                                   f"{spec.sample} sampled from model `{spec.model}`"
                                                   if spec.source == "model" else f"reading {spec.path}"))
        sets[spec.name], prov[spec.name] = load_founders(program, spec, int(s), cache_dir, workers)
    first = program.founders[0]
    ref = sets[first.name]
    for spec in program.founders[1:]:
        other = sets[spec.name]
        if other.positions_morgans.shape != ref.positions_morgans.shape or \
                not np.allclose(other.positions_morgans, ref.positions_morgans):
            hint = "all founder sets must share one set of loci"
            if "model" in (spec.source, first.source):
                hint = ("a model samples the loci it was trained on; coalescent loci change with the seed, so give "
                        "the founders block its own `seed` (e.g. `seed 1`) and train the model on those")
            raise BslError(Diagnostic("BSL508", f"founders `{spec.name}` are not on the same genetic map as "
                                      f"`{first.name}`", spec.span, hint))
    map_function = program.genome.map_function if program.genome else "haldane"
    full = GenomeLayout.from_positions(ref.positions_by_chromosome(), map_function)
    rng = np.random.default_rng(trait_ss)
    qtl_global, additive, dominance = _draw_traits(program, full, ref, rng)
    if simulate_loci == "qtl":
        kept = np.unique(qtl_global)
        layout = full.subset(kept)
        qtl = np.searchsorted(kept, qtl_global)
    else:
        kept = np.arange(full.num_loci)
        layout, qtl = full, qtl_global
    packed = {name: layout.pack(fs.haplotypes[:, :, kept]) for name, fs in sets.items()}
    return Architecture(full, layout, kept, packed, {n: fs.names for n, fs in sets.items()}, qtl, qtl_global,
                        additive, dominance, prov)


def _draw_traits(program: ir.Program, layout: GenomeLayout, founders: FounderSet, rng: np.random.Generator):
    """The union of every trait's QTL with effect matrices (Q, T), zero where a locus is not a QTL."""
    T = len(program.traits)
    dosage = founders.haplotypes.sum(axis=1)  # (N, L)
    segregating = np.flatnonzero((dosage.min(axis=0) != dosage.max(axis=0)))
    per_trait: list[tuple[np.ndarray, np.ndarray, np.ndarray | None]] = []
    for spec in program.traits:
        if spec.qtl_path:
            try:
                idx, a, d = read_qtl_csv(spec.qtl_path, layout.loci_per_chromosome)
            except DataError as err:
                raise _data_error(err, spec.span, program) from None
            per_trait.append((idx, a, d))
            continue
        if spec.qtl_per_chromosome:
            idx = []
            for c in range(layout.num_chromosomes):
                lo, hi = layout.locus_offset[c], layout.locus_offset[c] + layout.loci_per_chromosome[c]
                pool = segregating[(segregating >= lo) & (segregating < hi)]
                if pool.size < spec.qtl_per_chromosome:
                    raise BslError(Diagnostic("BSL509", f"trait `{spec.name}`: chromosome {c + 1} has {pool.size} "
                                              f"segregating loci, fewer than {spec.qtl_per_chromosome} QTL",
                                              spec.span, "lower the QTL count or add loci"))
                idx.append(np.sort(rng.choice(pool, spec.qtl_per_chromosome, replace=False)))
            idx = np.concatenate(idx)
        else:
            n = int(spec.qtl_count or 0)
            if segregating.size < n:
                raise BslError(Diagnostic("BSL509", f"trait `{spec.name}`: {n} QTL asked but the founders have "
                                          f"{segregating.size} segregating loci", spec.span,
                                          "lower the QTL count or add loci"))
            idx = np.sort(rng.choice(segregating, n, replace=False))
        a = _draw(spec.effects, idx.size, rng)
        d = None
        if spec.dominance is not None:
            d = _draw(spec.dominance, idx.size, rng) * np.abs(a)  # dominance degree × |a| (AlphaSimR)
        per_trait.append((idx, a, d))
    union = np.unique(np.concatenate([t[0] for t in per_trait]))
    additive = np.zeros((union.size, T))
    dominance = np.zeros((union.size, T)) if any(t[2] is not None for t in per_trait) else None
    for j, (idx, a, d) in enumerate(per_trait):
        rows = np.searchsorted(union, idx)
        additive[rows, j] = a
        if d is not None and dominance is not None:
            dominance[rows, j] = d
    return union, additive, dominance


def _draw(dist: ir.Distribution, n: int, rng: np.random.Generator) -> np.ndarray:
    if dist.kind == "normal":
        mean, var = dist.params
        return rng.normal(mean, np.sqrt(var), n)
    if dist.kind == "gamma":
        shape, scale = dist.params
        return rng.gamma(shape, scale, n) * rng.choice([-1.0, 1.0], n)  # random sign, as AlphaSimR
    return np.full(n, dist.params[0], dtype=float)
