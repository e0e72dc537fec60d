"""The hybrid scheme: a phenotype model trained on trial records draws the phenotypes of
individuals that classical meiosis makes (`trait yield { model p }`, `phenotype POP from model p
given genotype, environment(E)`)."""
from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from bsl import api
from bsl.diagnostics import BslError

SCHEME = """seed 4
replicates 8
founders base from file "founders.npy" map "map.csv"
model p = {family} {{ data base  phenotypes "trials.csv"  epochs {epochs}  holdout 0.2 }}
trait yield {{ model p }}
environment wet {{ rain 1.0 }}
repeat cycle 1..2 {{
  phenotype base from model p given genotype, environment(wet)
  select parents = top 20 base by phenotype(yield)
  mate pairs = random(20) over parents
  allocate 100 progeny over pairs by equal
  cross base = pairs
}}
objective gain = mean(phenotype(yield)) at cycle 2 - mean(phenotype(yield)) at cycle 0
report {{ per_cycle mean(phenotype(yield)), heterozygosity(all) }}
"""

NUM_FOUNDERS, NUM_LOCI = 100, 80


def write_data(folder, *, trials=True, bad_row: str | None = None):
    """100 founders x 80 loci; yield = additive effects at 10 QTL, a rain effect and noise, 2 trials each."""
    from bsl.io.coalescent import coalescent_founders

    fs = coalescent_founders(num_chromosomes=2, loci_per_chromosome=NUM_LOCI // 2, chromosome_length_morgans=1.0,
                             effective_size=300, pool_size=NUM_FOUNDERS, maf=0.05, random_seed=9)
    np.save(folder / "founders.npy", fs.haplotypes.reshape(2 * NUM_FOUNDERS, NUM_LOCI).astype(np.uint8))
    with open(folder / "map.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["chromosome", "position_cM"])
        for c, p in zip(fs.chromosome, fs.positions_morgans):
            w.writerow([c + 1, f"{100 * p:.5f}"])
    if not trials:
        return fs
    rng = np.random.default_rng(0)
    dosage = fs.haplotypes.sum(axis=1).astype(float)
    effects = np.zeros(NUM_LOCI)
    effects[rng.choice(NUM_LOCI, 10, replace=False)] = rng.normal(0, 1, 10)
    gv = (dosage - dosage.mean(0)) @ effects
    gv = gv / gv.std()
    with open(folder / "trials.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["individual", "rain", "yield"])
        for i in range(NUM_FOUNDERS):
            for rain in (-1.0, 1.0):
                w.writerow([f"ind{i + 1}", rain, f"{gv[i] + 0.5 * rain + rng.normal(0, 0.5):.4f}"])
        if bad_row:
            w.writerow(bad_row.split(","))
    return fs


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    import bsl
    folder = tmp_path_factory.mktemp("hybrid")
    write_data(folder)
    path = folder / "hybrid.bsl"
    path.write_text(SCHEME.format(family="flow", epochs=5), encoding="utf-8")
    manifests = api.train(path)
    return folder, path, manifests[0]


def test_training_saves_a_phenotype_model_with_its_trials(trained):
    folder, _, manifest = trained
    m = json.loads((folder / "models" / "p" / "model.json").read_text())
    assert m["kind"] == "phenotype" and m["family"] == "flow" and m["trait"] == "yield"
    assert m["covariates"] == ["rain"] and m["data"]["train_individuals"] == 80
    assert m["data"]["train_records"] == 160 and len(m["data"]["trials_sha256"]) == 64
    assert manifest["training"]["stopped_by"] == "epochs"


def test_saved_and_loaded_models_draw_identical_phenotypes(trained):
    from bsl.genai.store import load_model
    folder, _, _ = trained
    a, b = load_model(folder / "models" / "p").model, load_model(folder / "models" / "p").model
    x = np.load(folder / "founders.npy").reshape(NUM_FOUNDERS, 2, NUM_LOCI).sum(axis=1)[:10]
    w = np.ones((10, 1))
    assert np.array_equal(a.sample(x, w, random_seed=3), b.sample(x, w, random_seed=3))
    assert not np.array_equal(a.sample(x, w, random_seed=3), a.sample(x, w, random_seed=4))


def test_selection_on_model_phenotypes_responds_and_is_reproducible(trained):
    import bsl
    _, path, _ = trained
    a = bsl.run(path, seed=2)
    b = bsl.run(path, seed=2)
    assert a.cycles.equals(b.cycles) and a.objectives.equals(b.objectives)
    gain = a.objectives[a.objectives.objective == "gain"]["value"].to_numpy()
    # the trait is 80 % heritable in the trials and the model learns it: truncation selection of
    # 20 % raises the model's phenotypes in every replicate
    assert gain.size == 8 and (gain > 0).all()
    mean0 = a.cycles[(a.cycles.metric == "mean(phenotype(yield))") & (a.cycles.cycle == 0)]["value"]
    assert mean0.notna().all()  # the founders' report draws them in the cycle's environment


def test_model_phenotypes_follow_the_environment(trained):
    """The rain effect (+0.5 per unit) comes back in the model's draws."""
    from bsl.genai.store import load_model
    folder, _, _ = trained
    model = load_model(folder / "models" / "p").model
    x = np.load(folder / "founders.npy").reshape(NUM_FOUNDERS, 2, NUM_LOCI).sum(axis=1)
    x = np.repeat(x, 20, axis=0)
    wet = model.sample(x, np.ones((len(x), 1)), random_seed=1).mean()
    dry = model.sample(x, -np.ones((len(x), 1)), random_seed=1).mean()
    assert 0.6 < wet - dry < 1.4


def test_evaluate_scores_the_model_against_the_additive_baseline(trained, tmp_path):
    import bsl
    _, path, _ = trained
    result = api.evaluate(path, model="p", out=tmp_path)
    assert result["kind"] == "phenotype" and result["test_records"] == 40
    assert set(result["rows"]) == {"flow", "additive Gaussian (baseline)", "held-out records"}
    assert 0 < result["rows"]["flow"]["crps"] < 1.0
    assert "CRPS" in (tmp_path / "metrics.md").read_text()


def test_an_untrained_model_is_a_located_error(tmp_path):
    import bsl
    write_data(tmp_path)
    path = tmp_path / "s.bsl"
    path.write_text(SCHEME.format(family="flow", epochs=2), encoding="utf-8")
    with pytest.raises(BslError) as err:
        bsl.run(path, reps=1)
    d = err.value.diagnostics[0]
    assert d.code == "BSL550" and "bsl train" in d.hint and d.span.line == 4


@pytest.mark.parametrize("row, code, line", [("ind999,1.0,0.5", "BSL504", 202), ("ind1,wet,0.5", "BSL502", 202)])
def test_bad_trial_records_name_the_file_and_line(tmp_path, row, code, line):
    import bsl
    write_data(tmp_path, bad_row=row)
    path = tmp_path / "s.bsl"
    path.write_text(SCHEME.format(family="flow", epochs=1), encoding="utf-8")
    with pytest.raises(BslError) as err:
        api.train(path)
    d = err.value.diagnostics[0]
    assert d.code == code and f"trials.csv:{line}" in err.value.render()


def test_a_model_trained_on_other_loci_is_refused(trained, tmp_path):
    import shutil

    import bsl
    folder, _, _ = trained
    fs = write_data(tmp_path, trials=False)
    shutil.copy(folder / "trials.csv", tmp_path / "trials.csv")
    shutil.copytree(folder / "models", tmp_path / "models")
    # same individuals and map size, loci moved: the model's loci no longer match
    with open(tmp_path / "map.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["chromosome", "position_cM"])
        for c, p in zip(fs.chromosome, fs.positions_morgans):
            w.writerow([c + 1, f"{100 * p + 0.5:.5f}"])
    path = tmp_path / "s.bsl"
    path.write_text(SCHEME.format(family="flow", epochs=5), encoding="utf-8")
    with pytest.raises(BslError) as err:
        bsl.run(path, reps=1)
    assert err.value.diagnostics[0].code == "BSL552"


def test_grouped_cross_fitting_keeps_an_individuals_records_together():
    """ĝ of a record must not be fitted on the same individual's other records."""
    from bsl.genai.conditional import PhenotypeContext
    rng = np.random.default_rng(0)
    x = rng.integers(0, 3, size=(60, 200))
    g = rng.normal(size=60)  # a genetic value no SNP explains: only repeated records leak it
    rows = np.repeat(np.arange(60), 2)
    y = g[rows] + 0.1 * rng.normal(size=120)
    env = np.zeros((120, 0))
    leaky = PhenotypeContext(num_components=2).fit_transform(x[rows], env, y)[:, -1]
    grouped = PhenotypeContext(num_components=2).fit_transform(x[rows], env, y, groups=rows)[:, -1]
    assert np.corrcoef(leaky, y)[0, 1] > 0.5  # the other record gives it away
    # honest: the SNPs carry nothing, so no positive correlation (cross-fitted predictions of pure
    # noise are, if anything, negatively correlated with it: each fold's fit leaves that fold out)
    assert np.corrcoef(grouped, y)[0, 1] < 0.1


def test_r2_heatmap_puts_real_below_and_synthetic_above_the_diagonal():
    from bsl.genai.training import _r2_matrix
    from bsl.io import svg
    rng = np.random.default_rng(1)
    a = rng.integers(0, 3, size=(50, 4))
    a[:, 1] = a[:, 0]  # SNPs 0 and 1 in complete LD
    r2 = _r2_matrix(a)
    assert r2[0, 1] == pytest.approx(1.0) and r2[0, 2] < 0.3 and np.allclose(r2, r2.T)
    zero = np.zeros((4, 4))
    text = svg.heatmap(r2.tolist(), zero.tolist(), title="t", lower_label="real", upper_label="synthetic")
    # cell (1, 0) is below the diagonal: real, r² 1, the darkest shade; (0, 1) above: synthetic, r² 0, white
    assert text.count('fill="rgb(255,0,0)"') >= 2 and text.count('fill="rgb(255,255,255)"') >= 6
    with pytest.raises(ValueError):
        svg.heatmap([[0.0]], zero.tolist(), title="t", lower_label="a", upper_label="b")


def conditioned_data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """500 individuals x 200 SNPs, 15 QTL and a phenotype y with h² 0.8 (standardized genetic
    value + noise of s.d. 0.5): (dosages, y, QTL effects)."""
    from bsl.genai.data import genotype_dataset
    x = genotype_dataset(num_individuals=500, num_snps=200, num_chromosomes=2, random_seed=3).dosages
    rng = np.random.default_rng(0)
    effects = np.zeros(200)
    effects[rng.choice(200, 15, replace=False)] = rng.normal(size=15)
    g = (x - x.mean(axis=0)) @ effects
    g = (g - g.mean()) / g.std()
    return x, g + 0.5 * rng.normal(size=500), effects


def test_a_conditioned_flow_samples_genotypes_like_those_with_the_condition():
    """p(genotype | phenotype): individuals drawn at a high phenotype carry high genetic values."""
    import torch

    from bsl.genai.models import make_model
    torch.set_num_threads(1)
    x, y, effects = conditioned_data()
    model = make_model("flow", chromosome_sizes=[100, 100])
    model.fit(x, random_seed=1, condition=y, epochs=15)
    gs = {c: (model.sample(400, random_seed=2, condition=c) - x.mean(axis=0)) @ effects for c in (-1.5, 1.5)}
    scale = ((x - x.mean(axis=0)) @ effects).std()
    high, low = gs[1.5].mean() / scale, gs[-1.5].mean() / scale
    # E[g | y] = 0.8 y for the truth: +-1.2; the flow must get most of the way
    assert high - low > 1.2 and high > 0.4 and low < -0.4
    state = model.state_dict()
    assert "condition.mean" in state and int(state["meta.condition_dim"]) == 1
    with pytest.raises(ValueError, match="condition"):
        model.sample(5, random_seed=1)
    with pytest.raises(ValueError, match="cannot be conditioned"):
        make_model("vae").fit(x[:20], random_seed=1, condition=y[:20], epochs=1)


def test_a_conditioned_wgan_samples_genotypes_like_those_with_the_condition():
    """The conditional WGAN-GP (condition in the generator's latent, projection critic) draws
    individuals whose genetic values follow the condition (E[g | y] = ±1.2 here, as for the flow)."""
    import torch

    from bsl.genai.models import make_model
    torch.set_num_threads(1)
    x, y, effects = conditioned_data()
    model = make_model("wgan_gp", block=16, batch_size=32)
    model.fit(x, random_seed=1, condition=y, epochs=300)
    scale = ((x - x.mean(axis=0)) @ effects).std()
    means = {c: ((model.sample(400, random_seed=2, condition=c) - x.mean(axis=0)) @ effects).mean() / scale
             for c in (-1.5, 1.5)}
    # measured: +0.70 and -0.35 (a spread of 1.05 genetic s.d.; the truth's is 2.4, the flow's > 1.2)
    assert means[1.5] - means[-1.5] > 0.8 and means[1.5] > 0.3 and means[-1.5] < -0.2, means
    state = model.state_dict()
    assert int(state["meta.condition_dim"]) == 1
    with pytest.raises(ValueError, match="condition"):
        model.sample(5, random_seed=1)


def test_the_checker_and_the_models_agree_on_which_families_take_a_condition():
    from bsl.genai.models import FAMILIES
    from bsl.semantics.builtins import CONDITIONAL_FAMILIES
    assert sorted(CONDITIONAL_FAMILIES) == sorted(name for name, cls in FAMILIES.items() if cls.supports_condition)


@pytest.mark.parametrize("family", ["flow", "wgan_gp"])  # the families that take a condition (no BSL422)
def test_founders_from_a_conditioned_model_need_given(tmp_path, family):
    from bsl.api import check
    write_data(tmp_path)
    text = SCHEME.format(family="flow", epochs=1).replace(
        "trait yield { model p }", f"trait yield {{ model p }}\nmodel g = {family} "
        "{ data base  phenotypes \"trials.csv\"  condition yield }\nfounders high from model g { sample 10 }\nfounders low from model p { sample 10  given 1 }")
    path = tmp_path / "s.bsl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BslError) as err:
        check(path)
    codes = sorted(d.code for d in err.value.diagnostics)
    assert codes == ["BSL405", "BSL417"], err.value.render()


def test_early_stopping_holds_out_whole_individuals():
    from bsl.genai.conditional import make_continuous_model
    model = make_continuous_model("flow", validation_fraction=0.25)
    model._groups = np.repeat(np.arange(40), 3)  # as fit(groups=...) sets it: 40 individuals x 3 records
    import torch
    valid, train = model._validation_split(120, torch.Generator().manual_seed(0), "cpu")
    held = set(model._groups[valid.numpy()])
    assert len(held) == 10 and len(valid) == 30  # a quarter of the individuals, with all their records
    assert held.isdisjoint(model._groups[train.numpy()])
    with pytest.raises(ValueError, match="groups"):
        model.fit(np.zeros(6), np.zeros((6, 1)), random_seed=0, groups=[0, 1], epochs=1)
