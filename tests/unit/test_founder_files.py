"""Founder files: VCF, haplotype matrices and map CSVs, good and bad."""
from __future__ import annotations

import gzip

import numpy as np
import pytest

from bsl.diagnostics import DataError
from bsl.io.founder_files import read_haplotype_matrix, read_map_csv, read_vcf

RNG = np.random.default_rng(3)
HAPS = RNG.integers(0, 2, size=(3, 2, 5), dtype=np.uint8)  # (N, 2, L)
CHROM_LABELS = ["chr1", "chr1", "chr1", "chrX", "chrX"]
POS_BP = [1000, 25_000, 3_000_000, 500, 7_000_000]
MAP_CM = [0.0, 12.5, 40.0, 3.0, 55.5]


def vcf_text(haps=HAPS, sep="|", labels=CHROM_LABELS, pos=POS_BP, fmt="GT:DP") -> str:
    n, _, num_loci = haps.shape
    lines = ["##fileformat=VCFv4.2", "##source=test",
             "#" + "\t".join(["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"]
                             + [f"s{i}" for i in range(n)])]
    for j in range(num_loci):
        gts = [f"{haps[i, 0, j]}{sep}{haps[i, 1, j]}" + (":9" if fmt == "GT:DP" else "") for i in range(n)]
        lines.append("\t".join([labels[j], str(pos[j]), f"m{j}", "A", "G", ".", "PASS", ".", fmt] + gts))
    return "\n".join(lines) + "\n"


def map_text(labels=CHROM_LABELS, cm=MAP_CM, column="position_cM") -> str:
    scale = 1.0 if column == "position_cM" else 0.01
    rows = ["locus,chromosome," + column] + [f"m{j},{c},{v * scale!r}" for j, (c, v) in enumerate(zip(labels, cm))]
    return "\n".join(rows) + "\n"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def assert_data_error(info, code, path=None, line=None):
    err = info.value
    assert err.code == code, err
    if path is not None:
        assert err.path == str(path)
    if line is not None:
        assert err.line == line
    assert err.hint or code in ("BSL503",) or err.message


# ---------------------------------------------------------------------------- round trips


def test_vcf_round_trip_with_map(tmp_path):
    vcf = write(tmp_path, "f.vcf", vcf_text())
    mp = write(tmp_path, "m.csv", map_text())
    f = read_vcf(vcf, map_path=mp)
    np.testing.assert_array_equal(f.haplotypes, HAPS)
    assert f.chromosome.tolist() == [0, 0, 0, 1, 1]
    np.testing.assert_allclose(f.positions_morgans, np.array(MAP_CM) / 100)
    assert f.names == ["s0", "s1", "s2"]


def test_vcf_gz_without_map_uses_1cm_per_mb(tmp_path):
    path = tmp_path / "f.vcf.gz"
    with gzip.open(path, "wt") as fh:
        fh.write(vcf_text(fmt="GT"))
    f = read_vcf(path)
    np.testing.assert_array_equal(f.haplotypes, HAPS)
    np.testing.assert_allclose(f.positions_morgans, np.array(POS_BP) * 1e-8)


def test_csv_matrix_round_trip(tmp_path):
    rows = HAPS.reshape(6, 5)
    mat = write(tmp_path, "h.csv", "\n".join(",".join(map(str, r)) for r in rows) + "\n")
    mp = write(tmp_path, "m.csv", map_text(column="position"))
    f = read_haplotype_matrix(mat, map_path=mp)
    np.testing.assert_array_equal(f.haplotypes, HAPS)
    np.testing.assert_allclose(f.positions_morgans, np.array(MAP_CM) / 100)
    assert f.names == ["ind1", "ind2", "ind3"]


def test_csv_matrix_tolerates_spaces(tmp_path):
    rows = HAPS.reshape(6, 5)
    mat = write(tmp_path, "h.csv", "\n".join(", ".join(map(str, r)) for r in rows) + "\n")
    f = read_haplotype_matrix(mat, map_path=write(tmp_path, "m.csv", map_text()))
    np.testing.assert_array_equal(f.haplotypes, HAPS)


