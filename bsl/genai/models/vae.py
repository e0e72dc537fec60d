"""A convolutional VAE over one-hot genotypes: per-block embeddings and read-outs, a spatial latent, a
per-SNP categorical decoder, KL warm-up and free bits, and a sampling prior fitted to the aggregate posterior."""
from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from bsl.genai.models.base import GenotypeModel, TrainingBudget, categorical_sample, minibatches, one_hot
from bsl.genai.models.snp_layers import BlockLinear


#: Fewest training individuals per component of the aggregate-posterior prior, on average.
MIN_CLUSTER_SIZE = 4


class ResidualConv(nn.Module):
    """x + conv(GELU(conv(GELU(x)))): a pre-activation residual block over the block axis."""

    def __init__(self, channels: int, kernel_size: int):
        super().__init__()
        self.conv1 = nn.Conv1d(channels, channels, kernel_size, padding=kernel_size // 2)
        self.conv2 = nn.Conv1d(channels, channels, kernel_size, padding=kernel_size // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv2(F.gelu(self.conv1(F.gelu(x))))


class ConvVAE(nn.Module):
    """Encoder and decoder over blocks of B = 2^``levels`` adjacent SNPs.

    Encoder: the one-hot genotypes of each block → a per-block linear embedding (``BlockLinear``,
    weights of its own in every block) → ``depth`` residual convolutions along the genome → (μ,
    log σ²) of a latent of shape (latent_channels, ⌈L / B⌉). Decoder: a convolution from the latent,
    ``depth`` residual convolutions, and a per-block read-out to the 3-class logits of each SNP.
    Seeing a block's SNPs jointly, with weights of their own, lets the decoder give each SNP a
    confident categorical given z (low entropy per SNP), and working at block resolution keeps the
    convolutions cheap on CPU (no layer runs at the full SNP resolution). The buffers ``prior_*``
    hold the sampling prior (``sample_prior``), part of the saved state.
    """

    def __init__(self, num_loci: int, channels: int, levels: int, latent_channels: int, depth: int = 2,
                 kernel_size: int = 3, prior_components: int = 0, prior_clusters: int = 1):
        super().__init__()
        self.num_loci = num_loci
        self.levels = levels
        self.block = 2 ** levels
        self.num_blocks = math.ceil(num_loci / self.block)
        self.padded = self.num_blocks * self.block
        self.latent_shape = (latent_channels, self.num_blocks)
        self.embed = BlockLinear(self.num_blocks, 3 * self.block, channels)
        self.encoder = nn.Sequential(*[ResidualConv(channels, kernel_size) for _ in range(depth)], nn.GELU())
        self.to_stats = nn.Conv1d(channels, 2 * latent_channels, 1)
        self.from_latent = nn.Conv1d(latent_channels, channels, kernel_size, padding=kernel_size // 2)
        self.decoder = nn.Sequential(*[ResidualConv(channels, kernel_size) for _ in range(depth)], nn.GELU())
        self.head = BlockLinear(self.num_blocks, channels, 3 * self.block)
        # the sampling prior over the flattened latent (see sample_prior); N(0, I) until fitted
        dim = latent_channels * self.num_blocks
        self.register_buffer("prior_means", torch.zeros(prior_clusters, dim))
        self.register_buffer("prior_weights", torch.full((prior_clusters,), 1.0 / prior_clusters))
        self.register_buffer("prior_factor", torch.zeros(dim, min(prior_components, dim)))
        self.register_buffer("prior_scale", torch.ones(dim))

    def encode(self, genotypes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        n = genotypes.shape[0]
        x = F.pad(one_hot(genotypes), (0, self.padded - self.num_loci))  # (n, 3, padded); padding all-zero
        x = x.view(n, 3, self.num_blocks, self.block).permute(0, 2, 1, 3).reshape(n, self.num_blocks, 3 * self.block)
        h = self.embed(x).transpose(1, 2)  # (n, C, blocks)
        mu, logvar = self.to_stats(self.encoder(h)).chunk(2, dim=1)  # each (n, Z, blocks)
        return mu, logvar.clamp(-12.0, 6.0)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        n = z.shape[0]
        h = self.decoder(self.from_latent(z)).transpose(1, 2)  # (n, blocks, C)
        logits = self.head(h).view(n, self.num_blocks, 3, self.block).permute(0, 2, 1, 3)
        return logits.reshape(n, 3, self.padded)[:, :, : self.num_loci]  # (n, 3, L)

    def sample_prior(self, n: int, generator: torch.Generator, device: torch.device) -> torch.Tensor:
        """n latents (n, Z, blocks) from the sampling prior: component m with probability
        ``prior_weights[m]``, then N(prior_means[m], prior_factor prior_factorᵀ + diag(prior_scale²))."""
        k = self.prior_factor.shape[1]
        component = torch.multinomial(self.prior_weights, n, replacement=True, generator=generator)
        eps = torch.randn((n, k + self.prior_scale.numel()), generator=generator, device=device)
        z = self.prior_means[component] + eps[:, :k] @ self.prior_factor.T + eps[:, k:] * self.prior_scale
        return z.view(n, *self.latent_shape)

    @torch.no_grad()
    def fit_aggregate_prior(self, genotypes: torch.Tensor, generator: torch.Generator,
                            batch_size: int = 256) -> dict:
        """Fit the sampling prior to the aggregate posterior q(z) = mean_i q(z | x_i) of ``genotypes``.

        The second stage of a two-stage VAE (Dai & Wipf 2019): N(0, I) leaves holes where the
        aggregate posterior has no mass, and latents drawn there decode off the data manifold. The
        encoder means are clustered with k-means (k-means++ seeding, Arthur & Vassilvitskii 2007)
        into ``prior_means.shape[0]`` components weighted by their sizes, so a multimodal q(z)
        keeps its modes; the spread around the centres is one probabilistic PCA (Tipping & Bishop
        1999) shared by all components — the top ``prior_factor.shape[1]`` principal directions of
        the within-cluster residuals, from a thin SVD — plus a diagonal that matches each latent
        unit's aggregate-posterior variance: the residual variance the components leave
        unexplained plus the mean posterior variance. Only these moments are kept, no individual's
        encoding (every component averages a cluster of encodings).
        """
        stats = [self.encode(genotypes[i:i + batch_size]) for i in range(0, len(genotypes), batch_size)]
        mu = torch.cat([m for m, _ in stats]).flatten(1).double().cpu()  # (n, D)
        var = torch.cat([lv for _, lv in stats]).flatten(1).double().exp().mean(0).cpu()  # (D,)
        centres, assign = kmeans(mu, self.prior_means.shape[0], generator)
        residuals = (mu - centres[assign]) / math.sqrt(max(1, len(mu) - len(centres)))
        _, singular, vh = torch.linalg.svd(residuals, full_matrices=False)
        k = min(self.prior_factor.shape[1], vh.shape[0])  # fewer individuals than components: the rest stay 0
        factor = torch.zeros(self.prior_factor.shape, dtype=torch.float64)
        factor[:, :k] = vh[:k].T * singular[:k]
        unexplained = (residuals.pow(2).sum(0) - factor.pow(2).sum(1)).clamp_min(0.0)
        self.prior_means.copy_(centres)
        self.prior_weights.copy_(torch.bincount(assign, minlength=len(centres)).double() / len(assign))
        self.prior_factor.copy_(factor)
        self.prior_scale.copy_((unexplained + var).sqrt())
        total = float(residuals.pow(2).sum())
        return {"prior_clusters": len(centres), "prior_cluster_sizes": torch.bincount(assign).tolist(),
                "prior_explained_variance": float(singular[:k].pow(2).sum()) / total if total > 0 else 0.0}


def kmeans(x: torch.Tensor, k: int, generator: torch.Generator,
           iterations: int = 50) -> tuple[torch.Tensor, torch.Tensor]:
    """Lloyd's k-means of the rows of ``x`` (n, D) with k-means++ seeding (Arthur & Vassilvitskii 2007);
    returns the centres (k, D) and each row's cluster (n,). A cluster left empty keeps its centre."""
    centres = x[torch.randint(len(x), (1,), generator=generator)]
    nearest = torch.cdist(x, centres).pow(2).min(1).values
    for _ in range(1, k):
        pick = torch.multinomial(nearest + 1e-12, 1, generator=generator)
        centres = torch.cat([centres, x[pick]])
        nearest = torch.minimum(nearest, torch.cdist(x, x[pick]).pow(2)[:, 0])
    assign = torch.cdist(x, centres).argmin(1)
    for _ in range(iterations):
        counts = torch.bincount(assign, minlength=k)
        sums = torch.zeros_like(centres).index_add_(0, assign, x)
        centres = torch.where(counts[:, None] > 0, sums / counts.clamp_min(1)[:, None], centres)
        new = torch.cdist(x, centres).argmin(1)
        if torch.equal(new, assign):
            break
        assign = new
    return centres, assign


class VAEModel(GenotypeModel):
    """Variational autoencoder (Kingma & Welling 2014) for genotypes.

    The decoder gives per-SNP 3-class logits and samples are drawn from that categorical (never
    argmax). The latent is spatial — ``latent_channels`` numbers per block of 2^``levels`` SNPs —
    so the model sees SNP order and local haplotype structure (``ConvVAE``). Against posterior
    collapse: β is warmed up linearly from 0 to ``beta`` over ``kl_warmup_steps`` (Bowman et al.
    2016) and each latent channel pays at least ``free_bits`` nats per block (Kingma et al. 2016,
    free bits).

    Training uses the N(0, I) prior of the ELBO. For sampling, ``prior="aggregate"`` (default)
    replaces it with a fit to the aggregate posterior of the training data — a mixture of
    ``prior_clusters`` Gaussians sharing a ``prior_components``-factor PPCA covariance
    (``ConvVAE.fit_aggregate_prior``; two-stage VAE, Dai & Wipf 2019); ``prior="standard"`` keeps
    N(0, I). Measured on the standard 1,500 x 5,000 genotype data after 240 s, latents from N(0, I)
    decode off the data manifold (k-NN precision 0.31, LD r 0.85) while the fitted prior gives
    precision 0.5-0.7 and LD r ≈ 0.93 (recall 0.5-0.7, no exact copies).

    The log records the KL per epoch (nats per individual), active units (Burda et al. 2016:
    Var_x E_q[z] > 0.01), ``posterior_collapse`` (final KL below ``collapse_kl_nats``, or no
    active unit), ``decoder_entropy_nats_per_snp`` (mean entropy of the decoder's categorical at
    the training individuals' posterior means: the independent noise that sampling adds given z)
    and, for the aggregate prior, ``prior_clusters``, ``prior_cluster_sizes`` and
    ``prior_explained_variance`` (share of the within-cluster variance of the encoder means that
    the PPCA factors carry).
    """

    family = "vae"
    default_config = {
        "channels": 32,
        "levels": 4,
        "latent_channels": 8,
        "depth": 2,
        "kernel_size": 3,
        "beta": 1.0,
        "kl_warmup_steps": 500,
        "free_bits": 0.05,
        "batch_size": 32,
        "learning_rate": 2e-3,
        "weight_decay": 0.0,
        "collapse_kl_nats": 1.0,
        "prior": "aggregate",
        "prior_components": 256,
        "prior_clusters": 16,
        "epochs": 100,
    }

    def _prepare(self, dosages, generator) -> None:
        super()._prepare(dosages, generator)
        # at least MIN_CLUSTER_SIZE individuals per mixture component on average, so no centre is one encoding
        clusters = min(int(self.config["prior_clusters"]), max(1, dosages.shape[0] // MIN_CLUSTER_SIZE))
        self.meta["prior_clusters"] = clusters if self.config["prior"] == "aggregate" else 1

    def _build(self) -> nn.Module:
        c = self.config
        if c["prior"] not in ("aggregate", "standard"):
            raise ValueError(f"prior must be 'aggregate' or 'standard'; got {c['prior']!r}")
        return ConvVAE(self.meta["num_loci"], int(c["channels"]), int(c["levels"]), int(c["latent_channels"]),
                       int(c["depth"]), int(c["kernel_size"]),
                       int(c["prior_components"]) if c["prior"] == "aggregate" else 0,
                       int(self.meta.get("prior_clusters", 1)))

    def _fit(self, dosages, budget: TrainingBudget, generator, device, progress) -> dict:
        net: ConvVAE = self.net
        c = self.config
        data = torch.as_tensor(dosages, device=device)
        optimizer = torch.optim.AdamW(net.parameters(), lr=c["learning_rate"], weight_decay=c["weight_decay"])
        steps, epoch = 0, 0
        kl_per_epoch, recon_per_epoch = [], []
        net.train()
        while True:
            kl_sum = recon_sum = 0.0
            seen = 0
            for idx in minibatches(len(data), int(c["batch_size"]), generator):
                g = data[idx.to(device)]
                mu, logvar = net.encode(g)
                eps = torch.randn(mu.shape, generator=generator).to(device)
                z = mu + (0.5 * logvar).exp() * eps  # reparameterisation
                recon = F.cross_entropy(net.decode(z), g.long(), reduction="none").sum(1)  # (b,) nats
                kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar)  # (b, Z, B) KL(q || N(0, I)) per unit
                # free bits per latent channel and block, on the batch-mean KL (Kingma et al. 2016, eq. 15)
                kl_floored = kl.mean(0).clamp_min(float(c["free_bits"])).sum()
                beta = float(c["beta"]) * min(1.0, (steps + 1) / max(1, int(c["kl_warmup_steps"])))
                loss = (recon.mean() + beta * kl_floored) / net.num_loci
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                steps += 1
                kl_sum += kl.sum().item()
                recon_sum += recon.sum().item()
                seen += len(idx)
                if budget.out_of_time():
                    break
            epoch += 1
            kl_per_epoch.append(kl_sum / seen)
            recon_per_epoch.append(recon_sum / seen)
            if progress is not None:
                progress({"epoch": epoch, "steps": steps, "seconds": budget.seconds, "kl_nats": kl_per_epoch[-1],
                          "recon_nats": recon_per_epoch[-1], "beta": beta})
            if budget.stopped_by or budget.epoch_done(epoch):
                break
        net.eval()
        with torch.no_grad():
            means = torch.cat([net.encode(data[i:i + 256])[0] for i in range(0, len(data), 256)])
            # mean entropy of the decoder's per-SNP categorical at the posterior means: how much independent
            # noise sampling adds given z (the marginal genotype entropy is the no-information ceiling)
            probs = torch.cat([net.decode(means[i:i + 256]).softmax(1) for i in range(0, len(means), 256)])
            entropy = float(-(probs * probs.clamp_min(1e-12).log()).sum(1).mean())
        active = int((means.flatten(1).var(0) > 0.01).sum())
        prior = net.fit_aggregate_prior(data, generator) if c["prior"] == "aggregate" else {}
        return {"steps": steps, "epochs": epoch,
                "final_losses": {"recon_nats": recon_per_epoch[-1], "kl_nats": kl_per_epoch[-1]},
                "kl_per_epoch": kl_per_epoch, "recon_per_epoch": recon_per_epoch,
                "active_units": active, "latent_units": int(means[0].numel()),
                "decoder_entropy_nats_per_snp": entropy, **prior,
                # free bits can hold the KL above the threshold while no unit carries information,
                # so no active unit also counts as collapse (seen: KL 10 nats, 0 of 1252 units active)
                "posterior_collapse": bool(kl_per_epoch[-1] < float(c["collapse_kl_nats"]) or active == 0)}

    def _sample(self, n, generator, device) -> torch.Tensor:
        net: ConvVAE = self.net
        return categorical_sample(net.decode(net.sample_prior(n, generator, device)), generator, dim=1)
