"""Tests of bsl.genai.conditional: shapes, fitting a known conditional law, state round trips, input errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from bsl.genai.conditional import FAMILIES, PhenotypeContext, make_continuous_model
from bsl.genai.conditional.compositions import compositions_to_ilr, ilr_basis, ilr_to_compositions

torch.set_num_threads(1)

#: Small networks and budgets so the whole file runs in seconds.
SMALL = {
    "vae": {"hidden_features": [64, 64], "latent_dim": 2},
    "wgan_gp": {"hidden_features": [64, 64], "batch_size": 64},
    "diffusion": {"hidden_features": [64, 64], "num_steps": 50},
    "flow": {"hidden_features": [32, 32], "transforms": 2},
    "autoregressive": {"hidden_features": [64, 64], "components": 3},
}
EPOCHS = {"vae": 60, "wgan_gp": 200, "diffusion": 80, "flow": 40, "autoregressive": 40}


def linear_data(n=300, seed=0):
    """y = 2·c + N(0, 0.1²), one response per context column."""
    rng = np.random.default_rng(seed)
    context = rng.normal(size=(n, 1))
    return 2.0 * context + 0.1 * rng.normal(size=(n, 1)), context


def fit_all(**config):
    y, context = linear_data()
    models, logs = {}, {}
    for family in FAMILIES:
        model = make_continuous_model(family, **SMALL[family], patience_epochs=1000, **config)
        logs[family] = model.fit(y, context, random_seed=0, epochs=EPOCHS[family])
        models[family] = model
    return models, logs


@pytest.fixture(scope="module")
def fitted():
    """Every family with its default ``residual="linear"``: the networks model the ridge residual."""
    return fit_all()


@pytest.fixture(scope="module")
def fitted_raw():
    """Every family with ``residual="none"``: the networks alone must carry the context's effect."""
    return fit_all(residual="none")


def conditional_means(model, grid=(-1.0, 0.0, 1.0), draws=200):
    samples = model.sample(np.repeat(np.array(grid)[:, None], draws, axis=0), random_seed=3)
    assert samples.shape == (len(grid) * draws, 1) and samples.dtype == np.float64
    return samples.reshape(len(grid), draws).mean(axis=1)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_learns_the_conditional_mean(fitted, family):
    models, logs = fitted
    # truth 2c = (-2, 0, 2); the residual s.d. is 0.1, so 0.1 means the sampled residual is centred
    np.testing.assert_allclose(conditional_means(models[family]), [-2.0, 0.0, 2.0], atol=0.1)
    assert logs[family]["context_dim"] == 1 and logs[family]["dim"] == 1


@pytest.mark.parametrize("family", list(FAMILIES))
def test_networks_alone_follow_the_context(fitted_raw, family):
    models, _ = fitted_raw
    assert "linear_coef" not in models[family].stats
    # the marginal s.d. of y is 2, so 0.35 means the network uses the context
    np.testing.assert_allclose(conditional_means(models[family]), [-2.0, 0.0, 2.0], atol=0.35)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_learns_the_noise_level(fitted, family):
    models, _ = fitted
    for c in (-1.0, 0.5):
        draws = models[family].sample(np.full((400, 1), c), random_seed=4)
        assert 0.06 < draws.std() < 0.16, (c, draws.std())  # truth 0.1, marginal 2


def test_linear_residual_is_fitted_and_travels_in_the_state(fitted):
    models, _ = fitted
    stats = models["flow"].stats
    assert stats["linear_coef"].shape == (1, 1) and stats["residual_sd"].shape == (1,)
    assert abs(float(stats["linear_coef"][0, 0]) - 1.0) < 0.01  # standardized: corr(y, c) ≈ 0.999
    assert 0.03 < float(stats["residual_sd"][0]) < 0.08  # 0.1 / s.d.(y) ≈ 0.05
    assert "stats.linear_coef" in models["flow"].state_dict()
    with pytest.raises(ValueError, match="residual must be one of 'linear', 'none'"):
        make_continuous_model("flow", residual="quadratic")
    with pytest.raises(ValueError, match="penalty must be one of 'one_sided', 'two_sided'"):
        make_continuous_model("wgan_gp", penalty="none")


@pytest.mark.parametrize("family", list(FAMILIES))
def test_state_round_trip_gives_identical_samples(fitted, family):
    models, _ = fitted
    state = models[family].state_dict()
    assert all(isinstance(v, torch.Tensor) for v in state.values())
    fresh = make_continuous_model(family, **SMALL[family], patience_epochs=1000)
    fresh.load_state_dict(state)
    context = np.linspace(-1, 1, 7)[:, None]
    np.testing.assert_array_equal(fresh.sample(context, random_seed=11), models[family].sample(context, random_seed=11))
    assert not np.array_equal(fresh.sample(context, random_seed=12), fresh.sample(context, random_seed=11))


def test_same_seed_same_model():
    y, context = linear_data(n=60)
    draws = []
    for _ in range(2):
        model = make_continuous_model("flow", **SMALL["flow"])
        model.fit(y, context, random_seed=5, epochs=2)
        draws.append(model.sample(context[:5], random_seed=1))
    np.testing.assert_array_equal(draws[0], draws[1])


def test_multivariate_autoregressive_uses_earlier_coordinates():
    rng = np.random.default_rng(1)
    context = rng.normal(size=(400, 1))
    first = context[:, 0] + 0.1 * rng.normal(size=400)
    y = np.column_stack([first, first ** 2 + 0.1 * rng.normal(size=400)])  # y2 depends on y1 nonlinearly
    model = make_continuous_model("autoregressive", **SMALL["autoregressive"], patience_epochs=1000)
    model.fit(y, context, random_seed=0, epochs=60)
    draws = model.sample(np.repeat([[1.0]], 300, axis=0), random_seed=2)
    assert draws.shape == (300, 2)
    np.testing.assert_allclose(draws.mean(axis=0), [1.0, 1.0], atol=0.3)


