"""A convolutional VAE over one-hot genotypes with a spatial latent, per-SNP categorical decoder, KL warm-up and free bits."""
from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from bsl.genai.models.base import GenotypeModel, TrainingBudget, categorical_sample, minibatches
from bsl.genai.models.snp_layers import SNPEmbedding, SNPHead


class ConvVAE(nn.Module):
    """Encoder: SNP embedding → ``levels`` stride-2 convs → (μ, log σ²) of a latent of shape
    (latent_channels, ⌈L / 2^levels⌉); decoder mirrors it with transposed convs and a per-SNP head."""

    def __init__(self, num_loci: int, channels: int, levels: int, latent_channels: int):
        super().__init__()
        self.num_loci = num_loci
        self.levels = levels
        self.padded = math.ceil(num_loci / 2 ** levels) * 2 ** levels
        self.latent_shape = (latent_channels, self.padded // 2 ** levels)
        self.embed = SNPEmbedding(num_loci, channels)
        enc = []  # no full-resolution conv: on CPU it would cost more than the rest together
        for _ in range(levels):
            enc += [nn.Conv1d(channels, channels, 4, stride=2, padding=1), nn.GELU()]
        self.encoder = nn.Sequential(*enc)
        self.to_stats = nn.Conv1d(channels, 2 * latent_channels, 1)
        dec = [nn.Conv1d(latent_channels, channels, 3, padding=1), nn.GELU()]
        for _ in range(levels):
            dec += [nn.ConvTranspose1d(channels, channels, 4, stride=2, padding=1), nn.GELU()]
        self.decoder = nn.Sequential(*dec)
        self.head = SNPHead(num_loci, channels)

    def encode(self, genotypes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = F.pad(self.embed(genotypes), (0, self.padded - self.num_loci))
        mu, logvar = self.to_stats(self.encoder(h)).chunk(2, dim=1)  # each (n, Z, L / 2^levels)
        return mu, logvar.clamp(-12.0, 6.0)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.head(self.decoder(z)[:, :, : self.num_loci])  # (n, 3, L) logits


class VAEModel(GenotypeModel):
    """Variational autoencoder (Kingma & Welling 2014) for genotypes.

    The decoder gives per-SNP 3-class logits and samples are drawn from that categorical (never
    argmax). The latent is spatial — ``latent_channels`` numbers per block of 2^``levels`` SNPs —
    so the model sees SNP order and local haplotype structure. Against posterior collapse: β is
    warmed up linearly from 0 to ``beta`` over ``kl_warmup_steps`` (Bowman et al. 2016) and each
    latent channel pays at least ``free_bits`` nats per block (Kingma et al. 2016, free bits).
    The log records the KL per epoch (nats per individual), active units (Burda et al. 2016:
    Var_x E_q[z] > 0.01) and ``posterior_collapse`` (final KL below ``collapse_kl_nats``, or no
    active unit).
    """

    family = "vae"
    default_config = {
        "channels": 16,
        "levels": 4,
        "latent_channels": 4,
        "beta": 1.0,
        "kl_warmup_steps": 2000,
        "free_bits": 0.05,
        "batch_size": 32,
        "learning_rate": 2e-3,
        "weight_decay": 0.0,
        "collapse_kl_nats": 1.0,
        "epochs": 100,
    }

    def _build(self) -> nn.Module:
        c = self.config
        return ConvVAE(self.meta["num_loci"], int(c["channels"]), int(c["levels"]), int(c["latent_channels"]))

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
        active = int((means.flatten(1).var(0) > 0.01).sum())
        return {"steps": steps, "epochs": epoch,
                "final_losses": {"recon_nats": recon_per_epoch[-1], "kl_nats": kl_per_epoch[-1]},
                "kl_per_epoch": kl_per_epoch, "recon_per_epoch": recon_per_epoch,
                "active_units": active, "latent_units": int(means[0].numel()),
                # free bits can hold the KL above the threshold while no unit carries information,
                # so no active unit also counts as collapse (seen: KL 10 nats, 0 of 1252 units active)
                "posterior_collapse": bool(kl_per_epoch[-1] < float(c["collapse_kl_nats"]) or active == 0)}

    def _sample(self, n, generator, device) -> torch.Tensor:
        net: ConvVAE = self.net
        z = torch.randn((n, *net.latent_shape), generator=generator, device=device)
        return categorical_sample(net.decode(z), generator, dim=1)
