"""Training and evaluating a scheme's generative models: `bsl train` and `bsl evaluate`.

A model learns from one of the scheme's founders sets (simulated or read exactly as `bsl run`
would, cached), minus a held-out share of the individuals kept for evaluation; a phenotype model
learns the trial records of those individuals (bsl.genai.trials). It is saved with its loci, the
data's hash and the training log (bsl.genai.store).
"""
from __future__ import annotations

import os
from typing import Callable

import numpy as np

from bsl import __version__
from bsl.diagnostics import BslError, Diagnostic, did_you_mean
from bsl.io.founders import FounderSet
from bsl.ir import nodes as ir
from bsl.ir.graph import ExecutionGraph
from bsl.runtime.founders import default_cache_dir, founder_seeds, load_founders


def _models(graph: ExecutionGraph, name: str | None) -> list[ir.ModelSpec]:
    models = graph.program.models
    if not models:
        raise BslError(Diagnostic("BSL002", f"{graph.program.source_path} declares no model", path="<command line>",
                                  hint="declare one: `model g = diffusion { data base }`"))
    if name is None:
        return list(models)
    chosen = [m for m in models if m.name == name]
    if not chosen:
        raise BslError(Diagnostic("BSL002", f"the scheme has no model `{name}`", path="<command line>",
                                  hint=did_you_mean(name, [m.name for m in models]) or
                                  f"models: {', '.join(m.name for m in models)}"))
    return chosen


def model_seed(program: ir.Program, spec: ir.ModelSpec) -> int:
    """The training seed: the block's `seed`, else one drawn from the scheme's seed for this model."""
    if spec.seed is not None:
        return spec.seed
    k = [m.name for m in program.models].index(spec.name)
    child = np.random.SeedSequence(program.seed).spawn(4)[3]  # children 0-2 are founders, traits, replicates
    return int(child.generate_state(len(program.models), dtype=np.uint32)[k])


def training_data(program: ir.Program, spec: ir.ModelSpec, *, workers: int = 1,
                  status: Callable[[str], None] | None = None) -> tuple[FounderSet, np.ndarray, np.ndarray]:
    """The founders the model learns from and the (train, test) row indices of its hold-out split."""
    index = [f.name for f in program.founders].index(spec.data)
    fspec = program.founders[index]
    if status:
        status(f"model `{spec.name}`: founders `{fspec.name}` ({fspec.source})")
    fs, _ = load_founders(program, fspec, founder_seeds(program)[index], default_cache_dir(), workers)
    n = fs.haplotypes.shape[0]
    order = np.random.default_rng(model_seed(program, spec)).permutation(n)
    num_test = int(round(spec.holdout * n))
    if n - num_test < 2:
        raise BslError(Diagnostic("BSL553", f"model `{spec.name}` would train on {n - num_test} individual(s)",
                                  spec.span, "lower `holdout` or use more founders", path=program.source_path))
    return fs, np.sort(order[num_test:]), np.sort(order[:num_test])