def test_vae_reports_kl_and_collapse(fitted):
    _, logs = fitted
    log = logs["vae"]
    assert len(log["kl_per_latent"]) == 2 and log["kl"] >= 0
    assert isinstance(log["collapsed"], bool) and log["active_latents"] == sum(k > 0.01 for k in log["kl_per_latent"])


@pytest.mark.parametrize("family", ["flow", "diffusion"])
def test_unconditional_compositions_sum_to_the_read_depth(family):
    rng = np.random.default_rng(0)
    log_abundance = rng.normal(size=(120, 1)) * np.array([1.0, -1.0, 0.5, 0.0]) + rng.normal(size=(120, 4)) * 0.3
    counts = 1000 * np.exp(log_abundance) / np.exp(log_abundance).sum(axis=1, keepdims=True)
    model = make_continuous_model(family, **SMALL[family], data="composition")
    log = model.fit(counts, random_seed=0, epochs=3)
    assert log["dim"] == 3 and log["context_dim"] == 0
    draws = model.sample(num_samples=50, random_seed=0)
    assert draws.shape == (50, 4) and np.all(draws >= 0)
    np.testing.assert_allclose(draws.sum(axis=1), 1000.0)
    multinomial = make_continuous_model(family, **SMALL[family], data="composition", count_sampling="multinomial")
    multinomial.load_state_dict(model.state_dict())
    integers = multinomial.sample(num_samples=5, random_seed=0)
    assert np.all(integers == np.round(integers)) and np.all(integers.sum(axis=1) == 1000)


def test_ilr_round_trip():
    basis = ilr_basis(5)
    np.testing.assert_allclose(basis.T @ basis, np.eye(4), atol=1e-12)
    np.testing.assert_allclose(basis.sum(axis=0), 0.0, atol=1e-12)
    counts = np.array([[10.0, 200.0, 3000.0, 40.0, 750.0]])
    back = ilr_to_compositions(compositions_to_ilr(counts, pseudocount=0.5), reads=4000.0, pseudocount=0.5)
    np.testing.assert_allclose(back, counts, rtol=1e-9)


# -- errors ------------------------------------------------------------------------------


def test_errors_are_clear(fitted):
    models, _ = fitted
    model = models["flow"]
    with pytest.raises(ValueError, match="2 columns but the model was trained on 1"):
        model.sample(np.zeros((3, 2)), random_seed=0)
    with pytest.raises(ValueError, match="trained with 1 context column"):
        model.sample(None, num_samples=3, random_seed=0)
    with pytest.raises(ValueError, match="NaN or infinite"):
        model.sample(np.array([[0.0], [np.nan]]), random_seed=0)
    y, context = linear_data(n=20)
    y[3, 0] = np.nan
    with pytest.raises(ValueError, match=r"y contains 1 NaN or infinite value\(s\), the first at row 3"):
        make_continuous_model("vae").fit(y, context, random_seed=0, epochs=1)
    with pytest.raises(ValueError, match="context has 19 rows; expected 20"):
        make_continuous_model("vae").fit(linear_data(n=20)[0], context[:19], random_seed=0, epochs=1)
    with pytest.raises(RuntimeError, match="not trained"):
        make_continuous_model("diffusion").sample(np.zeros((2, 1)), random_seed=0)
    with pytest.raises(ValueError, match="unknown option"):
        make_continuous_model("flow", hidden=3)
    with pytest.raises(ValueError, match="unknown continuous model family 'gan'"):
        make_continuous_model("gan")
    with pytest.raises(ValueError, match="non-negative counts"):
        make_continuous_model("flow", data="composition").fit(-np.ones((10, 3)), random_seed=0, epochs=1)


def test_unconditional_needs_num_samples():
    model = make_continuous_model("autoregressive", **SMALL["autoregressive"])
    model.fit(np.random.default_rng(0).normal(size=(50, 2)), random_seed=0, epochs=1)
    with pytest.raises(ValueError, match="num_samples must be a positive integer"):
        model.sample(random_seed=0)
    assert model.sample(num_samples=4, random_seed=0).shape == (4, 2)


# -- phenotype context -------------------------------------------------------------------


def test_phenotype_context_shapes_and_state():
    rng = np.random.default_rng(0)
    dosages = rng.integers(0, 3, size=(80, 200))
    environment = rng.normal(size=(80, 2))
    y = dosages[:, :10].sum(axis=1) * 0.2 + environment[:, 0] + rng.normal(size=80)
    context = PhenotypeContext(num_components=5)
    train = context.fit_transform(dosages[:60], environment[:60], y[:60])
    assert train.shape == (60, 5 + 2 + 1) and context.num_columns == 8
    np.testing.assert_allclose(train[:, 5:7], environment[:60])
    test = context.transform(dosages[60:], environment[60:])
    assert test.shape == (20, 8)
    assert np.corrcoef(test[:, -1], y[60:])[0, 1] > 0.3  # the genomic prediction predicts
    again = PhenotypeContext()
    again.load_state_dict(context.state_dict())
    np.testing.assert_array_equal(again.transform(dosages[60:], environment[60:]), test)
    with pytest.raises(ValueError, match="environment has 3 columns but the model was trained on 2"):
        context.transform(dosages[60:], rng.normal(size=(20, 3)))
    no_y = PhenotypeContext(num_components=3).fit_transform(dosages, environment)
    assert no_y.shape == (80, 5)
