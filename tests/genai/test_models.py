"""Generative genotype models: sample shapes and values, fitting a tiny structured data set, seeded sampling, state round trips."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from bsl.genai.models import FAMILIES, GenotypeModel, make_model

#: Small configurations that train in a few seconds on 8 × 12 genotypes.
TINY = {
    "vae": dict(channels=8, levels=2, latent_channels=2, batch_size=8, kl_warmup_steps=50, learning_rate=1e-2),
    "wgan_gp": dict(latent_dim=8, channels=8, batch_size=8, learning_rate=3e-3),
    "diffusion": dict(width=64, depth=2, num_steps=100, sample_steps=50, batch_size=8, dropout=0.0,
                      ema_decay=0.99, learning_rate=3e-3),
    "flow": dict(transforms=2, hidden_features=[32, 32], batch_size=8, validation_fraction=0.0,
                 learning_rate=3e-3),
    "autoregressive": dict(channels=8, dilations=[1, 2, 4], batch_size=8, learning_rate=1e-2),
}
TINY_EPOCHS = {"vae": 400, "wgan_gp": 300, "diffusion": 300, "flow": 150, "autoregressive": 100}


def structured_dosages() -> np.ndarray:
    """8 individuals × 12 SNPs: two haplotype groups in opposite phase, one near-fixed SNP."""
    a = np.array([0, 0, 2, 2, 0, 2, 0, 2, 2, 0, 0, 1], dtype=np.uint8)
    b = np.array([2, 2, 0, 0, 2, 0, 2, 0, 1, 2, 0, 1], dtype=np.uint8)
    return np.stack([a, a, a, a, b, b, b, b])


@pytest.fixture(scope="module")
def trained() -> dict[str, tuple[GenotypeModel, dict]]:
    torch.set_num_threads(1)
    x = structured_dosages()
    out = {}
    for family in FAMILIES:
        model = make_model(family, **TINY[family])
        log = model.fit(x, random_seed=3, epochs=TINY_EPOCHS[family])
        out[family] = (model, log)
    return out


@pytest.mark.parametrize("family", list(FAMILIES))
def test_samples_are_dosages(trained, family):
    model, _ = trained[family]
    s = model.sample(50, random_seed=0)
    assert s.shape == (50, 12) and s.dtype == np.uint8
    assert set(np.unique(s)) <= {0, 1, 2}


@pytest.mark.parametrize("family", list(FAMILIES))
def test_fits_tiny_structured_data(trained, family):
    """Sampled allele frequencies within 0.15 of the training ones at every SNP."""
    model, log = trained[family]
    x = structured_dosages()
    s = model.sample(400, random_seed=1)
    gap = np.abs(s.mean(0) / 2 - x.mean(0) / 2)
    assert gap.max() < 0.15, (family, np.round(gap, 2), log["final_losses"])


@pytest.mark.parametrize("family", list(FAMILIES))
def test_same_seed_same_samples(trained, family):
    model, _ = trained[family]
    a, b = model.sample(20, random_seed=7), model.sample(20, random_seed=7)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, model.sample(20, random_seed=8))


@pytest.mark.parametrize("family", list(FAMILIES))
def test_state_round_trip(trained, family, tmp_path):
    from safetensors.torch import load_file, save_file

    model, _ = trained[family]
    save_file(model.state_dict(), tmp_path / "model.safetensors")
    fresh = make_model(family, **model.config)  # the config as a store would write it
    fresh.load_state_dict(load_file(tmp_path / "model.safetensors"))
    np.testing.assert_array_equal(model.sample(30, random_seed=5), fresh.sample(30, random_seed=5))


@pytest.mark.parametrize("family", list(FAMILIES))
def test_log_reports_training(trained, family):
    _, log = trained[family]
    assert log["family"] == family and log["steps"] > 0 and log["seconds"] > 0
    assert log["stopped_by"] == "epochs" and log["epochs"] == TINY_EPOCHS[family]
    assert all(np.isfinite(v) for v in log["final_losses"].values() if v is not None)


def test_vae_log_reports_kl_and_collapse(trained):
    _, log = trained["vae"]
    assert len(log["kl_per_epoch"]) == TINY_EPOCHS["vae"]
    assert all(k >= 0 for k in log["kl_per_epoch"])
    assert isinstance(log["posterior_collapse"], bool)
    assert log["posterior_collapse"] == (log["kl_per_epoch"][-1] < 1.0 or log["active_units"] == 0)
    assert 0 <= log["active_units"] <= log["latent_units"]


def test_vae_flags_collapse_when_kl_vanishes():
    """With a huge β and no free bits the posterior matches the prior; the log says so."""
    model = make_model("vae", **{**TINY["vae"], "beta": 1000.0, "free_bits": 0.0, "kl_warmup_steps": 1})
    log = model.fit(structured_dosages(), random_seed=0, epochs=40)
    assert log["posterior_collapse"] and log["kl_per_epoch"][-1] < 1.0 and log["active_units"] == 0


def test_vae_aggregate_prior_samples_stay_on_the_data_manifold(trained):
    """No collapse, a sharp decoder, and a sampling prior fitted to the aggregate posterior: its two
    components are the two haplotype groups, and sampled individuals are near-copies of one group
    (within 2 dosage units of 12 SNPs) in about equal shares; the prior travels in the state."""
    model, log = trained["vae"]
    x = structured_dosages().astype(int)
    assert not log["posterior_collapse"] and log["active_units"] > 0
    assert log["decoder_entropy_nats_per_snp"] < 0.05  # far below the ~0.69 nats of a coin-flip SNP
    assert log["prior_clusters"] == 2 and sorted(log["prior_cluster_sizes"]) == [4, 4]
    s = model.sample(200, random_seed=0).astype(int)
    to_a, to_b = np.abs(s - x[0]).sum(1), np.abs(s - x[4]).sum(1)
    assert (np.minimum(to_a, to_b) <= 2).mean() >= 0.9
    assert 0.3 <= (to_a <= 2).mean() <= 0.7
    assert {"net.prior_means", "net.prior_weights", "net.prior_factor", "net.prior_scale"} <= set(model.state_dict())


def test_vae_standard_prior_keeps_n01():
    model = make_model("vae", **TINY["vae"], prior="standard")
    log = model.fit(structured_dosages(), random_seed=0, epochs=5)
    assert "prior_clusters" not in log and model.net.prior_factor.shape[1] == 0
    assert torch.equal(model.net.prior_means, torch.zeros_like(model.net.prior_means))
    assert torch.equal(model.net.prior_scale, torch.ones_like(model.net.prior_scale))
    assert model.sample(5, random_seed=0).shape == (5, 12)
    with pytest.raises(ValueError, match="prior must be"):
        make_model("vae", prior="gmm").fit(structured_dosages(), random_seed=0, epochs=1)


def test_time_budget_stops_training():
    model = make_model("autoregressive", **TINY["autoregressive"])
    log = model.fit(structured_dosages(), random_seed=0, time_budget_s=0.2, epochs=10**6)
    assert log["stopped_by"] == "time_budget" and log["seconds"] < 5


def test_bad_inputs_have_clear_errors():
    with pytest.raises(ValueError, match="unknown genotype model family 'gan'"):
        make_model("gan")
    with pytest.raises(ValueError, match="unknown option"):
        make_model("vae", latent=3)
    with pytest.raises(ValueError, match="dosages 0, 1 or 2"):
        make_model("vae").fit(np.full((4, 3), 3), random_seed=0, epochs=1)
    with pytest.raises(RuntimeError, match="not trained"):
        make_model("flow").sample(3, random_seed=0)
    with pytest.raises(ValueError, match="chromosome_sizes"):
        make_model("diffusion", chromosome_sizes=[5, 5]).fit(structured_dosages(), random_seed=0, epochs=1)


def test_autoregressive_records_receptive_field():
    assert make_model("autoregressive", dilations=[1, 2, 4, 8]).config["receptive_field"] == 16


def test_pca_basis_keeps_the_asked_variance_and_round_trips():
    from bsl.genai.models.pca import PCABasis, components_for_variance

    assert components_for_variance(np.array([3.0, 2.0, 1.0]), 0.9) == 2  # 9/14 < 0.9 <= 13/14
    x = np.random.default_rng(0).integers(0, 3, size=(30, 20)).astype(np.uint8)
    full = PCABasis.fit(x, [8, 12], 1.0)
    assert full.block_components == [8, 12]
    np.testing.assert_array_equal(full.decode(full.encode(torch.as_tensor(x))).numpy(), x)
    scores = PCABasis.fit(x, [8, 12], 0.9).encode(torch.as_tensor(x))
    np.testing.assert_allclose(scores.std(0).numpy(), 1.0, rtol=1e-4)  # whitened


def test_diffusion_samples_are_not_over_dispersed(monkeypatch):
    """Sampled whitened PCA scores have s.d. ≈ 1 and the samples' per-SNP variance matches the
    training data's after the same PCA round trip, on three chromosome blocks (46 PCs).

    Regression test: with ε-prediction, x̂_0 = (x_t − √(1−ᾱ_t) ε̂)/√ᾱ_t amplified the network's
    error near t = T, x̂_0 sat at the clip bound and samples were over-dispersed (whitened s.d.
    ≈ 2.9 here after 5 epochs, ≈ 2 on the standard 5-chromosome set); v-prediction keeps it ≈ 1.
    """
    rng = np.random.default_rng(0)
    blocks = [20, 20, 20]
    factors, loadings = rng.normal(size=(200, 3)), rng.normal(scale=0.8, size=(3, sum(blocks)))
    p = 1 / (1 + np.exp(-(factors @ loadings + rng.normal(scale=0.5, size=sum(blocks)))))
    x = rng.binomial(2, p).astype(np.uint8)  # 200 × 60 dosages with LD from 3 latent factors
    model = make_model("diffusion", **{**TINY["diffusion"], "chromosome_sizes": blocks})
    model.fit(x, random_seed=0, epochs=5)
    pca, captured = model.net.pca, {}
    decode = pca.decode

    def keep_scores(scores):
        captured["scores"] = scores
        return decode(scores)

    monkeypatch.setattr(pca, "decode", keep_scores)
    s = model.sample(300, random_seed=1)
    sd = captured["scores"].std(0)
    assert pca.dim > 30 and 0.85 < sd.mean().item() < 1.15 and sd.max().item() < 1.4, sd
    reference = decode(pca.encode(torch.as_tensor(x))).numpy().astype(float).var(0).mean()
    ratio = s.astype(float).var(0).mean() / reference
    assert 0.85 < ratio < 1.15, ratio


def test_diffusion_rejects_unknown_options():
    x = structured_dosages()
    with pytest.raises(ValueError, match="prediction must be one of"):
        make_model("diffusion", **TINY["diffusion"], prediction="x0").fit(x, random_seed=0, epochs=1)
    with pytest.raises(ValueError, match="posterior_variance must be one of"):
        make_model("diffusion", **TINY["diffusion"], posterior_variance="learned").fit(x, random_seed=0, epochs=1)


def test_wgan_block_layout_round_trips_and_masks_padding():
    """Genotypes travel in block-major layout (blocks, n, 3B); the last block's padding is zero in
    real data and masked out of the generator's outputs, so the critic cannot use it."""
    from bsl.genai.models.base import one_hot
    from bsl.genai.models.wgan_gp import block_gumbel_softmax, from_blocks, padding_mask, to_blocks

    x = one_hot(torch.as_tensor(np.random.default_rng(0).integers(0, 3, size=(5, 21))))
    blocks = to_blocks(x, 8)
    assert blocks.shape == (3, 5, 24)
    torch.testing.assert_close(from_blocks(blocks, 21), x)
    mask = padding_mask(21, 8)
    assert mask.shape == (3, 1, 24) and mask.sum() == 3 * 21
    assert torch.equal(blocks * mask, blocks)  # real padding is already zero
    soft = block_gumbel_softmax(torch.randn(3, 5, 24), 0.5, torch.Generator().manual_seed(0))
    torch.testing.assert_close(from_blocks(soft, 21).sum(1), torch.ones(5, 21))  # a distribution per SNP