def train_models(graph: ExecutionGraph, *, model: str | None = None, device: str = "cpu",
                 progress: Callable[[str, dict], None] | None = None,
                 status: Callable[[str], None] | None = None) -> list[dict]:
    """Train the scheme's models (or the one named) and save each in its folder; returns their manifests."""
    from bsl.genai.models import FAMILIES, make_model
    from bsl.genai.store import data_hash, save_model
    from bsl.io.provenance import package_versions, sha256_text

    program = graph.program
    out = []
    for spec in _models(graph, model):
        fs, train, test = training_data(program, spec, workers=min(4, os.cpu_count() or 1), status=status)
        dosages = fs.haplotypes.sum(axis=1, dtype=np.uint8)  # (N, L)
        if spec.kind == "phenotype":
            out.append(_train_phenotype(program, spec, fs, dosages, train, test, device, progress, status))
            continue
        config = {}
        if "chromosome_sizes" in FAMILIES[spec.family].default_config:  # PCA-space models work per chromosome
            config["chromosome_sizes"] = [int(n) for n in np.bincount(fs.chromosome)]
            if spec.pca_variance is not None:
                config["variance_fraction"] = spec.pca_variance
        net = make_model(spec.family, **config)
        seed = model_seed(program, spec)
        condition, trials = None, None
        if spec.condition:  # learn p(genotype | the individual's mean of the condition column)
            trials = _trials(program, spec, fs, column=spec.condition)
            means = individual_means(trials, dosages.shape[0])
            train = train[np.isfinite(means[train])]
            if train.size < 10:
                raise BslError(Diagnostic("BSL553", f"model `{spec.name}` has trial records of {train.size} training "
                                          "individual(s); a conditioned model needs at least 10", spec.span,
                                          "phenotype more founders, or lower `holdout`", path=program.source_path))
            condition = means[train]
        if status:
            budget = " or ".join(x for x in (f"{spec.epochs} epochs" if spec.epochs else "",
                                             f"{spec.max_seconds:g} s" if spec.max_seconds else "") if x)
            status(f"model `{spec.name}`: training {spec.family} on {train.size} of {dosages.shape[0]} "
                   f"individuals x {dosages.shape[1]} loci (at most {budget})")
        log = net.fit(dosages[train], random_seed=seed, epochs=spec.epochs, time_budget_s=spec.max_seconds,
                      device=device, progress=(lambda info, name=spec.name: progress(name, info)) if progress else None,
                      condition=condition)
        data = {"sha256": data_hash(dosages, fs.chromosome, fs.positions_morgans)}
        if trials is not None:
            data = {"sha256": _with_trials(data["sha256"], trials), "trials": spec.phenotypes,
                    "trials_sha256": trials.sha256, "condition": spec.condition}
        manifest = {
            "name": spec.name, "path": spec.path, "bsl_version": __version__, "seed": seed, "device": device,
            "scheme": {"path": program.source_path, "sha256": sha256_text(program.source_text)},
            "data": {"founders": spec.data, **data, "individuals": int(dosages.shape[0]), "loci": int(dosages.shape[1]), "holdout": spec.holdout,
                     "train_individuals": int(train.size), "test_rows": [int(i) for i in test]},
            "training": log, "packages": package_versions(),
        }
        save_model(spec.path, net, chromosome=fs.chromosome, positions_morgans=fs.positions_morgans,
                   manifest=manifest)
        out.append(manifest)
    return out


def _trials(program: ir.Program, spec: ir.ModelSpec, fs: FounderSet, column: str | None = None):
    from bsl.genai.trials import read_trials
    from bsl.runtime.founders import data_error

    try:
        return read_trials(spec.phenotypes, trait=column or spec.trait, names=list(fs.names))
    except Exception as err:  # DataError: located at the model declaration
        raise data_error(err, spec.span, program) from None


def _with_trials(genotype_hash: str, trials) -> str:
    """The hash of what a model learned from when trial records are part of it."""
    import hashlib
    return hashlib.sha256((genotype_hash + trials.sha256).encode()).hexdigest()


def individual_means(trials, num_individuals: int) -> np.ndarray:
    """Each individual's mean over its trial records (num_individuals,), NaN without records."""
    total = np.bincount(trials.individual, weights=trials.y, minlength=num_individuals)
    count = np.bincount(trials.individual, minlength=num_individuals)
    return np.divide(total, count, out=np.full(num_individuals, np.nan), where=count > 0)


