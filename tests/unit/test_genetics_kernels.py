"""Batched genetics kernels against the numpy reference, and meiosis invariants."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from bsl.runtime.genome import GenomeLayout
from bsl.runtime.kernels import features, traits
from bsl.runtime.kernels.meiosis import Meiosis, cross, doubled_haploids, selfing
from bsl.runtime.reference import genetics as ref

F64 = torch.float64


def _random_layout(rng: np.random.Generator, loci: list[int], map_function: str) -> GenomeLayout:
    return GenomeLayout.from_positions(
        [np.sort(rng.uniform(0, 1.5, n)) + np.arange(n) * 1e-6 for n in loci], map_function
    )


def _population(rng, layout, R, N):
    alleles = rng.integers(0, 2, (R, N, 2, layout.num_loci), dtype=np.uint8)
    return alleles, torch.from_numpy(layout.pack(alleles))


@pytest.fixture
def qtl_data():
    rng = np.random.default_rng(7)
    layout = _random_layout(rng, [40, 90, 3], "kosambi")
    R, N, T = 2, 12, 2
    alleles, haplotypes = _population(rng, layout, R, N)
    qtl = np.sort(rng.choice(layout.num_loci, 25, replace=False))
    additive = rng.normal(size=(25, T))
    dominance = rng.normal(size=(25, T))
    valid = np.ones((R, N), bool)
    valid[1, [2, 7, 11]] = False
    return layout, alleles, haplotypes, qtl, additive, dominance, valid


def _kernel_inputs(layout, haplotypes, qtl):
    word, bit = (torch.from_numpy(a) for a in layout.word_and_bit(qtl))
    return traits.qtl_alleles(haplotypes, word, bit), traits.dosages(haplotypes, word, bit, F64)


def test_qtl_alleles_and_dosages(qtl_data):
    layout, alleles, haplotypes, qtl, *_ = qtl_data
    qa, dosage = _kernel_inputs(layout, haplotypes, qtl)
    assert qa.dtype == torch.uint8 and qa.shape == (2, 12, 2, 25)
    np.testing.assert_array_equal(qa.numpy(), alleles[..., qtl])
    np.testing.assert_array_equal(dosage.numpy(), alleles[..., qtl].sum(axis=2))


def test_genetic_values_breeding_values_wbv_match_reference(qtl_data):
    layout, alleles, haplotypes, qtl, a, d, valid = qtl_data
    _, dosage = _kernel_inputs(layout, haplotypes, qtl)
    at, dt, vt = torch.from_numpy(a), torch.from_numpy(d), torch.from_numpy(valid)
    gv_a = traits.genetic_values(dosage, at).numpy()
    gv_ad = traits.genetic_values(dosage, at, dt).numpy()
    bv = features.breeding_values(dosage, at, dt, vt).numpy()
    bv_a = features.breeding_values(dosage, at, None, vt).numpy()
    wbv = features.weighted_breeding_values(dosage, at, vt).numpy()
    for r in range(2):
        keep = valid[r]
        qa = alleles[r][:, :, qtl][keep]
        np.testing.assert_allclose(gv_a[r], ref.genetic_values(alleles[r][:, :, qtl], a), atol=1e-10)
        np.testing.assert_allclose(gv_ad[r][keep], ref.genetic_values(qa, a, d), atol=1e-10)
        np.testing.assert_allclose(bv[r][keep], ref.breeding_values(qa, a, d), atol=1e-10)
        np.testing.assert_allclose(bv_a[r][keep], ref.breeding_values(qa, a), atol=1e-10)
        np.testing.assert_allclose(wbv[r][keep], ref.weighted_breeding_values(qa, a), atol=1e-10)
        assert np.all(bv[r][~keep] == 0) and np.all(wbv[r][~keep] == 0)


def test_wbv_weight_is_one_for_a_lost_favourable_allele():
    dosage = torch.tensor([[[0.0, 2.0], [0.0, 2.0]]], dtype=F64)  # locus 0 fixed for allele 0
    a = torch.tensor([[1.0], [-1.0]], dtype=F64)  # favourable alleles: 1 (lost), 0 (lost)
    wbv = features.weighted_breeding_values(dosage, a, torch.ones(1, 2, dtype=torch.bool))
    assert wbv.flatten().tolist() == [-2.0, -2.0]


@pytest.mark.parametrize("map_function", ["haldane", "kosambi"])
def test_gamete_variance_matches_reference_double_sum(map_function):
    rng = np.random.default_rng(11)
    layout = _random_layout(rng, [30, 20, 1], map_function)
    alleles, haplotypes = _population(rng, layout, 2, 6)
    qtl = np.sort(rng.choice(layout.num_loci, 18, replace=False))
    a = rng.normal(size=(18, 2))
    qa, _ = _kernel_inputs(layout, haplotypes, qtl)
    gvar = features.gamete_variances(qa, torch.from_numpy(a), torch.from_numpy(layout.coupling(qtl))).numpy()
    for r in range(2):
        np.testing.assert_allclose(gvar[r], ref.gamete_variance(alleles[r][:, :, qtl], a, layout, qtl), atol=1e-10)
    # Progeny variance of a pair is the sum of both parents' gamete variances.
    m, f = torch.tensor([[0, 1], [5, 5]]), torch.tensor([[2, 2], [3, 5]])
    pv = features.pair_progeny_variance(torch.from_numpy(gvar), m, f).numpy()
    np.testing.assert_allclose(pv[1, 0], gvar[1, 5] + gvar[1, 3])


def test_population_features():
    valid = torch.tensor([[True, True, True, False], [True, False, True, True]])
    dosage = torch.tensor([[[0, 2], [1, 2], [2, 2], [2, 0]], [[1, 0], [0, 0], [1, 2], [0, 1]]], dtype=F64)
    p = features.allele_frequencies(dosage, valid)
    np.testing.assert_allclose(p.numpy(), [[0.5, 1.0], [1 / 3, 0.5]])
    a = torch.tensor([[2.0], [1.0]], dtype=F64)
    np.testing.assert_allclose(features.genic_variance(dosage, a, valid).numpy(), [[2 * 0.25 * 4], [2 * 2 / 9 * 4 + 0.5]])
    np.testing.assert_allclose(features.heterozygosity(dosage, valid).numpy(), [0.25, (4 / 9 + 0.5) / 2])
    x = torch.tensor([[[1.0], [2.0], [3.0], [100.0]], [[5.0], [9.0], [5.0], [5.0]]], dtype=F64)
    z = features.zscore(x, valid)
    np.testing.assert_allclose(z[0, :, 0].numpy(), [-1, 0, 1, 0])
    assert z[1].eq(0).all()  # sd 0 among the valid ones
    mp = features.mean_parent(x, torch.tensor([[0, 1], [2, 0]]), torch.tensor([[2, 2], [3, 3]]))
    np.testing.assert_allclose(mp[..., 0].numpy(), [[2, 2.5], [5, 5]])


def test_phenotypes_and_heritability():
    gen = torch.Generator().manual_seed(3)
    gv = torch.randn(4, 5000, 1, generator=gen, dtype=F64) * 2.0
    valid = torch.ones(4, 5000, dtype=torch.bool)
    sd = traits.error_sd_from_heritability(gv, valid, torch.tensor([0.25]))
    vg = gv.var(dim=1, unbiased=False).mean()
    assert sd.item() == pytest.approx(float((vg * 3).sqrt()))
    assert traits.error_sd_from_heritability(gv, valid, torch.tensor([1.0])).item() == 0.0
    with pytest.raises(ValueError):
        traits.error_sd_from_heritability(gv, valid, torch.tensor([0.0]))
    y = traits.phenotypes(gv, sd, gen)
    assert y.shape == gv.shape and (y - gv).std().item() == pytest.approx(sd.item(), rel=0.05)


# ---------------------------------------------------------------------------- meiosis


def test_masks_equal_xor_of_suffix_masks():
    rng = np.random.default_rng(5)
    layout = _random_layout(rng, [130, 64, 1, 65], "haldane")
    m = Meiosis(layout)
    suffix = layout.suffix_masks("cpu")
    B, X = 7, 60
    start = torch.from_numpy(rng.integers(0, 2, (B, layout.num_chromosomes)))
    gamete = torch.from_numpy(rng.integers(0, B, X))
    locus = torch.from_numpy(rng.integers(0, layout.num_loci, X))
    locus[:10] = locus[10:20]  # duplicates cancel
    gamete[:10] = gamete[10:20]
    got = m.masks(start, gamete, locus)
    for b in range(B):
        for c in range(layout.num_chromosomes):
            w0, nw = layout.word_offset[c], layout.words_per_chromosome[c]
            expect = suffix[c, 0, :nw].clone() if start[b, c] else torch.zeros(nw, dtype=torch.int64)
            for x in range(X):
                if gamete[x] == b and layout.chromosome[locus[x]] == c:
                    expect ^= suffix[c, layout.local_index[locus[x]], :nw]
            # Bits beyond the chromosome's last locus are irrelevant (both homologues are 0).
            valid_bits = suffix[c, 0, :nw]
            assert torch.equal(got[b, w0 : w0 + nw] & valid_bits, expect)


@settings(max_examples=25, deadline=None)
@given(
    loci=st.lists(st.integers(1, 150), min_size=1, max_size=4),
    map_function=st.sampled_from(["haldane", "kosambi"]),
    seed=st.integers(0, 2**31),
)
def test_meiosis_conserves_alleles(loci, map_function, seed):
    rng = np.random.default_rng(seed)
    layout = GenomeLayout.from_positions([np.sort(rng.uniform(0, 3, n)) + np.arange(n) * 1e-6 for n in loci], map_function)
    alleles, haplotypes = _population(rng, layout, 2, 3)
    parents = torch.from_numpy(rng.integers(0, 3, (2, 40)))
    gam = layout.unpack(Meiosis(layout).gametes(haplotypes, parents, torch.Generator().manual_seed(seed)))
    src = alleles[np.arange(2)[:, None], parents.numpy()]  # (2, 40, 2, L)
    assert np.all((gam == src[:, :, 0]) | (gam == src[:, :, 1]))


def test_cross_selfing_and_doubled_haploids():
    rng = np.random.default_rng(2)
    layout = _random_layout(rng, [100, 70], "haldane")
    alleles, haplotypes = _population(rng, layout, 3, 5)
    meiosis = Meiosis(layout)
    gen = torch.Generator().manual_seed(0)
    mothers = torch.from_numpy(rng.integers(0, 5, (3, 8)))
    fathers = torch.from_numpy(rng.integers(0, 5, (3, 8)))
    kids = layout.unpack(cross(meiosis, haplotypes, mothers, fathers, gen))  # (3, 8, 2, L)
    r = np.arange(3)[:, None]
    for homologue, parent in ((0, mothers), (1, fathers)):
        src = alleles[r, parent.numpy()]
        assert np.all((kids[:, :, homologue] == src[:, :, 0]) | (kids[:, :, homologue] == src[:, :, 1]))
    selfed = selfing(meiosis, haplotypes, mothers, gen)
    assert selfed.shape == (3, 8, 2, layout.num_words)
    dh = doubled_haploids(meiosis, haplotypes, mothers, gen)
    assert dh.shape == (3, 8, 2, layout.num_words) and dh.is_contiguous()
    assert torch.equal(dh[:, :, 0], dh[:, :, 1])


def test_meiosis_uses_only_its_generator():
    rng = np.random.default_rng(4)
    layout = _random_layout(rng, [200, 50], "kosambi")
    _, haplotypes = _population(rng, layout, 2, 10)
    parents = torch.from_numpy(rng.integers(0, 10, (2, 30)))
    meiosis = Meiosis(layout)
    runs = []
    for global_seed in (1, 2):
        torch.manual_seed(global_seed)
        runs.append(meiosis.gametes(haplotypes, parents, torch.Generator().manual_seed(99)))
    assert torch.equal(runs[0], runs[1])
    other = meiosis.gametes(haplotypes, parents, torch.Generator().manual_seed(100))
    assert not torch.equal(runs[0], other)


def test_unlinked_single_locus_chromosomes():
    layout = GenomeLayout.from_positions([np.array([0.0])] * 3, "haldane")
    haplotypes = torch.from_numpy(layout.pack(np.array([[[0, 0, 0], [1, 1, 1]]], np.uint8)))[None]
    gam = layout.unpack(Meiosis(layout).gametes(haplotypes, torch.zeros(1, 4000, dtype=torch.long), torch.Generator().manual_seed(1)))
    freq = gam.mean(axis=(0, 1))
    assert np.all(np.abs(freq - 0.5) < 0.05)


def test_allele_counts_reads_every_bit_like_the_gather():
    import torch

    from bsl.runtime.kernels import traits
    g = torch.Generator().manual_seed(3)
    R, N, W = 3, 7, 5
    h = torch.randint(-2**62, 2**62, (R, N, 2, W), dtype=torch.int64, generator=g)
    valid = torch.rand(R, N, generator=g) > 0.3
    loci = torch.randperm(W * 64, generator=g)[:100]
    counts = traits.allele_counts(h, valid, loci // 64, loci % 64)
    d = traits.dosages(h, loci // 64, loci % 64, torch.int32)
    assert torch.equal(counts, (d * valid.unsqueeze(-1)).sum(1).to(torch.int32))
