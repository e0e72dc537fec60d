"""Founder data for a run: simulated by msprime or read from files, and every data file checked up front.

Torch-free, so that `bsl check` can validate data files without loading the engine.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from bsl.diagnostics import BslError, DataError, Diagnostic
from bsl.io.coalescent import coalescent_founders, founder_cache_key
from bsl.io.founder_files import read_haplotype_matrix, read_vcf
from bsl.io.founders import FounderSet
from bsl.io.qtl_table import read_qtl_csv
from bsl.ir import nodes as ir
from bsl.source import SourceFile


def default_cache_dir() -> str:
    return os.environ.get("BSL_CACHE_DIR") or str(Path.home() / ".cache" / "bsl" / "founders")


def founder_seeds(program: ir.Program) -> list[int]:
    """The seed of each founders set, in declaration order, drawn from the scheme's seed
    (a coalescent block's own `seed` overrides its entry when the founders are simulated)."""
    founder_ss = np.random.SeedSequence(program.seed).spawn(2)[0]
    return [int(s) for s in founder_ss.generate_state(len(program.founders), dtype=np.uint32)]


def data_error(err: DataError, spec_span, program: ir.Program) -> BslError:
    """A data-file problem as a diagnostic at the scheme statement that named the file, with its excerpt."""
    where = f"{err.path}:{err.line}: " if err.path and err.line else (f"{err.path}: " if err.path else "")
    return BslError(Diagnostic(err.code, f"{where}{err.message}", spec_span, err.hint, path=program.source_path),
                    SourceFile(program.source_path, program.source_text) if program.source_text else None)


def load_founders(program: ir.Program, spec: ir.FounderSpec, seed: int, cache_dir: str | None,
                  workers: int) -> tuple[FounderSet, dict]:
    """Load or simulate one founder set; data problems become located BSL5xx diagnostics."""
    try:
        if spec.source == "coalescent":
            kw = dict(spec.coalescent)
            g = program.genome
            assert g is not None and g.num_chromosomes and g.loci_per_chromosome
            args = dict(num_chromosomes=g.num_chromosomes, loci_per_chromosome=g.loci_per_chromosome,
                        chromosome_length_morgans=g.length_morgans, effective_size=kw["effective_size"],
                        pool_size=kw["pool"], sample_size=kw.get("sample"),
                        sample_method=kw.get("sample_method", "random"), maf=kw["maf"],
                        random_mating_generations=kw["random_mating"], mutation_rate=kw["mutation_rate"],
                        random_seed=int(kw.get("seed", seed)),
                        linked_length_morgans=float(kw.get("linked_length", 1.0)),
                        genealogy=str(kw.get("genealogy", "independent")),
                        # only when given, so the manifests of founders without them stay as they were
                        **{k: kw[k] for k in ("sites", "haplotypes") if k in kw})
            fs = coalescent_founders(**args, cache_dir=cache_dir, workers=workers)
            return fs, {"source": "coalescent", "cache_key": founder_cache_key(**args), **{k: str(v) for k, v in args.items()}}
        if spec.source == "model":
            return model_founders(program, spec, seed)
        path = spec.path or ""
        lower = path.lower()
        if lower.endswith(".vcf") or lower.endswith(".vcf.gz"):
            fs = read_vcf(path, map_path=spec.map_path)
        else:
            fs = read_haplotype_matrix(path, map_path=spec.map_path)
        return fs, {"source": "file", "path": path, "map": spec.map_path or ""}
    except DataError as err:
        raise data_error(err, spec.span, program) from None
    except (ValueError, TypeError) as err:  # argument validation inside the io layer
        raise BslError(Diagnostic("BSL507", f"founders `{spec.name}`: {err}", spec.span), None) from None




def model_founders(program: ir.Program, spec: ir.FounderSpec, seed: int) -> tuple[FounderSet, dict]:
    """`founders f from model g { sample N }`: N genotypes drawn from the trained model, phased at random.

    Heterozygous loci get allele 1 on a homologue chosen with probability 1/2 (a generative
    genotype model has no phase); the map is the model's. A scheme genome that disagrees with the
    model's loci is BSL552.
    """
    from bsl.genai.store import load_model  # torch is needed only here

    folder = Path(spec.path or "")
    if not (folder / "model.json").is_file():
        raise DataError(f"model `{spec.model}` has not been trained (nothing in {folder})", code="BSL550",
                        hint=f"train it first: `bsl train {program.source_path} --model {spec.model}`")
    saved = load_model(folder)
    L = saved.chromosome.size
    g = program.genome
    if g is not None and g.num_chromosomes and g.loci_per_chromosome:
        expected = [g.loci_per_chromosome] * g.num_chromosomes
        got = np.bincount(saved.chromosome).tolist()
        if got != expected:
            raise DataError(f"model `{spec.model}` was trained on {len(got)} chromosome(s) with {got[:4]}"
                            f"{'…' if len(got) > 4 else ''} loci, but the scheme's genome has {len(expected)} "
                            f"with {g.loci_per_chromosome} each", path=spec.path, code="BSL552",
                            hint="train the model on founders with this genome (`bsl train`), or change the genome")
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    if saved.model.condition_dim and spec.given is None:
        raise DataError(f"model `{spec.model}` was trained with a condition; say at which value to sample",
                        path=spec.path, code="BSL552", hint="add `given VALUE` to the founders block")
    condition = None if spec.given is None else float(spec.given)
    if condition is not None and not saved.model.condition_dim:
        raise DataError(f"model `{spec.model}` was trained without a condition", path=spec.path, code="BSL552",
                        hint=f"train it again: `bsl train {program.source_path} --model {spec.model}`")
    dosages = saved.model.sample(int(spec.sample or 1), random_seed=int(rng.integers(2**31)),
                                 condition=condition)  # (N, L)
    first = rng.random(dosages.shape) < 0.5  # which homologue carries the 1 of a heterozygote
    haplotypes = np.empty((dosages.shape[0], 2, L), dtype=np.uint8)
    haplotypes[:, 0] = (dosages == 2) | ((dosages == 1) & first)
    haplotypes[:, 1] = (dosages == 2) | ((dosages == 1) & ~first)
    names = [f"{spec.name}_{i + 1}" for i in range(dosages.shape[0])]
    fs = FounderSet(haplotypes, saved.chromosome, saved.positions_morgans, names, source=str(spec.path))
    prov = {} if spec.given is None else {"given": spec.given}
    return fs, {"source": "model", "model": spec.model or "", "path": str(spec.path), **prov,
                "family": saved.manifest.get("family", ""), "data_sha256": saved.manifest.get("data", {}).get("sha256", "")}


def validate_data_files(program: ir.Program) -> list[Diagnostic]:
    """Read every founder file and QTL table the scheme names and report all problems (for `bsl check`).

    Coalescent founders are not simulated here; QTL tables are checked against the genome's loci
    (the founder file's map, or the genome block).
    """
    diags: list[Diagnostic] = []
    loci: list[int] | None = None
    if program.genome and program.genome.num_chromosomes and program.genome.loci_per_chromosome:
        loci = [program.genome.loci_per_chromosome] * program.genome.num_chromosomes
    first_map: np.ndarray | None = None
    for spec in program.founders:
        if spec.source != "file":
            continue
        try:
            fs, _ = load_founders(program, spec, 0, None, 1)
        except BslError as err:
            diags.extend(err.diagnostics)
            continue
        if first_map is None:
            first_map = fs.positions_morgans
            loci = fs.loci_per_chromosome()
    for spec in program.traits:
        if spec.qtl_path and loci is not None:
            try:
                read_qtl_csv(spec.qtl_path, list(loci))
            except DataError as err:
                diags.extend(data_error(err, spec.span, program).diagnostics)
    return diags
