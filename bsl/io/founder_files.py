"""Founder files: phased VCF, haplotype matrices (CSV/NumPy) and genetic-map CSVs read into a FounderSet."""
from __future__ import annotations

import csv
import gzip
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bsl.diagnostics import DataError
from bsl.io.founders import FounderSet

#: Physical-to-genetic scale used when a VCF comes without a map: 1 cM per Mb.
MORGANS_PER_BP = 1e-8

MAP_POSITION_COLUMNS = {"position": 1.0, "position_cM": 0.01}  # column name -> Morgans per unit


# ---------------------------------------------------------------------------------------
# opening files


def _open_text(path: str | os.PathLike) -> io.TextIOBase:
    """Open plain or gzip text (detected from the magic bytes, not the suffix)."""
    p = str(path)
    try:
        with open(p, "rb") as fh:
            magic = fh.read(2)
        if magic == b"\x1f\x8b":
            return io.TextIOWrapper(gzip.open(p, "rb"), encoding="utf-8", newline=None)
        return open(p, encoding="utf-8", newline=None)
    except FileNotFoundError:
        raise DataError("file not found", path=p, code="BSL501",
                        hint="check the path; relative paths are resolved from the scheme file's folder") from None
    except IsADirectoryError:
        raise DataError("expected a file but found a directory", path=p, code="BSL501") from None
    except OSError as exc:
        raise DataError(f"cannot read file: {exc.strerror or exc}", path=p, code="BSL501",
                        hint="check the file's permissions") from None


def _lines(path: str | os.PathLike):
    """Yield (line_number, line without newline); decoding and gzip errors become DataError."""
    p = str(path)
    fh = _open_text(p)
    number = 0
    try:
        with fh:
            for number, line in enumerate(fh, start=1):
                yield number, line.rstrip("\r\n")
    except UnicodeDecodeError:
        raise DataError("file is not UTF-8 text", path=p, line=number + 1, code="BSL502",
                        hint="save the file as plain UTF-8 text (or gzip of it)") from None
    except (OSError, EOFError) as exc:  # truncated or corrupt gzip
        raise DataError(f"cannot read file: {exc}", path=p, line=number + 1, code="BSL501",
                        hint="the file looks truncated or corrupt; re-export it") from None


# ---------------------------------------------------------------------------------------
# genetic map


@dataclass(frozen=True)
class _Map:
    labels: list[str]  # chromosome label of each locus, as written
    chromosome: np.ndarray  # (L,) int32, 0-based in order of first appearance
    positions_morgans: np.ndarray  # (L,) float64
    lines: np.ndarray  # (L,) line number of each locus in the file


