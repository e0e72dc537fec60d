"""Coalescent founders and the FounderSet container."""
from __future__ import annotations

import time

import numpy as np
import pytest

from bsl.diagnostics import DataError
from bsl.io.coalescent import coalescent_founders, founder_cache_key
from bsl.io.founders import FounderSet

SMALL = dict(num_chromosomes=2, loci_per_chromosome=50, chromosome_length_morgans=1.0, effective_size=500,
             pool_size=60, maf=0.05, random_seed=7)


@pytest.fixture(scope="module")
def pool_no_mating():
    return coalescent_founders(**SMALL, random_mating_generations=0)


@pytest.fixture(scope="module")
def panel():
    return coalescent_founders(**SMALL, sample_size=20, sample_method="kmedoids")


def test_shapes_and_dtypes(pool_no_mating):
    f = pool_no_mating
    assert f.haplotypes.shape == (60, 2, 100) and f.haplotypes.dtype == np.uint8
    assert f.chromosome.dtype == np.int32 and f.positions_morgans.dtype == np.float64
    assert f.chromosome.tolist() == [0] * 50 + [1] * 50
    assert set(np.unique(f.haplotypes)) <= {0, 1}
    assert len(f.names) == 60 and len(set(f.names)) == 60
    assert f.loci_per_chromosome().tolist() == [50, 50]


def test_maf_respected_in_pool(pool_no_mating):
    # without random mating the kept loci are exactly the pool the MAF filter saw
    freq = pool_no_mating.haplotypes.mean(axis=(0, 1))
    assert np.all(np.minimum(freq, 1 - freq) >= 0.05)


def test_positions_strictly_increasing_within_chromosome(panel):
    for pos in panel.positions_by_chromosome():
        assert pos.size == 50
        assert np.all(np.diff(pos) > 0)
        assert pos[0] >= 0 and pos[-1] <= 1.0


def test_deterministic_and_seed_dependent(panel):
    again = coalescent_founders(**SMALL, sample_size=20, sample_method="kmedoids")
    assert again.equals(panel)
    other = coalescent_founders(**{**SMALL, "random_seed": 8}, sample_size=20, sample_method="kmedoids")
    assert not np.array_equal(other.haplotypes, panel.haplotypes)


def test_kmedoids_panel_is_distinct_members_of_pool(panel):
    pool = coalescent_founders(**SMALL)  # same seed, whole pool after random mating
    assert panel.num_individuals == 20
    idx = [int(n.split("_")[1]) for n in panel.names]
    assert len(set(idx)) == 20 and idx == sorted(idx)
    np.testing.assert_array_equal(panel.haplotypes, pool.haplotypes[idx])


def test_random_panel_subset():
    pool = coalescent_founders(**SMALL)
    sub = coalescent_founders(**SMALL, sample_size=10, sample_method="random")
    idx = [pool.names.index(n) for n in sub.names]
    assert len(set(idx)) == 10
    np.testing.assert_array_equal(sub.haplotypes, pool.haplotypes[idx])


def test_random_mating_changes_haplotypes_but_keeps_map(pool_no_mating):
    mated = coalescent_founders(**SMALL, random_mating_generations=1)
    assert mated.haplotypes.shape == pool_no_mating.haplotypes.shape
    np.testing.assert_array_equal(mated.positions_morgans, pool_no_mating.positions_morgans)
    assert not np.array_equal(mated.haplotypes, pool_no_mating.haplotypes)


def test_workers_do_not_change_result(panel):
    parallel = coalescent_founders(**SMALL, sample_size=20, sample_method="kmedoids", workers=2)
    assert parallel.equals(panel)


def test_cache_hit_identical_and_faster(tmp_path):
    kw = dict(SMALL, sample_size=20, sample_method="kmedoids", cache_dir=tmp_path)
    t0 = time.perf_counter()
    first = coalescent_founders(**kw)
    cold = time.perf_counter() - t0
    files = list(tmp_path.iterdir())
    assert [p.name for p in files] == [f"founders-{founder_cache_key(**kw)}.npz"]
    t0 = time.perf_counter()
    second = coalescent_founders(**kw)
    warm = time.perf_counter() - t0
    assert second.equals(first)
    assert warm < cold
    assert list(tmp_path.iterdir()) == files  # nothing re-written, no temp files left


def test_corrupt_cache_is_recomputed(tmp_path):
    kw = dict(SMALL, cache_dir=tmp_path)
    path = tmp_path / f"founders-{founder_cache_key(**kw)}.npz"
    path.write_bytes(b"not a zip")
    f = coalescent_founders(**kw)
    assert f.equals(coalescent_founders(**SMALL))


def test_cache_key_normalises_and_ignores_runtime_args(tmp_path):
    a = founder_cache_key(**SMALL)
    assert a == founder_cache_key(**{**SMALL, "effective_size": 500.0}, workers=4, cache_dir=tmp_path)
    assert a == founder_cache_key(**{**SMALL, "loci_per_chromosome": [50, 50]})
    assert a != founder_cache_key(**{**SMALL, "maf": 0.1})
    assert len(a) == 64


