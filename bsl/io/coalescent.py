"""Coalescent founders: msprime pools, MAF-filtered loci on a Haldane map, random mating, panel choice, disk cache."""
from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from bsl.diagnostics import DataError
from bsl.io.founders import FounderSet

#: Bumped whenever the simulation or the cache layout changes, so old cache files are never reused.
CACHE_FORMAT_VERSION = 1

#: Default longest stretch of a chromosome simulated as one linked msprime sequence (Morgans).
#: msprime's cost grows about with the square of 4·Ne·length: a 10 M chromosome at Ne 2,000 took
#: 408 s here against 5.5 s for 1 M. Longer chromosomes are simulated as independent pieces.
LINKED_LENGTH_MORGANS = 1.0

#: Base pairs per Morgan: each chromosome is simulated as ``length_morgans * 1e8`` bp at a
#: recombination rate of 1e-8 per bp, so ``mutation_rate`` keeps its usual per-bp meaning.
BP_PER_MORGAN = 100_000_000

SAMPLE_METHODS = ("random", "kmedoids")

#: "independent": each chromosome its own genealogy. "shared": one genealogy for every chromosome,
#: each chromosome keeping its own random choice of that genealogy's sites, which is what
#: myBreedSimulatR's founders were (it runs GENOME once per chromosome with one seed for all, so
#: every chromosome's run is the same), Hamazaki & Iwata (2024) included.
GENEALOGIES = ("independent", "shared")

#: How the pool's individuals take the simulated haplotypes: "once" (each sample haplotype is one
#: homologue of one individual, msprime's diploids as drawn) or "with_replacement" (each
#: individual draws its two homologues at random, with replacement, from all the simulated
#: haplotypes: the founders of Hamazaki & Iwata (2024), section 2.3, and of BreedingSchemeLanguage).
HAPLOTYPE_DRAWS = ("once", "with_replacement")


# ---------------------------------------------------------------------------------------
# argument parsing (msprime style: one small helper per argument, messages list the choices)


def _parse_int(name: str, value: Any, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer; got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}")
    return int(value)