def test_npy_matrix_round_trip(tmp_path):
    path = tmp_path / "h.npy"
    np.save(path, HAPS.reshape(6, 5).astype(np.int64))
    f = read_haplotype_matrix(path, map_path=write(tmp_path, "m.csv", map_text()))
    np.testing.assert_array_equal(f.haplotypes, HAPS)


def test_map_numeric_labels_in_order_of_appearance(tmp_path):
    mp = write(tmp_path, "m.csv", "chromosome,position\n7,0.1\n7,0.2\n2,0.0\n")
    chrom, pos = read_map_csv(mp)
    assert chrom.tolist() == [0, 0, 1] and chrom.dtype == np.int32
    assert pos.tolist() == [0.1, 0.2, 0.0]


# ---------------------------------------------------------------------------- bad inputs


def test_missing_file(tmp_path):
    with pytest.raises(DataError) as info:
        read_vcf(tmp_path / "nope.vcf")
    assert_data_error(info, "BSL501", tmp_path / "nope.vcf")
    with pytest.raises(DataError) as info:
        read_haplotype_matrix(tmp_path / "nope.npy", map_path=tmp_path / "m.csv")
    assert_data_error(info, "BSL501")


def test_unphased_vcf_names_the_line(tmp_path):
    haps = HAPS.copy()
    text = vcf_text(haps).splitlines()
    text[5] = text[5].replace("|", "/", 1)  # record 3 (line 6)
    vcf = write(tmp_path, "f.vcf", "\n".join(text) + "\n")
    with pytest.raises(DataError) as info:
        read_vcf(vcf)
    assert_data_error(info, "BSL502", vcf, 6)
    assert "unphased" in info.value.message and "phase" in info.value.hint


@pytest.mark.parametrize("mutate, word", [
    (lambda line: line.replace("\tG\t", "\tG,T\t"), "multi-allelic"),
    (lambda line: line.replace("0|", ".|").replace("1|", ".|"), "missing"),
    (lambda line: line.replace("\tGT:DP\t0|", "\tGT:DP\t2|").replace("\tGT:DP\t1|", "\tGT:DP\t2|"), "allele"),
    (lambda line: line.replace("\tGT:DP\t0|0", "\tGT:DP\t0").replace("\tGT:DP\t0|1", "\tGT:DP\t0")
     .replace("\tGT:DP\t1|0", "\tGT:DP\t1").replace("\tGT:DP\t1|1", "\tGT:DP\t1"), "diploid"),
])
def test_bad_vcf_records(tmp_path, mutate, word):
    text = vcf_text().splitlines()
    text[4] = mutate(text[4])
    vcf = write(tmp_path, "f.vcf", "\n".join(text) + "\n")
    with pytest.raises(DataError) as info:
        read_vcf(vcf)
    assert_data_error(info, "BSL502", vcf, 5)
    assert word in info.value.message


def test_vcf_positions_not_increasing(tmp_path):
    vcf = write(tmp_path, "f.vcf", vcf_text(pos=[1000, 900, 3_000_000, 500, 7_000_000]))
    with pytest.raises(DataError) as info:
        read_vcf(vcf)
    assert_data_error(info, "BSL504", vcf, 5)


def test_vcf_without_header(tmp_path):
    vcf = write(tmp_path, "f.vcf", "chr1\t1\t.\tA\tG\t.\t.\t.\tGT\t0|1\n")
    with pytest.raises(DataError) as info:
        read_vcf(vcf)
    assert_data_error(info, "BSL502", vcf, 1)


def test_vcf_map_row_count_mismatch(tmp_path):
    vcf = write(tmp_path, "f.vcf", vcf_text())
    mp = write(tmp_path, "m.csv", map_text(CHROM_LABELS[:4], MAP_CM[:4]))
    with pytest.raises(DataError) as info:
        read_vcf(vcf, map_path=mp)
    assert_data_error(info, "BSL503", mp)


