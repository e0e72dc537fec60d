"""WGAN-GP for genotypes: a small 1-D convolutional generator with per-SNP Gumbel-softmax outputs and a strided convolutional critic."""
from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from bsl.genai.models.base import GenotypeModel, TrainingBudget, categorical_sample, one_hot
from bsl.genai.models.snp_layers import SNPHead


def gumbel_softmax(logits: torch.Tensor, temperature: float, generator: torch.Generator) -> torch.Tensor:
    """Relaxed one-hot sample over dim 1 (Jang, Gu & Poole 2017; Maddison et al. 2017), seeded."""
    uniform = torch.rand(logits.shape, generator=generator).to(logits.device).clamp_(1e-10, 1.0 - 1e-7)
    return F.softmax((logits - torch.log(-torch.log(uniform))) / temperature, dim=1)


def annealed_temperature(fraction: float, start: float, end: float) -> float:
    """Exponential anneal start → end as training ``fraction`` goes 0 → 1."""
    fraction = min(max(fraction, 0.0), 1.0)
    return start * (end / start) ** fraction


class Generator(nn.Module):
    """z (n, Z) → logits (n, 3, L): a linear map to a coarse (2C, L/32) map, three transposed
    convs (×2, ×2, ×8) and a per-SNP linear head; no full-resolution conv, for CPU speed."""

    def __init__(self, num_loci: int, latent_dim: int, channels: int):
        super().__init__()
        self.num_loci = num_loci
        self.coarse = math.ceil(num_loci / 32)
        c = channels
        self.fc = nn.Linear(latent_dim, 2 * c * self.coarse)
        self.up = nn.Sequential(
            nn.GELU(),
            nn.ConvTranspose1d(2 * c, 2 * c, 4, stride=2, padding=1), nn.GELU(),
            nn.ConvTranspose1d(2 * c, c, 4, stride=2, padding=1), nn.GELU(),
            nn.ConvTranspose1d(c, c, 16, stride=8, padding=4), nn.GELU(),
        )
        self.head = SNPHead(num_loci, c)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = self.fc(z).view(len(z), -1, self.coarse)
        return self.head(self.up(h)[:, :, : self.num_loci])