def test_wgan_shifted_blocks_put_snps_across_a_boundary_in_one_row():
    """The critic's second embedding reads blocks shifted by half a block: row k holds SNPs
    kB + B/2 ... (k + 1)B + B/2 − 1 of every channel, zeros past the last SNP."""
    from bsl.genai.models.wgan_gp import from_blocks, shifted_blocks, to_blocks

    x = torch.arange(2 * 3 * 21, dtype=torch.float32).view(2, 3, 21) + 1  # nonzero at every real SNP
    shifted = shifted_blocks(to_blocks(x, 8)).view(3, 2, 3, 8)  # (blocks, n, channel, SNP in row)
    torch.testing.assert_close(shifted[0], x[:, :, 4:12])
    torch.testing.assert_close(shifted[1], x[:, :, 12:20])
    torch.testing.assert_close(shifted[2, :, :, :1], x[:, :, 20:21])
    assert torch.count_nonzero(shifted[2, :, :, 1:]) == 0
    assert from_blocks(to_blocks(x, 8), 21).equal(x)


def test_wgan_read_out_of_a_block_sees_only_its_neighbours():
    """With head_context = 1 the logits of block k depend on the generator's features at blocks
    k − 1, k, k + 1 and nowhere else (so SNPs on either side of a boundary are generated jointly)."""
    model = make_model("wgan_gp", **TINY["wgan_gp"], head_context=1, block=2)  # 12 SNPs, 6 blocks
    model.fit(structured_dosages(), random_seed=0, epochs=1)
    gen = model.net.generator
    features = {}
    gen.body.register_forward_hook(lambda module, inputs, out: features.setdefault("h", out))
    logits = gen(gen.noise(3, torch.Generator().manual_seed(0), torch.device("cpu")))
    h = features["h"]  # (n, C, blocks)
    grad, = torch.autograd.grad(logits[2].sum(), h)  # logits of block 2
    touched = grad.abs().sum((0, 1)).nonzero().flatten().tolist()
    assert touched == [1, 2, 3]