def test_ragged_csv_rows(tmp_path):
    mat = write(tmp_path, "h.csv", "0,1,0,1,1\n1,0,0,1\n0,0,0,0,0\n1,1,1,1,1\n")
    with pytest.raises(DataError) as info:
        read_haplotype_matrix(mat, map_path=write(tmp_path, "m.csv", map_text()))
    assert_data_error(info, "BSL503", mat, 2)


def test_non_binary_csv_values(tmp_path):
    mat = write(tmp_path, "h.csv", "0,1,0,1,1\n1,0,2,1,0\n")
    with pytest.raises(DataError) as info:
        read_haplotype_matrix(mat, map_path=write(tmp_path, "m.csv", map_text()))
    assert_data_error(info, "BSL502", mat, 2)
    assert "column 3" in info.value.message


def test_csv_header_is_rejected_with_hint(tmp_path):
    mat = write(tmp_path, "h.csv", "m0,m1,m2,m3,m4\n0,1,0,1,1\n1,0,0,1,0\n")
    with pytest.raises(DataError) as info:
        read_haplotype_matrix(mat, map_path=write(tmp_path, "m.csv", map_text()))
    assert_data_error(info, "BSL502", mat, 1)
    assert "no header" in info.value.hint


def test_matrix_without_map(tmp_path):
    mat = write(tmp_path, "h.csv", "0,1\n1,0\n")
    with pytest.raises(DataError) as info:
        read_haplotype_matrix(mat, map_path=None)
    assert_data_error(info, "BSL501", mat)
    assert "map" in info.value.hint


def test_odd_number_of_haplotype_rows(tmp_path):
    mat = write(tmp_path, "h.csv", "0,1,0,1,1\n1,0,0,1,0\n0,0,0,0,0\n")
    with pytest.raises(DataError) as info:
        read_haplotype_matrix(mat, map_path=write(tmp_path, "m.csv", map_text()))
    assert_data_error(info, "BSL503", mat)
    assert "odd" in info.value.message


def test_matrix_columns_differ_from_map_rows(tmp_path):
    path = tmp_path / "h.npy"
    np.save(path, np.zeros((4, 6), dtype=np.uint8))
    mp = write(tmp_path, "m.csv", map_text())
    with pytest.raises(DataError) as info:
        read_haplotype_matrix(path, map_path=mp)
    assert_data_error(info, "BSL503", mp)


def test_npy_bad_values_and_shape(tmp_path):
    mp = write(tmp_path, "m.csv", map_text())
    path = tmp_path / "h.npy"
    np.save(path, np.full((4, 5), 3))
    with pytest.raises(DataError) as info:
        read_haplotype_matrix(path, map_path=mp)
    assert_data_error(info, "BSL502", path)
    np.save(path, np.zeros((2, 2, 5), dtype=np.uint8))
    with pytest.raises(DataError) as info:
        read_haplotype_matrix(path, map_path=mp)
    assert_data_error(info, "BSL503", path)
    path.write_bytes(b"garbage")
    with pytest.raises(DataError) as info:
        read_haplotype_matrix(path, map_path=mp)
    assert_data_error(info, "BSL502", path)


def test_map_positions_not_increasing_gives_line(tmp_path):
    mp = write(tmp_path, "m.csv", "chromosome,position_cM\n1,0\n1,5\n1,5\n2,1\n")
    with pytest.raises(DataError) as info:
        read_map_csv(mp)
    assert_data_error(info, "BSL504", mp, 4)


@pytest.mark.parametrize("text, line", [
    ("chrom,pos\n1,0\n", 1),                      # bad header
    ("chromosome,position\n1,abc\n", 2),          # not a number
    ("chromosome,position\n1,0.1\n1\n", 3),       # ragged
    ("chromosome,position\n1,0.1\n2,0.1\n1,0.3\n", 4),  # chromosome not grouped
    ("chromosome,position\n1,-0.1\n", 2),         # negative
])
def test_malformed_map(tmp_path, text, line):
    mp = write(tmp_path, "m.csv", text)
    with pytest.raises(DataError) as info:
        read_map_csv(mp)
    assert_data_error(info, "BSL502", mp, line)
    assert info.value.hint or info.value.message