def test_too_few_sites_raises_data_error():
    with pytest.raises(DataError) as info:
        coalescent_founders(**{**SMALL, "chromosome_length_morgans": 0.001})
    assert info.value.code == "BSL505"
    assert "effective_size" in info.value.hint and "maf" in info.value.hint


@pytest.mark.parametrize("bad, message", [
    (dict(sample_method="pam"), "'random', 'kmedoids'"),
    (dict(sample_size=61), "pool_size"),
    (dict(maf=0.7), "[0, 0.5]"),
    (dict(loci_per_chromosome=[50]), "one per chromosome"),
])
def test_bad_arguments_list_the_valid_choices(bad, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        coalescent_founders(**{**SMALL, **bad})


def test_founderset_validation():
    haps = np.zeros((2, 2, 3), dtype=np.uint8)
    ok = FounderSet(haps, np.array([0, 0, 1]), np.array([0.1, 0.2, 0.0]), ["a", "b"])
    assert [p.tolist() for p in ok.positions_by_chromosome()] == [[0.1, 0.2], [0.0]]
    with pytest.raises(DataError) as info:
        FounderSet(haps, np.array([0, 0, 1]), np.array([0.2, 0.2, 0.0]), ["a", "b"])
    assert info.value.code == "BSL504"
    with pytest.raises(DataError) as info:
        FounderSet(haps, np.array([0, 1, 0]), np.array([0.1, 0.2, 0.3]), ["a", "b"])
    assert info.value.code == "BSL502"
    with pytest.raises(DataError) as info:
        FounderSet(haps + 2, np.array([0, 0, 1]), np.array([0.1, 0.2, 0.0]), ["a", "b"])
    assert info.value.code == "BSL502"
    with pytest.raises(DataError) as info:
        FounderSet(haps, np.array([0, 0]), np.array([0.1, 0.2]), ["a", "b"])
    assert info.value.code == "BSL503"
    with pytest.raises(DataError):
        FounderSet(haps, np.array([0, 0, 1]), np.array([0.1, 0.2, 0.0]), ["a", "a"])


def _architecture(founders_settings: str, seed: int, tmp_path):
    from bsl import api
    from bsl.runtime.architecture import build_architecture
    from bsl.source import SourceFile

    text = (f"seed {seed}\nreplicates 1\ngenome {{ chromosomes 2  loci_per_chromosome 30  length 1 M }}\n"
            f"founders base from coalescent {{ effective_size 200  pool 40  sample 20 {founders_settings} }}\n"
            "trait yield { qtl 5 }\n")
    graph = api.load(SourceFile("seeds.bsl", text))
    return build_architecture(graph.program, "all", cache_dir=str(tmp_path))


def test_founders_seed_keeps_the_panel_while_the_scheme_seed_redraws_qtl(tmp_path):
    a = _architecture("seed 11", 1, tmp_path)
    b = _architecture("seed 11", 2, tmp_path)
    assert np.array_equal(a.founders["base"], b.founders["base"])
    assert not (np.array_equal(a.qtl_global, b.qtl_global) and np.allclose(a.additive, b.additive))
    # without its own seed the panel follows the scheme's seed
    c = _architecture("", 1, tmp_path)
    d = _architecture("", 2, tmp_path)
    assert not np.array_equal(c.founders["base"], d.founders["base"])


def _r2(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    return float((a @ b) ** 2 / ((a @ a) * (b @ b)))


def test_long_chromosomes_are_independent_linked_pieces():
    # a 2 M chromosome at linked_length 0.5 is four independent 0.5 M msprime sequences: loci over
    # the whole length, deterministic, and LD (r² of adjacent loci) only within a piece
    kw = dict(SMALL, num_chromosomes=1, loci_per_chromosome=200, chromosome_length_morgans=2.0,
              effective_size=50, pool_size=200, random_mating_generations=0, linked_length_morgans=0.5)
    f = coalescent_founders(**kw)
    assert f.equals(coalescent_founders(**kw))
    pos = f.positions_morgans
    assert np.all(np.diff(pos) > 0) and pos[0] >= 0 and pos[-1] < 2.0
    assert [int(np.sum((pos >= k * 0.5) & (pos < (k + 1) * 0.5))) > 10 for k in range(4)] == [True] * 4
    h = f.haplotypes.reshape(-1, 200).astype(float)
    piece = np.floor(pos / 0.5)
    within = [_r2(h[:, j], h[:, j + 1]) for j in range(199) if piece[j] == piece[j + 1]]
    across = [_r2(h[:, j], h[:, k]) for j in range(200) for k in range(200) if piece[j] + 1 == piece[k]]
    assert np.mean(within) > 5 * np.mean(across)
    # the piece length is part of the founders' identity
    assert founder_cache_key(**kw) != founder_cache_key(**{**kw, "linked_length_morgans": 2.0})


def test_linked_length_leaves_short_genomes_and_their_cache_keys_alone():
    assert founder_cache_key(**SMALL) == founder_cache_key(**SMALL, linked_length_morgans=5.0)
    assert coalescent_founders(**SMALL).equals(coalescent_founders(**SMALL, linked_length_morgans=1.0))


def test_shared_genealogy_puts_every_chromosome_on_one_genealogy():
    # With genealogy="shared" each chromosome picks its own loci among chromosome 1's sites: on
    # the pool before random mating, a locus of chromosome 2 is often the very same site as one
    # of chromosome 1 (identical haplotype column), which independent genealogies never give.
    kw = dict(SMALL, num_chromosomes=2, loci_per_chromosome=60, effective_size=100, pool_size=100,
              random_mating_generations=0)
    shared = coalescent_founders(**kw, genealogy="shared")
    independent = coalescent_founders(**kw)
    assert shared.equals(coalescent_founders(**kw, genealogy="shared"))

    def identical_columns(f):
        h = f.haplotypes.reshape(-1, f.haplotypes.shape[-1])
        one, two = h[:, f.chromosome == 0].T, h[:, f.chromosome == 1].T
        return sum(any(np.array_equal(c, d) for d in one) for c in two)

    assert identical_columns(shared) >= 5 and identical_columns(independent) == 0
    # chromosome 1 is the same under both: shared reuses its genealogy and its choice of loci
    first = shared.chromosome == 0
    assert np.array_equal(shared.haplotypes[:, :, first], independent.haplotypes[:, :, first])
    # the choice is part of the founders' identity; independent keeps the cache keys it had
    assert founder_cache_key(**kw, genealogy="shared") != founder_cache_key(**kw)
    assert founder_cache_key(**kw, genealogy="independent") == founder_cache_key(**kw)
    with pytest.raises(ValueError, match="one length"):
        coalescent_founders(**{**kw, "chromosome_length_morgans": [1.0, 0.5]}, genealogy="shared")
    with pytest.raises(ValueError, match="independent, shared"):
        coalescent_founders(**kw, genealogy="same")


def test_a_fixed_number_of_sites_makes_chromosomes_share_them():
    # sites=S keeps S segregating sites of a genealogy before the MAF filter (GENOME's -s): with a
    # shared genealogy every chromosome draws its loci from those S, so many loci sit on both
    kw = dict(SMALL, num_chromosomes=2, loci_per_chromosome=60, effective_size=100, pool_size=100,
              random_mating_generations=0, genealogy="shared", maf=0.01)
    few = coalescent_founders(**kw, sites=150)
    assert few.equals(coalescent_founders(**kw, sites=150))
    assert np.unique(few.positions_morgans).size <= 150
    h = few.haplotypes.reshape(-1, few.haplotypes.shape[-1])
    freq = h.mean(axis=0)
    assert np.all(np.minimum(freq, 1 - freq) >= 0.01)  # the MAF filter still applies
    on_both = np.intersect1d(few.positions_morgans[few.chromosome == 0], few.positions_morgans[few.chromosome == 1])
    everything = coalescent_founders(**kw)
    on_both_all = np.intersect1d(everything.positions_morgans[everything.chromosome == 0],
                                 everything.positions_morgans[everything.chromosome == 1])
    assert on_both.size >= 10 and on_both.size > 2 * on_both_all.size
    # independent genealogies: each chromosome its own S sites
    independent = coalescent_founders(**{**kw, "genealogy": "independent"}, sites=150)
    for c in (0, 1):
        assert np.unique(independent.positions_morgans[independent.chromosome == c]).size <= 150
    # without `sites` the founders and their cache keys are as before; with it, other founders
    assert founder_cache_key(**kw, sites=None) == founder_cache_key(**kw)
    assert founder_cache_key(**kw, sites=150) != founder_cache_key(**kw)
    with pytest.raises(DataError, match="segregating sites") as err:
        coalescent_founders(**kw, sites=40)  # fewer sites than the 60 loci asked for
    assert "sites" in err.value.hint
    with pytest.raises(ValueError, match="sites must be >= 1"):
        coalescent_founders(**kw, sites=0)


def test_haplotypes_drawn_with_replacement_repeat_some_and_miss_others():
    kw = dict(SMALL, effective_size=100, pool_size=100, random_mating_generations=0, maf=0.01)

    def distinct(f):
        h = f.haplotypes.reshape(-1, f.haplotypes.shape[-1])
        return len({row.tobytes() for row in h})

    once = coalescent_founders(**kw)
    drawn = coalescent_founders(**kw, haplotypes="with_replacement")
    assert drawn.equals(coalescent_founders(**kw, haplotypes="with_replacement"))
    # 200 draws from 200 haplotypes: about 200 (1 - 1/e) = 126 distinct, against all 200 drawn once
    assert distinct(once) > 190 and 100 < distinct(drawn) < 150
    assert np.array_equal(once.positions_morgans, drawn.positions_morgans)  # the same loci
    assert founder_cache_key(**kw, haplotypes="once") == founder_cache_key(**kw)
    assert founder_cache_key(**kw, haplotypes="with_replacement") != founder_cache_key(**kw)
    with pytest.raises(ValueError, match="once, with_replacement"):
        coalescent_founders(**kw, haplotypes="twice")