def test_weight_average_follows_its_warm_up_and_decay():
    """ExponentialAverage (WGAN-GP's and diffusion's): a ← d·a + (1 − d)·θ with
    d = min(decay, (1 + k) / (10 + k)) at the k-th update: 2/11 at the first, then the decay
    itself once the warm-up passes it."""
    from bsl.genai.models.base import ExponentialAverage

    average, current = torch.nn.Linear(2, 1), torch.nn.Linear(2, 1)
    with torch.no_grad():
        for p in average.parameters():
            p.fill_(1.0)
        for p in current.parameters():
            p.fill_(3.0)
    ema = ExponentialAverage(average, 0.998)
    ema.update(current)  # d = 2/11
    first = 2 / 11 * 1.0 + 9 / 11 * 3.0
    torch.testing.assert_close(ema.shadow.bias, torch.tensor([first]))
    ema.decay, ema.updates = 0.5, 10_000
    ema.update(current)  # d = 0.5
    torch.testing.assert_close(ema.shadow.weight, torch.full((1, 2), 0.5 * first + 0.5 * 3.0))


def test_wgan_keeps_the_averaged_generator_and_zero_decay_keeps_the_last_one():
    """Same seed, same training: with ema_decay = 0 the generator is the last iterate; with a decay
    it differs from it (it is the average)."""
    x = structured_dosages()
    last = make_model("wgan_gp", **TINY["wgan_gp"], ema_decay=0.0)
    last.fit(x, random_seed=0, epochs=20)
    averaged = make_model("wgan_gp", **TINY["wgan_gp"], ema_decay=0.9)
    averaged.fit(x, random_seed=0, epochs=20)
    a, b = last.net.critic.state_dict(), averaged.net.critic.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)  # the average does not change training
    assert not torch.equal(last.net.generator.head.weight, averaged.net.generator.head.weight)