def _train_phenotype(program: ir.Program, spec: ir.ModelSpec, fs: FounderSet, dosages: np.ndarray, train, test,
                     device: str, progress, status) -> dict:
    """A phenotype model: trial records of the training individuals, y given genotype and covariates."""
    from bsl.genai.conditional.phenotypes import PhenotypeGenerator
    from bsl.genai.store import data_hash, save_model
    from bsl.io.provenance import package_versions, sha256_text

    trials = _trials(program, spec, fs)
    rows = np.flatnonzero(np.isin(trials.individual, train))
    if rows.size < 10:
        raise BslError(Diagnostic("BSL553", f"model `{spec.name}` has {rows.size} trial record(s) of training "
                                  "individuals; it needs at least 10", spec.span,
                                  "phenotype more founders, or lower `holdout`", path=program.source_path))
    seed = model_seed(program, spec)
    generator = PhenotypeGenerator(spec.family)
    if status:
        status(f"model `{spec.name}`: training {spec.family} on {rows.size} trial records of {train.size} "
               f"individuals x {dosages.shape[1]} loci, covariates {', '.join(trials.covariates) or 'none'}")
    log = generator.fit(dosages[trials.individual[rows]], trials.environment[rows], trials.y[rows], random_seed=seed,
                        groups=trials.individual[rows],
                        epochs=spec.epochs, time_budget_s=spec.max_seconds, device=device,
                        progress=(lambda info, name=spec.name: progress(name, info)) if progress else None)
    genotypes = data_hash(dosages, fs.chromosome, fs.positions_morgans)
    manifest = {
        "name": spec.name, "path": spec.path, "bsl_version": __version__, "seed": seed, "device": device,
        "scheme": {"path": program.source_path, "sha256": sha256_text(program.source_text)},
        "trait": spec.trait, "covariates": trials.covariates,
        "data": {"founders": spec.data, "trials": spec.phenotypes, "trials_sha256": trials.sha256,
                 "sha256": _with_trials(genotypes, trials),
                 "individuals": int(dosages.shape[0]), "loci": int(dosages.shape[1]), "holdout": spec.holdout,
                 "train_individuals": int(train.size), "train_records": int(rows.size),
                 "test_rows": [int(i) for i in test]},
        "training": log, "packages": package_versions(),
    }
    save_model(spec.path, generator, chromosome=fs.chromosome, positions_morgans=fs.positions_morgans,
               manifest=manifest)
    return manifest


METRIC_COLUMNS = (("af_r", "AF r"), ("gf_r", "GF r"), ("ld_r", "LD r"), ("fst", "F_ST"), ("precision", "precision"),
                  ("recall", "recall"), ("f1", "F1"), ("aa_real", "AA_real"), ("aa_syn", "AA_syn"),
                  ("aats", "AATS"), ("exact_copies", "exact copies"))


