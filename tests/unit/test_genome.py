"""GenomeLayout: bit packing, locus addressing, subsets, coupling and input validation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from bsl.runtime.genome import GenomeLayout


def _layout(loci: list[int], map_function: str = "haldane") -> GenomeLayout:
    return GenomeLayout.from_positions([np.linspace(0.0, 1.0, n) + 0.01 for n in loci], map_function)


@settings(max_examples=60, deadline=None)
@given(
    loci=st.lists(st.integers(1, 200), min_size=1, max_size=4),
    rows=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_pack_unpack_round_trip(loci, rows, seed):
    layout = _layout(loci)
    alleles = np.random.default_rng(seed).integers(0, 2, (rows, layout.num_loci), dtype=np.uint8)
    packed = layout.pack(alleles)
    assert packed.dtype == np.int64 and packed.shape == (rows, layout.num_words)
    np.testing.assert_array_equal(layout.unpack(packed), alleles)
    np.testing.assert_array_equal(layout.unpack(torch.from_numpy(packed)), alleles)


def test_bit_63_is_the_sign_bit_and_padding_is_zero():
    layout = _layout([64, 70])
    alleles = np.zeros(layout.num_loci, dtype=np.uint8)
    alleles[63] = 1
    alleles[64 + 69] = 1  # local locus 69 of chromosome 1: word 2, bit 5
    packed = layout.pack(alleles)
    assert packed.tolist() == [np.iinfo(np.int64).min, 0, 1 << 5]
    assert layout.pack(np.ones(layout.num_loci, np.uint8)).tolist() == [-1, -1, (1 << 6) - 1]


def test_word_and_bit_follow_the_contract():
    layout = _layout([130, 5, 64])
    assert layout.words_per_chromosome == [3, 1, 1]
    assert layout.word_offset == [0, 3, 4] and layout.num_words == 5
    word, bit = layout.word_and_bit(np.array([0, 63, 64, 129, 130, 134, 135, 198]))
    assert word.tolist() == [0, 0, 1, 2, 3, 3, 4, 4]
    assert bit.tolist() == [0, 63, 0, 1, 0, 4, 0, 63]
    assert word.dtype == np.int64 and bit.dtype == np.int64
    assert layout.chromosome.tolist() == [0] * 130 + [1] * 5 + [2] * 64


def test_kosambi_meiosis_positions_keep_adjacent_r():
    pos = np.array([0.2, 0.25, 0.4, 1.1])
    layout = GenomeLayout.from_positions([pos], "kosambi")
    d = layout.meiosis_positions[0]
    assert d[0] == pytest.approx(0.2)
    np.testing.assert_allclose(0.5 * (1 - np.exp(-2 * np.diff(d))), 0.5 * np.tanh(2 * np.diff(pos)))
    np.testing.assert_array_equal(GenomeLayout.from_positions([pos], "haldane").meiosis_positions[0], pos)


def test_subset_keeps_positions_and_recombination():
    layout = GenomeLayout.from_positions(
        [np.linspace(0, 1, 50), np.linspace(0, 2, 80), np.linspace(0, 1, 10)], "kosambi"
    )
    idx = np.array([3, 10, 49, 132, 137])  # chromosome 1 has no kept locus
    sub = layout.subset(idx)
    assert sub.num_chromosomes == 2 and sub.loci_per_chromosome == [3, 2]
    np.testing.assert_array_equal(sub.positions, layout.positions[idx])
    np.testing.assert_array_equal(np.concatenate(sub.meiosis_positions), np.concatenate(layout.meiosis_positions)[idx])
    for a in range(len(idx)):
        for b in range(len(idx)):
            assert sub.recombination_fraction(a, b) == pytest.approx(layout.recombination_fraction(idx[a], idx[b]))
    np.testing.assert_allclose(sub.coupling(np.arange(5)), layout.coupling(idx))
    with pytest.raises(ValueError):
        layout.subset(np.array([5, 3]))


def test_coupling_and_recombination_fraction():
    layout = GenomeLayout.from_positions([np.array([0.0, 0.1, 0.5]), np.array([0.3])], "haldane")
    c = layout.coupling(np.array([0, 1, 2, 3]))
    assert c.shape == (4, 4) and c.dtype == np.float64
    np.testing.assert_allclose(np.diag(c), 1.0)
    np.testing.assert_allclose(c, c.T)
    assert c[0, 3] == 0.0 and c[2, 3] == 0.0
    assert c[0, 2] == pytest.approx(np.exp(-1.0))
    assert layout.recombination_fraction(0, 1) == pytest.approx(0.5 * (1 - np.exp(-0.2)))
    assert layout.recombination_fraction(1, 3) == 0.5
    assert layout.recombination_fraction(2, 2) == 0.0


@pytest.mark.parametrize(
    "positions",
    [[np.array([0.0, 0.1, 0.1])], [np.array([0.3, 0.2])], [np.array([])], [np.array([0.0, np.nan])], []],
)
def test_bad_positions_are_rejected(positions):
    with pytest.raises(ValueError):
        GenomeLayout.from_positions(positions, "haldane")


def test_unknown_map_function_lists_choices():
    with pytest.raises(ValueError, match="haldane, kosambi"):
        GenomeLayout.from_positions([np.array([0.0, 1.0])], "morgan")


def test_suffix_masks():
    layout = _layout([70, 3])
    masks = layout.suffix_masks("cpu")
    assert masks.shape == (2, 71, 2) and masks.dtype == torch.int64
    for c, n in enumerate(layout.loci_per_chromosome):
        for k in (0, 1, 63, 64, n - 1, n):
            if k > n:
                continue
            bits = np.zeros(layout.words_per_chromosome[c] * 64, np.uint8)
            bits[k:n] = 1
            expect = np.packbits(bits.reshape(-1, 64), axis=-1, bitorder="little").view("<i8").ravel()
            assert masks[c, k, : expect.size].tolist() == expect.tolist()
            assert masks[c, k, expect.size :].eq(0).all()