def _parse_positive_float(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number; got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0; got {value}")
    return value


def _parse_per_chromosome(name: str, value: Any, num_chromosomes: int, parse) -> list:
    """A scalar applies to every chromosome; a sequence gives one value per chromosome."""
    if isinstance(value, (list, tuple, np.ndarray)):
        if len(value) != num_chromosomes:
            raise ValueError(f"{name} has {len(value)} values for {num_chromosomes} chromosomes; "
                             "give one value, or one per chromosome")
        return [parse(name, v) for v in value]
    return [parse(name, value)] * num_chromosomes


def _parse_sample_method(value: Any) -> str:
    if value not in SAMPLE_METHODS:
        raise ValueError(f"sample_method must be one of {', '.join(map(repr, SAMPLE_METHODS))}; got {value!r}")
    return value


def _parse_maf(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"maf must be a number in [0, 0.5]; got {value!r}")
    value = float(value)
    if not 0.0 <= value <= 0.5:
        raise ValueError(f"maf must be in [0, 0.5]; got {value}")
    return value


def _resolve_args(*, num_chromosomes, loci_per_chromosome, chromosome_length_morgans, effective_size,
                  pool_size, sample_size=None, sample_method="random", maf=0.05,
                  random_mating_generations=1, mutation_rate=1e-8, random_seed,
                  linked_length_morgans=LINKED_LENGTH_MORGANS, genealogy="independent", sites=None,
                  haplotypes="once") -> dict:
    """Validate and normalise the simulation arguments into a JSON-able dict (the cache key's content)."""
    c = _parse_int("num_chromosomes", num_chromosomes, minimum=1)
    args = {
        "num_chromosomes": c,
        "loci_per_chromosome": _parse_per_chromosome(
            "loci_per_chromosome", loci_per_chromosome, c, lambda n, v: _parse_int(n, v, minimum=1)),
        "chromosome_length_morgans": _parse_per_chromosome(
            "chromosome_length_morgans", chromosome_length_morgans, c, _parse_positive_float),
        "effective_size": _parse_positive_float("effective_size", effective_size),
        "pool_size": _parse_int("pool_size", pool_size, minimum=2),
        "sample_size": None if sample_size is None else _parse_int("sample_size", sample_size, minimum=1),
        "sample_method": _parse_sample_method(sample_method),
        "maf": _parse_maf(maf),
        "random_mating_generations": _parse_int("random_mating_generations", random_mating_generations,
                                                minimum=0),
        "mutation_rate": _parse_positive_float("mutation_rate", mutation_rate),
        "random_seed": _parse_int("random_seed", random_seed, minimum=0),
    }
    linked = _parse_positive_float("linked_length_morgans", linked_length_morgans)
    if any(length > linked for length in args["chromosome_length_morgans"]):
        # only where it changes the simulation, so the cache keys of shorter genomes stay as they were
        args["linked_length_morgans"] = linked
    if genealogy not in GENEALOGIES:
        raise ValueError(f"genealogy must be one of {', '.join(GENEALOGIES)}; got {genealogy!r}")
    if genealogy == "shared":  # recorded only when shared, so the other cache keys stay as they were
        if len(set(args["chromosome_length_morgans"])) != 1:
            raise ValueError("a shared genealogy needs chromosomes of one length; got "
                             f"{', '.join(f'{x:g}' for x in args['chromosome_length_morgans'])} M")
        args["genealogy"] = genealogy
    # recorded only when set, so the cache keys of founders without them stay as they were
    if sites is not None:
        args["sites"] = _parse_int("sites", sites, minimum=1)
    if haplotypes not in HAPLOTYPE_DRAWS:
        raise ValueError(f"haplotypes must be one of {', '.join(HAPLOTYPE_DRAWS)}; got {haplotypes!r}")
    if haplotypes != "once":
        args["haplotypes"] = haplotypes
    if args["sample_size"] is not None and args["sample_size"] > args["pool_size"]:
        raise ValueError(f"sample_size ({args['sample_size']}) must be <= pool_size ({args['pool_size']})")
    return args


def founder_cache_key(**kwargs) -> str:
    """SHA-256 (hex) naming the founders that ``coalescent_founders(**kwargs)`` returns.

    Covers every simulation argument after defaults and normalisation (``cache_dir`` and
    ``workers`` are ignored: they do not change the result), the cache format version and the
    msprime version (a new msprime may draw different genealogies from the same seed).
    """
    kwargs.pop("cache_dir", None)
    kwargs.pop("workers", None)
    args = _resolve_args(**kwargs)
    content = {"format": CACHE_FORMAT_VERSION, "msprime": metadata.version("msprime"), "args": args}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------
# simulation


@dataclass(frozen=True)
class _ChromosomeTask:
    index: int
    num_loci: int
    length_morgans: float
    effective_size: float
    pool_size: int
    maf: float
    mutation_rate: float
    seed: np.random.SeedSequence
    linked_length_morgans: float = LINKED_LENGTH_MORGANS
    sites: int | None = None  # segregating sites kept before the MAF filter (GENOME's -s); None: all


@dataclass(frozen=True)
class _ChromosomeResult:
    haplotypes: np.ndarray | None  # (2 * pool_size, loci) uint8, sample node order
    positions_morgans: np.ndarray | None
    num_candidates: int


def _msprime_seeds(seed: np.random.SeedSequence) -> tuple[int, int]:
    """Two seeds in msprime's range 1..2**32-1 for ancestry and mutations."""
    a, b = seed.generate_state(2, dtype=np.uint32)
    return int(a) % (2**32 - 1) + 1, int(b) % (2**32 - 1) + 1


def _simulate_piece(task: _ChromosomeTask, length_morgans: float, seed: np.random.SeedSequence):
    """msprime ancestry and binary mutations on one linked stretch, and the derived-allele count
    of every site (-1 where not biallelic), decoded one column at a time (memory O(samples))."""
    import msprime

    ancestry_seed, mutation_seed = _msprime_seeds(seed)
    sequence_length = max(1, round(length_morgans * BP_PER_MORGAN))
    ts = msprime.sim_ancestry(
        samples=task.pool_size, ploidy=2, population_size=task.effective_size,
        sequence_length=sequence_length, recombination_rate=length_morgans / sequence_length,
        discrete_genome=True, random_seed=ancestry_seed)
    ts = msprime.sim_mutations(ts, rate=task.mutation_rate, model=msprime.BinaryMutationModel(),
                               discrete_genome=True, random_seed=mutation_seed)
    counts = np.full(ts.num_sites, -1, dtype=np.int64)
    for var in ts.variants(copy=False):
        if len(var.alleles) == 2 and not var.has_missing_data:
            counts[var.site.id] = int(np.count_nonzero(var.genotypes))
    return ts, counts


@dataclass(frozen=True)
class _Sites:
    """The qualifying sites of one simulated chromosome: piece, site index in it, Morgan position."""

    simulated: list  # [(tree sequence, derived-allele counts)] per piece
    piece_of: np.ndarray
    site_of: np.ndarray
    position_of: np.ndarray


def _simulate_sites(task: _ChromosomeTask) -> _Sites:
    """A chromosome's ancestry and binary mutations, and its sites with MAF >= ``task.maf`` in the pool.

    A chromosome longer than ``task.linked_length_morgans`` is simulated as ``k`` independent
    pieces of equal length (each with its own seed): linkage disequilibrium between pieces is
    dropped, which is negligible where 4·Ne·(piece length) is large (expected r² between loci c
    Morgans apart is about 1 / (1 + 4·Ne·c)). Sites are placed at their Morgan positions along
    the whole chromosome."""
    pieces = max(1, math.ceil(task.length_morgans / task.linked_length_morgans - 1e-9))
    piece_length = task.length_morgans / pieces
    if pieces == 1:
        seeds = [task.seed]
    else:
        seeds = [np.random.SeedSequence(task.seed.entropy, spawn_key=tuple(task.seed.spawn_key) + (2**30 + k,))
                 for k in range(pieces)]
    simulated = [_simulate_piece(task, piece_length, s) for s in seeds]
    num_haplotypes = 2 * task.pool_size
    piece_of, site_of, position_of, passes = [], [], [], []
    for k, (ts, counts) in enumerate(simulated):
        minor = np.minimum(counts, num_haplotypes - counts)
        keep = np.flatnonzero((counts >= 0) & (minor > 0))  # segregating biallelic sites
        piece_of.append(np.full(keep.size, k))
        site_of.append(keep)
        passes.append(minor[keep] >= task.maf * num_haplotypes)
        sequence_length = ts.sequence_length
        position_of.append(k * piece_length + ts.tables.sites.position[keep] * (piece_length / sequence_length))
    piece_of, site_of, position_of, passes = (np.concatenate(a) for a in (piece_of, site_of, position_of, passes))
    if task.sites is not None and task.sites < site_of.size:
        # GENOME's -s: a fixed number of mutations placed on the genealogy in proportion to branch
        # length. msprime's sites already fall in that proportion, so a uniform subset of them is
        # such a draw. Its own seed, so runs without `sites` keep theirs.
        rng = np.random.default_rng(np.random.SeedSequence(task.seed.entropy,
                                                           spawn_key=tuple(task.seed.spawn_key) + (2**29,)))
        chosen = np.zeros(site_of.size, dtype=bool)
        chosen[rng.choice(site_of.size, size=task.sites, replace=False)] = True
        passes &= chosen
    return _Sites(simulated, piece_of[passes], site_of[passes], position_of[passes])


def _choose_loci(sites: _Sites, task: _ChromosomeTask) -> _ChromosomeResult:
    """``task.num_loci`` of the sites at random (the task's own seed), decoded for every pool haplotype."""
    import tskit

    if sites.site_of.size < task.num_loci:
        return _ChromosomeResult(None, None, int(sites.site_of.size))
    rng = np.random.default_rng(task.seed.spawn(1)[0])
    chosen = np.sort(rng.choice(sites.site_of.size, size=task.num_loci, replace=False))
    haplotypes = np.empty((2 * task.pool_size, task.num_loci), dtype=np.uint8)  # (2N, L)
    variants = [tskit.Variant(ts) for ts, _ in sites.simulated]
    for j, c in enumerate(chosen):
        variant = variants[sites.piece_of[c]]
        variant.decode(int(sites.site_of[c]))
        haplotypes[:, j] = variant.genotypes
    return _ChromosomeResult(haplotypes, sites.position_of[chosen].astype(np.float64), int(sites.site_of.size))


def _simulate_chromosome(task: _ChromosomeTask) -> _ChromosomeResult:
    """One chromosome: ancestry, binary mutations, MAF filter in the pool, random choice of loci."""
    return _choose_loci(_simulate_sites(task), task)


def _haldane_gametes(haplotypes: np.ndarray, parents: np.ndarray, chrom_slices: list[slice],
                     positions: list[np.ndarray], lengths: list[float], rng: np.random.Generator) -> np.ndarray:
    """One gamete from each listed parent: Haldane map (Poisson crossovers, uniform positions)."""
    num_gametes = parents.size
    out = np.empty((num_gametes, haplotypes.shape[2]), dtype=np.uint8)  # (G, L)
    for sl, pos, length in zip(chrom_slices, positions, lengths):
        num_loci = pos.size
        counts = rng.poisson(length, size=num_gametes)
        where = rng.uniform(0.0, length, size=int(counts.sum()))
        owner = np.repeat(np.arange(num_gametes), counts)
        # a crossover at x switches homologue for every locus at a position > x
        flips = np.zeros((num_gametes, num_loci + 1), dtype=np.int32)
        np.add.at(flips, (owner, np.searchsorted(pos, where, side="right")), 1)
        start = rng.integers(0, 2, size=num_gametes, dtype=np.int32)
        homologue = (start[:, None] + np.cumsum(flips, axis=1)[:, :num_loci]) % 2  # (G, Lc)
        block = haplotypes[parents, :, sl]  # (G, 2, Lc)
        out[:, sl] = np.where(homologue == 0, block[:, 0, :], block[:, 1, :])
    return out


def _random_mating(haplotypes: np.ndarray, chrom_slices, positions, lengths, generations: int,
                   rng: np.random.Generator) -> np.ndarray:
    """Non-overlapping generations of random mating at constant size; parents drawn with replacement
    (selfing possible), as the pre-breeding material of Hamazaki & Iwata (2024), section 2.3."""
    n = haplotypes.shape[0]
    for _ in range(generations):
        mothers = rng.integers(0, n, size=n)
        fathers = rng.integers(0, n, size=n)
        egg = _haldane_gametes(haplotypes, mothers, chrom_slices, positions, lengths, rng)
        pollen = _haldane_gametes(haplotypes, fathers, chrom_slices, positions, lengths, rng)
        haplotypes = np.stack([egg, pollen], axis=1)  # (N, 2, L)
    return haplotypes


def _euclidean_distances(dosage: np.ndarray) -> np.ndarray:
    """Euclidean distances between rows of a 0/1/2 dosage matrix. Every product and sum is a small
    integer, exact in float64, so the result does not depend on the BLAS or its threads."""
    x = dosage.astype(np.float64)
    sq = np.einsum("ij,ij->i", x, x)
    d2 = sq[:, None] + sq[None, :] - 2.0 * (x @ x.T)
    np.maximum(d2, 0.0, out=d2)
    np.fill_diagonal(d2, 0.0)
    return np.sqrt(d2)


def _choose_panel(haplotypes: np.ndarray, sample_size: int | None, method: str,
                  seed: np.random.SeedSequence) -> np.ndarray:
    """Sorted pool indices of the panel."""
    n = haplotypes.shape[0]
    if sample_size is None or sample_size == n:
        return np.arange(n)
    if method == "random":
        rng = np.random.default_rng(seed)
        return np.sort(rng.choice(n, size=sample_size, replace=False))
    import kmedoids

    # k-medoids over Euclidean distances of genotype dosages (R cluster::pam's default metric, which
    # the reference paper used), solved by FasterPAM from the BUILD start; one thread for determinism.
    dist = _euclidean_distances(haplotypes.sum(axis=1))
    state = int(seed.generate_state(1, dtype=np.uint32)[0])
    result = kmedoids.fasterpam(dist, sample_size, max_iter=100, init="build", random_state=state, n_cpu=1)
    medoids = np.sort(np.asarray(result.medoids, dtype=np.int64))
    if np.unique(medoids).size != sample_size:  # duplicate genotypes can collapse clusters
        rest = np.setdiff1d(np.arange(n), medoids)
        extra = np.random.default_rng(seed).choice(rest, size=sample_size - np.unique(medoids).size,
                                                   replace=False)
        medoids = np.sort(np.concatenate([np.unique(medoids), extra]))
    return medoids


def _worker_context():
    """fork where the platform has it: workers need no importable ``__main__`` (scripts without a
    main guard, notebooks) and start in milliseconds; they only run msprime/tskit/numpy code that
    takes no locks another thread of the parent could hold. spawn elsewhere."""
    import multiprocessing

    return get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


def _simulate(args: dict, workers: int) -> FounderSet:
    c = args["num_chromosomes"]
    root = np.random.SeedSequence(args["random_seed"])
    chrom_seeds = root.spawn(c)
    mating_seed, panel_seed = np.random.SeedSequence(args["random_seed"], spawn_key=(2**31,)).spawn(2)
    tasks = [
        _ChromosomeTask(index=i, num_loci=args["loci_per_chromosome"][i],
                        length_morgans=args["chromosome_length_morgans"][i],
                        effective_size=args["effective_size"], pool_size=args["pool_size"], maf=args["maf"],
                        mutation_rate=args["mutation_rate"], seed=chrom_seeds[i],
                        linked_length_morgans=args.get("linked_length_morgans", LINKED_LENGTH_MORGANS),
                        sites=args.get("sites"))
        for i in range(c)
    ]
    if args.get("genealogy") == "shared":  # chromosome 1's genealogy for all, loci chosen per chromosome
        sites = _simulate_sites(tasks[0])
        results = [_choose_loci(sites, t) for t in tasks]
    elif workers > 1 and c > 1:
        with ProcessPoolExecutor(max_workers=min(workers, c), mp_context=_worker_context()) as pool:
            results = list(pool.map(_simulate_chromosome, tasks))
    else:
        results = [_simulate_chromosome(t) for t in tasks]

    for task, res in zip(tasks, results):
        if res.haplotypes is None:
            raise DataError(
                f"chromosome {task.index + 1}: only {res.num_candidates} segregating sites with MAF >= "
                f"{args['maf']} in a pool of {args['pool_size']}, but {task.num_loci} loci were asked for",
                code="BSL505",
                hint="raise effective_size, the chromosome length or `sites`, or lower maf or loci_per_chromosome")

    # sample nodes are ordered individual by individual: node 2i + h is homologue h of individual i
    haplotypes = np.concatenate([r.haplotypes for r in results], axis=1)  # (2N, L)
    if args.get("haplotypes") == "with_replacement":  # each individual draws two of the 2N haplotypes
        draw_seed = np.random.SeedSequence(args["random_seed"], spawn_key=(2**31 + 1,))
        haplotypes = haplotypes[np.random.default_rng(draw_seed).integers(0, haplotypes.shape[0],
                                                                           size=haplotypes.shape[0])]
    haplotypes = haplotypes.reshape(args["pool_size"], 2, -1)  # (N, 2, L)
    positions = [r.positions_morgans for r in results]
    bounds = np.cumsum([0] + args["loci_per_chromosome"])
    slices = [slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]
    haplotypes = _random_mating(haplotypes, slices, positions, args["chromosome_length_morgans"],
                                args["random_mating_generations"], np.random.default_rng(mating_seed))
    panel = _choose_panel(haplotypes, args["sample_size"], args["sample_method"], panel_seed)
    chromosome = np.repeat(np.arange(c, dtype=np.int32), args["loci_per_chromosome"])
    return FounderSet(haplotypes=haplotypes[panel], chromosome=chromosome,
                      positions_morgans=np.concatenate(positions),
                      names=[f"pool_{i}" for i in panel])


# ---------------------------------------------------------------------------------------
# cache


def _cache_path(cache_dir: str | os.PathLike, key: str) -> Path:
    return Path(cache_dir) / f"founders-{key}.npz"


def _load_cached(path: Path, key: str) -> FounderSet | None:
    """The cached founders, or None when the file is absent, unreadable or for another key."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["key"]) != key or int(data["format"]) != CACHE_FORMAT_VERSION:
                return None
            return FounderSet(haplotypes=data["haplotypes"], chromosome=data["chromosome"],
                              positions_morgans=data["positions_morgans"],
                              names=data["names"].tolist(), source=f"cache:{key}")
    except (OSError, ValueError, KeyError, EOFError, DataError):
        return None
    except Exception:  # a corrupt zip member raises zipfile.BadZipFile and friends
        return None


def _store(path: Path, key: str, founders: FounderSet) -> None:
    """Write atomically: a temporary file in the same directory, then os.replace."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".founders-", suffix=".npz.tmp")
    except OSError as exc:
        raise DataError(f"cannot write the founder cache: {exc.strerror or exc}", path=str(path.parent),
                        code="BSL501", hint="choose a writable cache directory") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(fh, key=np.array(key), format=np.array(CACHE_FORMAT_VERSION),
                                haplotypes=founders.haplotypes, chromosome=founders.chromosome,
                                positions_morgans=founders.positions_morgans,
                                names=np.array(founders.names, dtype=np.str_))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# ---------------------------------------------------------------------------------------
# public API


def coalescent_founders(*, num_chromosomes: int, loci_per_chromosome: int | Sequence[int],
                        chromosome_length_morgans: float | Sequence[float], effective_size: float,
                        pool_size: int, sample_size: int | None = None, sample_method: str = "random",
                        maf: float = 0.05, random_mating_generations: int = 1, mutation_rate: float = 1e-8,
                        random_seed: int, linked_length_morgans: float = LINKED_LENGTH_MORGANS,
                        genealogy: str = "independent", sites: int | None = None, haplotypes: str = "once",
                        cache_dir: str | os.PathLike | None = None, workers: int = 1) -> FounderSet:
    """Simulate founders from the coalescent, as Hamazaki & Iwata (2024), section 2.3, with msprime.

    Per chromosome, ``msprime.sim_ancestry`` draws ``pool_size`` diploids from a population of
    ``effective_size`` (discrete genome, ``chromosome_length_morgans * 1e8`` bp at 1e-8
    recombinations per bp) and ``sim_mutations`` adds binary mutations at ``mutation_rate`` per bp
    per generation. Of the biallelic sites whose minor-allele frequency in the pool is >= ``maf``,
    ``loci_per_chromosome`` are kept at random; a site at ``x`` bp sits at
    ``x * length / sequence_length`` Morgans. The pool then mates at random for
    ``random_mating_generations`` generations (Haldane map on the kept loci), and the panel is
    picked: ``sample_method="kmedoids"`` keeps the medoids of FasterPAM k-medoids on Euclidean
    distances between dosage (0/1/2) vectors; ``"random"`` a random subset; ``sample_size=None``
    keeps the whole pool. Names are ``pool_<index in the pool>``. A chromosome longer than
    ``linked_length_morgans`` is simulated as independent pieces of at most that length (msprime's
    cost grows about with the square of the length; linkage disequilibrium between loci more than
    that far apart is dropped); the map keeps its whole length. With ``genealogy="shared"`` every
    chromosome takes its loci from chromosome 1's genealogy (each its own random choice of sites),
    as myBreedSimulatR's GENOME runs did: a founder haplotype is then one lineage on every
    chromosome, and loci on different chromosomes are in linkage disequilibrium in the pool.
    ``sites`` keeps that many of a genealogy's segregating sites, chosen at random (so in
    proportion to branch length), before the MAF filter, as GENOME's ``-s`` places a fixed number
    of SNPs; with a shared genealogy the chromosomes then draw their loci from one small set of
    sites, and many sites sit on several chromosomes. ``haplotypes="with_replacement"`` builds
    each pool individual from two of the simulated haplotypes drawn with replacement (before the
    random mating), as Hamazaki & Iwata (2024) built their 2,000 founders from GENOME's 4,000.

    Args:
        num_chromosomes: number of chromosomes.
        loci_per_chromosome: loci kept per chromosome (one value, or one per chromosome).
        chromosome_length_morgans: genetic length in Morgans (one value, or one per chromosome).
        effective_size: diploid effective population size.
        pool_size: diploids simulated (the pool the panel is chosen from).
        sample_size: panel size, or None for the whole pool.
        sample_method: ``"random"`` or ``"kmedoids"``.
        maf: minimum minor-allele frequency in the simulated pool, in [0, 0.5].
        random_mating_generations: generations of random mating before the panel is chosen.
        mutation_rate: per bp per generation.
        linked_length_morgans: the longest stretch simulated as one linked sequence.
        genealogy: ``"independent"`` (each chromosome its own) or ``"shared"`` (one for all,
            chromosomes of one length only).
        sites: segregating sites kept per genealogy before the MAF filter; None keeps all.
        haplotypes: ``"once"`` or ``"with_replacement"`` (see above).
        random_seed: the one seed; chromosome seeds derive from it through ``numpy.random.SeedSequence``,
            so the result does not depend on ``workers``.
        cache_dir: when given, the founders are stored there as ``founders-<key>.npz``
            (``key = founder_cache_key(...)``) and loaded on later calls with the same arguments.
        workers: processes simulating chromosomes in parallel.

    Raises:
        DataError: BSL505 when a chromosome has fewer qualifying sites than loci asked for;
            BSL501 when the cache directory cannot be written.
        ValueError, TypeError: an argument out of its domain (the message gives the valid range).
    """
    args = _resolve_args(num_chromosomes=num_chromosomes, loci_per_chromosome=loci_per_chromosome,
                         chromosome_length_morgans=chromosome_length_morgans, effective_size=effective_size,
                         pool_size=pool_size, sample_size=sample_size, sample_method=sample_method, maf=maf,
                         random_mating_generations=random_mating_generations, mutation_rate=mutation_rate,
                         random_seed=random_seed, linked_length_morgans=linked_length_morgans,
                         genealogy=genealogy, sites=sites, haplotypes=haplotypes)
    workers = _parse_int("workers", workers, minimum=1)
    if cache_dir is None:
        return _simulate(args, workers)
    key = founder_cache_key(**args)
    path = _cache_path(cache_dir, key)
    cached = _load_cached(path, key)
    if cached is not None:
        return cached
    founders = _simulate(args, workers)
    founders.source = f"cache:{key}"
    _store(path, key, founders)
    return founders