def test_wgan_samples_the_generators_categorical_not_its_argmax():
    """With the generator's head fixed at P(0, 1, 2) = (0.2, 0.3, 0.5) at every SNP, sampled
    genotype frequencies match those probabilities (the argmax would give all 2s)."""
    model = make_model("wgan_gp", **TINY["wgan_gp"])
    model.fit(structured_dosages(), random_seed=0, epochs=1)
    head = model.net.generator.head
    with torch.no_grad():
        head.weight.zero_()
        head.bias.copy_(torch.log(torch.tensor([0.2, 0.3, 0.5])).repeat_interleave(head.bias.shape[1] // 3))
    s = model.sample(2000, random_seed=0)
    np.testing.assert_allclose([(s == g).mean() for g in range(3)], [0.2, 0.3, 0.5], atol=0.02)


def test_wgan_critic_gradient_penalty_has_second_derivatives():
    """The critic's gradient penalty (Gulrajani et al. 2017) backpropagates to every critic weight."""
    model = make_model("wgan_gp", **TINY["wgan_gp"])
    model.fit(structured_dosages(), random_seed=0, epochs=1)
    critic = model.net.critic
    x = torch.rand(critic.num_blocks, 4, 3 * model.config["block"], requires_grad=True)
    grad, = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
    (grad.pow(2).sum((0, 2)).sqrt() - 1).pow(2).mean().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in critic.parameters() if p.ndim > 1)