def _read_map(path: str | os.PathLike) -> _Map:
    p = str(path)
    rows = _lines(p)
    try:
        first = next(rows)
    except StopIteration:
        raise DataError("map file is empty", path=p, code="BSL502",
                        hint="the first line must be a header such as `chromosome,position`") from None
    header = [h.strip() for h in next(csv.reader([first[1]]))]
    position_columns = [c for c in MAP_POSITION_COLUMNS if c in header]
    if "chromosome" not in header or len(position_columns) != 1:
        raise DataError(f"map header must have a `chromosome` column and exactly one of "
                        f"`position` (Morgans) or `position_cM` (centimorgans); found {', '.join(header) or 'nothing'}",
                        path=p, line=1, code="BSL502",
                        hint="write a header line `chromosome,position` or `chromosome,position_cM` "
                             "(an optional `locus` column is allowed)")
    ci, pi = header.index("chromosome"), header.index(position_columns[0])
    scale = MAP_POSITION_COLUMNS[position_columns[0]]
    labels: list[str] = []
    index_of: dict[str, int] = {}
    chrom: list[int] = []
    pos: list[float] = []
    lines: list[int] = []
    for number, text in rows:
        if not text.strip():
            continue
        fields = [f.strip() for f in next(csv.reader([text]))]
        if len(fields) != len(header):
            raise DataError(f"expected {len(header)} fields as in the header, found {len(fields)}",
                            path=p, line=number, code="BSL502", hint="every row needs a value for each column")
        label = fields[ci]
        try:
            value = float(fields[pi]) * scale
        except ValueError:
            raise DataError(f"position {fields[pi]!r} is not a number", path=p, line=number, code="BSL502") from None
        if not np.isfinite(value) or value < 0:
            raise DataError(f"position {fields[pi]!r} must be a finite number >= 0", path=p, line=number,
                            code="BSL502")
        if label not in index_of:
            index_of[label] = len(index_of)
        c = index_of[label]
        if chrom and c != chrom[-1]:
            if c != chrom[-1] + 1:
                raise DataError(f"chromosome {label!r} appears again after other chromosomes",
                                path=p, line=number, code="BSL502",
                                hint="group the rows by chromosome, each sorted by position")
        elif chrom and value <= pos[-1]:
            raise DataError(f"position {fields[pi]} on chromosome {label!r} does not increase "
                            f"(previous locus at {pos[-1] / scale:g}, line {lines[-1]})",
                            path=p, line=number, code="BSL504",
                            hint="sort loci by position within each chromosome and drop duplicate positions")
        labels.append(label)
        chrom.append(c)
        pos.append(value)
        lines.append(number)
    if not chrom:
        raise DataError("map file has a header but no loci", path=p, code="BSL505")
    return _Map(labels, np.asarray(chrom, dtype=np.int32), np.asarray(pos, dtype=np.float64),
                np.asarray(lines, dtype=np.int64))