def evaluate_model(graph: ExecutionGraph, name: str, out, *, random_seed: int = 0,
                   status: Callable[[str], None] | None = None) -> dict:
    """`bsl evaluate`: the trained model's samples against the real individuals it did not see.

    Writes `metrics.json` and `metrics.md` to `out`: one row for the model and the two
    references of Xie et al. (2025): an independent-SNP sampler fitted to the training set (the
    floor) and real against real (two disjoint real sets of the test set's size: the ceiling).
    """
    import json
    from pathlib import Path

    from bsl.genai.data import GenotypeData
    from bsl.genai.metrics import evaluate_genotypes
    from bsl.genai.references import independent_snp_sampler, real_vs_real
    from bsl.genai.store import data_hash, load_model
    from bsl.runtime.founders import data_error

    program = graph.program
    (spec,) = _models(graph, name)
    fs, train, test = training_data(program, spec, status=status)
    dosages = fs.haplotypes.sum(axis=1, dtype=np.uint8)  # (N, L)
    try:
        saved = load_model(spec.path)
    except Exception as err:  # DataError: located at the model declaration
        raise data_error(err, spec.span, program) from None
    expected = data_hash(dosages, fs.chromosome, fs.positions_morgans)
    trials = None
    if spec.kind == "phenotype" or spec.condition:
        trials = _trials(program, spec, fs, column=spec.condition)
        expected = _with_trials(expected, trials)
    if saved.manifest.get("data", {}).get("sha256") != expected:
        raise BslError(Diagnostic("BSL552", f"model `{spec.name}` in {spec.path} was trained on other data than "
                                  f"founders `{spec.data}` now give", spec.span,
                                  f"train it again: `bsl train {program.source_path} --model {spec.name}`",
                                  path=program.source_path))
    if test.size < 2:
        raise BslError(Diagnostic("BSL553", f"model `{spec.name}` holds out {test.size} individual(s): nothing to "
                                  "evaluate on", spec.span, "set `holdout 0.25` in the model block",
                                  path=program.source_path))
    if spec.kind == "phenotype":
        return _evaluate_phenotype(spec, saved, trials, dosages, train, test, out, random_seed, status)
    condition = None
    if trials is not None:  # a conditioned model samples at the held-out individuals' own values
        means = individual_means(trials, dosages.shape[0])
        train, test = train[np.isfinite(means[train])], test[np.isfinite(means[test])]
        condition = means[test]
    real = GenotypeData(dosages, fs.chromosome, fs.positions_morgans, list(fs.names))
    real_test, real_train = real.subset(test), real.subset(train)
    if status:
        status(f"model `{spec.name}`: sampling {test.size} individuals and scoring them against the held-out set")
    synthetic = saved.model.sample(int(test.size), random_seed=random_seed, condition=condition)
    independent = independent_snp_sampler(real_train.dosages, num_samples=int(test.size), random_seed=random_seed)
    rows = {spec.family: evaluate_genotypes(real_test, synthetic, train=real_train.dosages, random_seed=random_seed),
            "independent SNPs (floor)": evaluate_genotypes(real_test, independent, train=real_train.dosages,
                                                           random_seed=random_seed)}
    if real.num_individuals >= 2 * test.size:
        rows["real vs real (ceiling)"] = real_vs_real(real, num_samples=int(test.size), random_seed=random_seed)
    result = {"model": spec.name, "family": spec.family, "path": spec.path, "test_individuals": int(test.size),
              "train_individuals": int(train.size), "loci": int(dosages.shape[1]), "random_seed": random_seed,
              "training_seconds": saved.manifest.get("training", {}).get("seconds"), "rows": rows}
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    if condition is not None:
        result["condition"] = condition_fidelity(dosages[train], means[train], real_test.dosages, condition,
                                                 synthetic, spec.condition)
    result["figures"] = write_figures(folder, real_test, synthetic, independent, spec.family)
    (folder / "metrics.json").write_text(json.dumps(result, indent=2, default=float) + "\n", encoding="utf-8")
    (folder / "metrics.md").write_text(metrics_markdown(result), encoding="utf-8")
    return result


DRAWS_PER_RECORD = 100


def condition_fidelity(train_x, train_c, test_x, test_c, synthetic, column: str) -> dict:
    """Does a conditioned model respect its condition? A ridge prediction of the condition from
    genotype (fitted on the training individuals) correlated with the condition each synthetic
    individual was drawn at, next to the same correlation for the held-out real individuals."""
    from bsl.genai.references import AdditiveGaussianPhenotype

    ridge = AdditiveGaussianPhenotype.fit(train_x, np.zeros((len(train_x), 0)), train_c)
    none = np.zeros((len(test_x), 0))
    return {"column": column, "individuals": int(len(test_c)),
            "r_synthetic": float(np.corrcoef(ridge.predict(synthetic, none), test_c)[0, 1]),
            "r_real": float(np.corrcoef(ridge.predict(test_x, none), test_c)[0, 1])}