class Critic(nn.Module):
    """Soft one-hot genotypes (n, 3, L) → a scalar score: three strided convs (÷8, ÷2, ÷2) with
    leaky ReLU and a linear read-out over all positions (which gives it SNP-specific weights).
    A per-SNP input embedding was tried and dropped: with the gradient penalty's double backward
    it tripled the cost of a critic step on CPU. No batch norm (it breaks the
    per-sample gradient penalty; Gulrajani et al. 2017, §4)."""

    def __init__(self, num_loci: int, channels: int):
        super().__init__()
        c = channels
        self.padded = math.ceil(num_loci / 32) * 32  # the strided convs need a multiple of 32
        self.convs = nn.Sequential(
            nn.Conv1d(3, c, 16, stride=8, padding=4), nn.LeakyReLU(0.2),
            nn.Conv1d(c, 2 * c, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv1d(2 * c, 2 * c, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
        )
        with torch.no_grad():
            length = self.convs(torch.zeros(1, 3, self.padded)).shape[2]
        self.out = nn.Linear(2 * c * length, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.pad(x, (0, self.padded - x.shape[2]))
        return self.out(self.convs(h).flatten(1)).squeeze(1)


class _GANNet(nn.Module):
    def __init__(self, num_loci: int, config: dict):
        super().__init__()
        self.generator = Generator(num_loci, int(config["latent_dim"]), int(config["channels"]))
        self.critic = Critic(num_loci, int(config["channels"]))


class WGANGPModel(GenotypeModel):
    """Wasserstein GAN with gradient penalty (Gulrajani et al. 2017, Algorithm 1: λ = 10,
    n_critic = 5, Adam with β = (0.5, 0.9)), as adapted to genotypes by Xie et al. (2025): the
    generator's per-SNP logits pass through a Gumbel-softmax whose temperature is annealed
    exponentially from ``temperature_start`` to ``temperature_end`` over the training budget
    (time or epochs, whichever is given; otherwise over ``anneal_steps`` generator steps).
    Samples are drawn from the categorical itself (Gumbel-max, the zero-temperature limit).
    An epoch is one pass of the critic over the training individuals.
    """

    family = "wgan_gp"
    default_config = {
        "latent_dim": 128,
        "channels": 16,
        "critic_steps": 5,
        "gradient_penalty": 10.0,
        "batch_size": 32,
        "learning_rate": 2e-4,
        "temperature_start": 1.0,
        "temperature_end": 0.1,
        "anneal_steps": 2000,
        "epochs": 200,
    }

    def _build(self) -> nn.Module:
        return _GANNet(self.meta["num_loci"], self.config)

    def _fit(self, dosages, budget: TrainingBudget, generator, device, progress) -> dict:
        net: _GANNet = self.net
        c = self.config
        data = one_hot(torch.as_tensor(dosages, device=device))  # (n, 3, L)
        n, batch, lam = len(data), min(int(c["batch_size"]), len(data)), float(c["gradient_penalty"])
        opt_g = torch.optim.Adam(net.generator.parameters(), lr=c["learning_rate"], betas=(0.5, 0.9))
        opt_c = torch.optim.Adam(net.critic.parameters(), lr=c["learning_rate"], betas=(0.5, 0.9))
        batches_per_epoch = math.ceil(n / batch)
        order, cursor = torch.randperm(n, generator=generator), 0
        g_steps = c_steps = epoch = 0
        temperature = float(c["temperature_start"])
        w_dist = g_loss = float("nan")
        net.train()
        while True:
            for _ in range(int(c["critic_steps"])):
                if cursor + batch > n:
                    order, cursor = torch.randperm(n, generator=generator), 0
                real = data[order[cursor:cursor + batch].to(device)]
                cursor += batch
                with torch.no_grad():
                    z = torch.randn((batch, int(c["latent_dim"])), generator=generator).to(device)
                    fake = gumbel_softmax(net.generator(z), temperature, generator)
                mix = torch.rand((batch, 1, 1), generator=generator).to(device)
                inter = (mix * real + (1 - mix) * fake).requires_grad_(True)
                scores = net.critic(torch.cat([real, fake, inter]))
                s_real, s_fake, s_inter = scores.split(batch)
                grad, = torch.autograd.grad(s_inter.sum(), inter, create_graph=True)
                penalty = (grad.flatten(1).norm(dim=1) - 1).pow(2).mean()  # Gulrajani et al. eq. 3
                loss_c = s_fake.mean() - s_real.mean() + lam * penalty
                opt_c.zero_grad(set_to_none=True)
                loss_c.backward()
                opt_c.step()
                c_steps += 1
                w_dist = (s_real.mean() - s_fake.mean()).item()
            z = torch.randn((batch, int(c["latent_dim"])), generator=generator).to(device)
            loss_g = -net.critic(gumbel_softmax(net.generator(z), temperature, generator)).mean()
            opt_g.zero_grad(set_to_none=True)
            loss_g.backward()
            opt_g.step()
            g_steps += 1
            g_loss = loss_g.item()
            fraction = budget.fraction(c_steps / batches_per_epoch, default_steps=int(c["anneal_steps"]), steps=g_steps)
            temperature = annealed_temperature(fraction, float(c["temperature_start"]), float(c["temperature_end"]))
            if c_steps // batches_per_epoch > epoch:
                epoch = c_steps // batches_per_epoch
                if progress is not None:
                    progress({"epoch": epoch, "steps": g_steps, "seconds": budget.seconds, "wasserstein": w_dist,
                              "generator_loss": g_loss, "temperature": temperature})
                if budget.epoch_done(epoch):
                    break
            if budget.out_of_time():
                break
        return {"steps": g_steps, "critic_steps": c_steps, "epochs": epoch, "final_temperature": temperature,
                "final_losses": {"wasserstein_estimate": w_dist, "generator": g_loss}}

    def _sample(self, n, generator, device) -> torch.Tensor:
        z = torch.randn((n, int(self.config["latent_dim"])), generator=generator, device=device)
        return categorical_sample(self.net.generator(z), generator, dim=1)