def read_map_csv(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Read a genetic map CSV.

    The header names the columns: ``chromosome`` and either ``position`` (Morgans) or
    ``position_cM`` (centimorgans); an optional ``locus`` column (and any other column) is
    ignored. Chromosome labels may be names or numbers; they are numbered 0, 1, ... in order of
    first appearance. Rows must be grouped by chromosome with positions strictly increasing.

    Returns:
        ``(chromosome, positions_morgans)``: ``int32 (L,)`` and ``float64 (L,)``.

    Raises:
        DataError: BSL501 (missing/unreadable), BSL502 (bad header, field or grouping),
            BSL504 (positions not increasing; the line is given), BSL505 (no loci).
    """
    m = _read_map(path)
    return m.chromosome, m.positions_morgans


def _check_columns_match_map(num_loci: int, m: _Map, path: str, map_path: str) -> None:
    if num_loci != m.chromosome.size:
        raise DataError(f"{num_loci} loci in {Path(path).name} but {m.chromosome.size} rows in the map",
                        path=map_path, code="BSL503",
                        hint="the map needs one row per locus, in the same order as the genotype file")


# ---------------------------------------------------------------------------------------
# VCF


def _parse_gt(fields: list[str], gt_index: int, names: list[str], p: str, number: int) -> np.ndarray:
    """The phased GT of every sample on one VCF line as a (2, n) uint8 array."""
    samples = fields[9:]
    if len(samples) != len(names):
        raise DataError(f"{len(samples)} sample columns but the header names {len(names)} samples",
                        path=p, line=number, code="BSL502", hint="every record needs one column per sample")
    gts = samples if gt_index == 0 and ":" not in fields[8] else [s.split(":")[gt_index] for s in samples]
    joined = "".join(gts)
    if len(joined) == 3 * len(gts):
        raw = np.frombuffer(joined.encode("ascii", "replace"), dtype=np.uint8).reshape(-1, 3)
        ok = (raw[:, 1] == ord("|")) & np.isin(raw[:, 0], (48, 49)) & np.isin(raw[:, 2], (48, 49))
        if ok.all():
            return (raw[:, [0, 2]] - 48).T.astype(np.uint8)
    for name, gt in zip(names, gts):  # slow path: find the first bad genotype and say why
        if "/" in gt:
            raise DataError(f"genotype {gt!r} of sample {name!r} is unphased", path=p, line=number,
                            code="BSL502", hint="phase the VCF first (e.g. with Beagle or SHAPEIT); "
                                                "founders need haplotypes written as 0|1")
        alleles = gt.split("|")
        if len(alleles) != 2:
            raise DataError(f"genotype {gt!r} of sample {name!r} is not diploid", path=p, line=number,
                            code="BSL502", hint="founders must be diploid with phased genotypes like 0|1")
        for a in alleles:
            if a == ".":
                raise DataError(f"genotype {gt!r} of sample {name!r} is missing", path=p, line=number,
                                code="BSL502", hint="impute missing genotypes before using the file")
            if a not in ("0", "1"):
                raise DataError(f"genotype {gt!r} of sample {name!r} has allele {a!r}; only 0 and 1 are allowed",
                                path=p, line=number, code="BSL502",
                                hint="keep biallelic sites only (e.g. `bcftools view -m2 -M2`)")
    raise DataError("malformed genotype field", path=p, line=number, code="BSL502")  # pragma: no cover


def read_vcf(path: str | os.PathLike, *, map_path: str | os.PathLike | None = None) -> FounderSet:
    """Read phased diploid founders from a VCF (plain or gzip-compressed).

    Records must be biallelic (one ALT allele, or ``.``), with a ``GT`` field phased as
    ``0|1`` for every sample (no missing calls), grouped by chromosome and sorted by POS.
    Allele 1 (ALT) is the counted allele. Chromosomes are numbered in order of first appearance.

    Positions: from ``map_path`` when given (see :func:`read_map_csv`; one row per VCF record,
    in the same order, with the same chromosome grouping); otherwise from the POS column at
    1 cM per Mb, i.e. ``POS * 1e-8`` Morgans.

    Raises:
        DataError: with the path and the line of the first problem: BSL501 missing/unreadable,
            BSL502 malformed (unphased, missing, multi-allelic, haploid, bad header),
            BSL503 map rows differ from records, BSL504 positions not increasing, BSL505 no records.
    """
    p = str(path)
    names: list[str] | None = None
    labels: dict[str, int] = {}
    chrom: list[int] = []
    pos_bp: list[int] = []
    columns: list[np.ndarray] = []  # each (2, n)
    gt_format: tuple[str, int] | None = None
    saw_fileformat = False
    for number, line in _lines(p):
        if line.startswith("##"):
            saw_fileformat = saw_fileformat or line.startswith("##fileformat=VCF")
            continue
        if line.startswith("#"):
            header = line[1:].split("\t")
            if header[:8] != ["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]:
                raise DataError("the #CHROM header line must be tab-separated and start with "
                                "CHROM POS ID REF ALT QUAL FILTER INFO", path=p, line=number, code="BSL502")
            if len(header) < 10 or header[8] != "FORMAT":
                raise DataError("the VCF has no FORMAT column or no samples", path=p, line=number, code="BSL502",
                                hint="founder VCFs need a FORMAT column with GT and one column per individual")
            names = header[9:]
            if len(set(names)) != len(names):
                raise DataError("sample names in the #CHROM line are not unique", path=p, line=number,
                                code="BSL502")
            continue
        if not line.strip():
            continue
        if names is None:
            raise DataError("data line before the #CHROM header line" if saw_fileformat
                            else "not a VCF file: no `#CHROM` header line before the data",
                            path=p, line=number, code="BSL502",
                            hint="a VCF starts with `##fileformat=VCFv4.x` and a `#CHROM ...` header line")
        fields = line.split("\t")
        if len(fields) < 10:
            raise DataError(f"expected {9 + len(names)} tab-separated fields, found {len(fields)}",
                            path=p, line=number, code="BSL502")
        if "," in fields[4]:
            raise DataError(f"site is multi-allelic (ALT {fields[4]!r}); only biallelic sites are supported",
                            path=p, line=number, code="BSL502",
                            hint="split or drop multi-allelic sites (e.g. `bcftools view -m2 -M2 -v snps`)")
        if gt_format is None or gt_format[0] != fields[8]:
            keys = fields[8].split(":")
            if "GT" not in keys:
                raise DataError("FORMAT has no GT field", path=p, line=number, code="BSL502",
                                hint="founder VCFs need phased GT calls")
            gt_format = (fields[8], keys.index("GT"))
        try:
            position = int(fields[1])
        except ValueError:
            raise DataError(f"POS {fields[1]!r} is not an integer", path=p, line=number, code="BSL502") from None
        label = fields[0]
        if label not in labels:
            labels[label] = len(labels)
        c = labels[label]
        if chrom and c != chrom[-1]:
            if c != chrom[-1] + 1:
                raise DataError(f"chromosome {label!r} appears again after other chromosomes",
                                path=p, line=number, code="BSL502",
                                hint="sort the VCF by chromosome and position (e.g. `bcftools sort`)")
        elif chrom and position <= pos_bp[-1]:
            raise DataError(f"POS {position} on {label} does not increase (previous record at {pos_bp[-1]})",
                            path=p, line=number, code="BSL504",
                            hint="sort the VCF by position (`bcftools sort`) and drop duplicate sites")
        columns.append(_parse_gt(fields, gt_format[1], names, p, number))
        chrom.append(c)
        pos_bp.append(position)
    if names is None:
        raise DataError("not a VCF file: no `#CHROM` header line", path=p, code="BSL502",
                        hint="a VCF starts with `##fileformat=VCFv4.x` and a `#CHROM ...` header line")
    if not columns:
        raise DataError("the VCF has no records", path=p, code="BSL505")
    haplotypes = np.stack(columns, axis=2).transpose(1, 0, 2)  # (L, 2, N) -> (N, 2, L)
    chromosome = np.asarray(chrom, dtype=np.int32)
    if map_path is None:
        positions = np.asarray(pos_bp, dtype=np.float64) * MORGANS_PER_BP
    else:
        m = _read_map(map_path)
        _check_columns_match_map(chromosome.size, m, p, str(map_path))
        _check_same_chromosomes(chromosome, list(labels), m, str(map_path))
        positions = m.positions_morgans
    return FounderSet(haplotypes=haplotypes, chromosome=chromosome, positions_morgans=positions,
                      names=names, source=p)


def _check_same_chromosomes(chromosome: np.ndarray, labels: list[str], m: _Map, map_path: str) -> None:
    bad = np.flatnonzero(chromosome != m.chromosome)
    if bad.size:
        j = int(bad[0])
        raise DataError(f"map row for locus {j + 1} is on chromosome {m.labels[j]!r} but the genotype file "
                        f"puts it on {labels[chromosome[j]]!r}", path=map_path, line=int(m.lines[j]),
                        code="BSL503", hint="list the map rows in the same order as the genotype records")


# ---------------------------------------------------------------------------------------
# haplotype matrices


def _read_matrix_csv(p: str) -> np.ndarray:
    """Rows of 0/1 separated by commas, no header; one row per haplotype. (2N, L) uint8."""
    rows: list[np.ndarray] = []
    width = None
    for number, line in _lines(p):
        if not line.strip():
            continue
        raw = np.frombuffer(line.encode("utf-8"), dtype=np.uint8)
        fast = raw.size % 2 == 1 and np.all(raw[1::2] == ord(",")) and np.isin(raw[0::2], (48, 49)).all()
        if fast:
            row = (raw[0::2] - 48).astype(np.uint8)
        else:
            tokens = [t.strip() for t in line.split(",")]
            for k, t in enumerate(tokens, start=1):
                if t not in ("0", "1"):
                    raise DataError(f"column {k} holds {t!r}; haplotype values must be 0 or 1",
                                    path=p, line=number, code="BSL502",
                                    hint="the file has no header row: one row per haplotype, comma-separated 0/1"
                                    if number == 1 else "recode alleles as 0/1")
            row = np.asarray([int(t) for t in tokens], dtype=np.uint8)
        if width is None:
            width = row.size
        elif row.size != width:
            raise DataError(f"row has {row.size} values but the first row has {width}", path=p, line=number,
                            code="BSL503", hint="every haplotype row needs one value per locus")
        rows.append(row)
    if not rows:
        raise DataError("haplotype file is empty", path=p, code="BSL505")
    return np.stack(rows)


def _read_matrix_npy(p: str) -> np.ndarray:
    try:
        arr = np.load(p, allow_pickle=False)
    except FileNotFoundError:
        raise DataError("file not found", path=p, code="BSL501") from None
    except (OSError, ValueError, EOFError) as exc:
        raise DataError(f"cannot read a NumPy array: {exc}", path=p, code="BSL502",
                        hint="save the matrix with numpy.save as a (2N, L) integer array") from None
    if not isinstance(arr, np.ndarray) or arr.ndim != 2:
        raise DataError(f"expected a 2-D array (2N haplotypes x L loci); got shape {getattr(arr, 'shape', None)}",
                        path=p, code="BSL503")
    if arr.dtype.kind not in "biuf":
        raise DataError(f"expected 0/1 numbers; got dtype {arr.dtype}", path=p, code="BSL502")
    if arr.size and not np.isin(arr, (0, 1)).all():
        r, c = np.argwhere(~np.isin(arr, (0, 1)))[0]
        raise DataError(f"value {arr[r, c]!r} at row {r}, column {c}; haplotype values must be 0 or 1",
                        path=p, code="BSL502", hint="recode alleles as 0/1")
    return arr.astype(np.uint8)


def read_haplotype_matrix(path: str | os.PathLike, *, map_path: str | os.PathLike | None) -> FounderSet:
    """Read founders from a haplotype matrix and a genetic map.

    ``path`` is either a ``.npy`` file holding a ``(2N, L)`` 0/1 array, or a CSV (any other
    suffix, plain or gzip) with **no header**: one comma-separated row of 0/1 per haplotype,
    rows ``2i`` and ``2i+1`` being the two homologues of individual ``i``. Individuals are named
    ``ind1``, ``ind2``, ... in row order. ``map_path`` is a map CSV (:func:`read_map_csv`) with one
    row per column of the matrix.

    Raises:
        DataError: BSL501 missing/unreadable, BSL502 values other than 0/1, BSL503 ragged rows,
            an odd number of haplotype rows or matrix columns != map rows, BSL504 map positions
            not increasing (with the map's line), BSL505 empty file.
    """
    p = str(path)
    if map_path is None:
        raise DataError("a haplotype matrix needs a genetic map", path=p, code="BSL501",
                        hint='name one with `map "file.csv"` (columns chromosome,position or chromosome,position_cM)')
    matrix = _read_matrix_npy(p) if p.endswith(".npy") else _read_matrix_csv(p)  # (2N, L)
    if matrix.shape[0] % 2:
        raise DataError(f"{matrix.shape[0]} haplotype rows is odd; founders are diploid", path=p,
                        code="BSL503", hint="give two rows per individual, one per homologue")
    m = _read_map(map_path)
    _check_columns_match_map(matrix.shape[1], m, p, str(map_path))
    n = matrix.shape[0] // 2
    return FounderSet(haplotypes=matrix.reshape(n, 2, -1), chromosome=m.chromosome,
                      positions_morgans=m.positions_morgans, names=[f"ind{i + 1}" for i in range(n)], source=p)


def write_haplotype_matrix(founders: FounderSet, path: str | os.PathLike, map_path: str | os.PathLike) -> None:
    """Write founders as ``read_haplotype_matrix`` reads them: ``path`` a (2N, L) 0/1 ``.npy``
    (two rows per individual) and ``map_path`` a CSV of chromosome (1-based) and position_cM."""
    n, _, num_loci = founders.haplotypes.shape
    np.save(path, founders.haplotypes.reshape(2 * n, num_loci).astype(np.uint8))
    with open(map_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["chromosome", "position_cM"])
        for c, p in zip(founders.chromosome, founders.positions_morgans):
            w.writerow([int(c) + 1, f"{100 * p:.4f}"])