def _evaluate_phenotype(spec: ir.ModelSpec, saved, trials, dosages, train, test, out, random_seed: int,
                        status) -> dict:
    """CRPS of the model's draws on the held-out individuals' records, against an additive-Gaussian
    baseline (ridge regression on SNPs and covariates with Gaussian noise) fitted to the training records."""
    import json
    from pathlib import Path

    from bsl.genai.metrics import crps
    from bsl.genai.references import AdditiveGaussianPhenotype

    held = np.flatnonzero(np.isin(trials.individual, test))
    fit = np.flatnonzero(np.isin(trials.individual, train))
    if held.size < 2:
        raise BslError(Diagnostic("BSL553", f"model `{spec.name}` holds out {held.size} trial record(s): nothing to "
                                  "evaluate on", spec.span, "set `holdout 0.25` in the model block"))
    if status:
        status(f"model `{spec.name}`: {DRAWS_PER_RECORD} draws for each of {held.size} held-out trial records")
    x, w, y = dosages[trials.individual[held]], trials.environment[held], trials.y[held]
    draws = saved.model.sample(np.repeat(x, DRAWS_PER_RECORD, axis=0), np.repeat(w, DRAWS_PER_RECORD, axis=0),
                               random_seed=random_seed).reshape(held.size, DRAWS_PER_RECORD)
    base = AdditiveGaussianPhenotype.fit(dosages[trials.individual[fit]], trials.environment[fit], trials.y[fit],
                                         groups=trials.individual[fit])  # σ for new individuals, not new records
    base_draws = base.sample(x, w, num_samples_per_row=DRAWS_PER_RECORD, random_seed=random_seed)
    rows = {spec.family: {"crps": crps(y, draws), "mean": float(draws.mean()), "sd": float(draws.std())},
            "additive Gaussian (baseline)": {"crps": crps(y, base_draws), "mean": float(base_draws.mean()),
                                             "sd": float(base_draws.std())},
            "held-out records": {"crps": float("nan"), "mean": float(y.mean()), "sd": float(y.std())}}
    result = {"model": spec.name, "family": spec.family, "kind": "phenotype", "trait": spec.trait,
              "path": spec.path, "test_individuals": int(test.size), "test_records": int(held.size),
              "train_records": int(fit.size), "covariates": trials.covariates, "random_seed": random_seed,
              "training_seconds": saved.manifest.get("training", {}).get("seconds"), "rows": rows}
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "metrics.json").write_text(json.dumps(result, indent=2, default=float) + "\n", encoding="utf-8")
    (folder / "metrics.md").write_text(metrics_markdown(result), encoding="utf-8")
    return result


def write_figures(folder, real_test, synthetic: np.ndarray, independent: np.ndarray, label: str) -> list[str]:
    """PCA overlay, allele-frequency scatter, LD decay and an r² heatmap of synthetic vs held-out real genotypes (SVG)."""
    from bsl.genai.metrics import allele_frequencies, knn_precision_recall_curve, ld_decay, pca_coordinates
    from bsl.io import svg

    real = real_test.dosages
    (rx, sx, ratio), n = pca_coordinates(real, synthetic), min(real.shape[1], 500)
    figures = {
        "pca.svg": svg.scatter([("real (held out)", list(rx[:, 0]), list(rx[:, 1])),
                                (label, list(sx[:, 0]), list(sx[:, 1]))],
                               title="PCA of the held-out real genotypes, synthetic projected",
                               xlabel=f"PC1 ({100 * ratio[0]:.1f} %)", ylabel=f"PC2 ({100 * ratio[1]:.1f} %)"),
        "allele_frequencies.svg": svg.scatter(
            [(label, list(allele_frequencies(real)), list(allele_frequencies(synthetic)))],
            title="allele frequencies", xlabel="real (held out)", ylabel="synthetic", diagonal=True),
        "ld_decay.svg": svg.lines({}, [(name, *map(list, ld_decay(x, max_distance=min(200, n - 1),
                                                                   chromosome=real_test.chromosome)))
                                       for name, x in (("real (held out)", real), (label, synthetic),
                                                       ("independent SNPs", independent))],
                                  title="LD decay", xlabel="distance (SNPs)", ylabel="mean r²"),
    }
    ks = [k for k in PR_KS if k < min(len(real), len(synthetic), len(independent))]  # a set needs > k samples
    curves = [(name, knn_precision_recall_curve(real, x, ks=ks))
              for name, x in ((label, synthetic), ("independent SNPs", independent))]
    figures["precision_recall.svg"] = svg.lines(
        {}, [(name, [c["recall"] for c in curve], [c["precision"] for c in curve]) for name, curve in curves],
        title=f"k-NN precision vs recall (held-out real), k = {', '.join(map(str, ks))}",
        xlabel="recall (diversity)", ylabel="precision (fidelity)")
    window = np.flatnonzero(real_test.chromosome == real_test.chromosome[0])[:HEATMAP_SNPS]  # first SNPs of chr 1
    figures["ld_heatmap.svg"] = svg.heatmap(
        _r2_matrix(real[:, window]).tolist(), _r2_matrix(synthetic[:, window]).tolist(),
        title=f"LD (r²) between the first {window.size} SNPs of chromosome {int(real_test.chromosome[0]) + 1}",
        lower_label="real (held out)", upper_label=label)
    for name, text in figures.items():
        (folder / name).write_text(text, encoding="utf-8")
    return sorted(figures)


def _phenotype_markdown(result: dict) -> str:
    lines = [f"# Model `{result['model']}` ({result['family']}): phenotypes of `{result['trait']}` on held-out "
             "trial records", "",
             f"{result['test_records']} records of {result['test_individuals']} held-out individuals; the model was "
             f"trained on {result['train_records']} records. CRPS of {DRAWS_PER_RECORD} draws per record (lower is "
             "better).", "", "| | CRPS | mean | s.d. |", "|---|---:|---:|---:|"]
    for name, row in result["rows"].items():
        score = "–" if row["crps"] != row["crps"] else f"{row['crps']:.4f}"
        lines.append(f"| {name} | {score} | {row['mean']:.3f} | {row['sd']:.3f} |")
    return "\n".join(lines) + "\n"


HEATMAP_SNPS = 80
PR_KS = (1, 2, 3, 5, 10)  # the k of the precision-recall figure


def _r2_matrix(dosages: np.ndarray) -> np.ndarray:
    """Squared Pearson correlation between every two SNPs (columns); 0 for a monomorphic SNP."""
    x = dosages.astype(np.float64)
    x = x - x.mean(axis=0)
    sd = np.sqrt((x ** 2).sum(axis=0))
    z = np.divide(x, sd, out=np.zeros_like(x), where=sd > 0)
    return (z.T @ z) ** 2


def metrics_markdown(result: dict) -> str:
    """The metrics table of `bsl evaluate` in Markdown."""
    if result.get("kind") == "phenotype":
        return _phenotype_markdown(result)
    head = "| | " + " | ".join(label for _, label in METRIC_COLUMNS) + " |"
    lines = [f"# Model `{result['model']}` ({result['family']}): synthetic vs held-out real genotypes", "",
             f"{result['test_individuals']} held-out individuals x {result['loci']} loci; the model was trained on "
             f"{result['train_individuals']}. Metrics as Xie et al. (2025) define them (AATS ideal 0.5).", "",
             head, "|---|" + "---:|" * len(METRIC_COLUMNS)]
    c = result.get("condition")
    if c:
        lines[4:4] = [f"Sampled at the held-out individuals' own `{c['column']}`: a ridge prediction of it from "
                      f"genotype correlates r = {c['r_synthetic']:.3f} with the value each synthetic individual was "
                      f"drawn at (held-out real individuals: r = {c['r_real']:.3f}).", ""]
    for name, row in result["rows"].items():
        cells = []
        for key, _ in METRIC_COLUMNS:
            v = row.get(key, float("nan"))
            cells.append("–" if v != v else (f"{int(v)}" if key == "exact_copies" else f"{v:.3f}"))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
