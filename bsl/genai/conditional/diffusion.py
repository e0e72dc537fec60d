"""Conditional denoising diffusion (DDPM) with a cosine noise schedule and an ε-predicting MLP fed the context."""
from __future__ import annotations

import math

import torch
from torch import nn

from bsl.genai.conditional.base import ContinuousModel, mlp


def cosine_alpha_bar(num_steps: int, offset: float = 0.008) -> torch.Tensor:
    """ᾱ_t for t = 1 .. T (T,), float64: ᾱ(t) = f(t)/f(0), f(t) = cos²((t/T + s)/(1 + s) · π/2),
    with β_t = 1 - ᾱ_t/ᾱ_{t-1} clipped at 0.999 (Nichol & Dhariwal 2021, eq. 17)."""
    t = torch.arange(num_steps + 1, dtype=torch.float64) / num_steps
    f = torch.cos((t + offset) / (1 + offset) * math.pi / 2) ** 2
    betas = (1 - f[1:] / f[:-1]).clamp(max=0.999)
    return torch.cumprod(1 - betas, dim=0)


def time_embedding(t: torch.Tensor, width: int) -> torch.Tensor:
    """Sinusoidal embedding (b, width) of step indices t (b,) (Vaswani et al. 2017, as used by Ho et al. 2020)."""
    half = width // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, device=t.device, dtype=torch.float32) / half)
    angles = t.float()[:, None] * freqs[None, :]
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)


class _EpsilonNet(nn.Module):
    def __init__(self, dim: int, context_dim: int, config: dict):
        super().__init__()
        self.width = int(config["time_embedding"])
        hidden = list(config["hidden_features"])
        self.net = mlp([dim + context_dim + self.width, *hidden, dim])
        self.register_buffer("alpha_bar", cosine_alpha_bar(int(config["num_steps"])).float())  # (T,)

    def forward(self, x: torch.Tensor, t: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([x, context, time_embedding(t, self.width)], dim=1))


class DiffusionModel(ContinuousModel):
    """DDPM (Ho et al. 2020) on standardized y: x_t = sqrt(ᾱ_t) y + sqrt(1 - ᾱ_t) ε with the cosine
    schedule of ``cosine_alpha_bar`` over ``num_steps`` steps; an MLP ε_θ(x_t, t, c) is trained on
    ‖ε - ε_θ‖² (the simplified loss, eq. 14) and sampled by ancestral steps
    x_{t-1} = (x_t - β_t/sqrt(1 - ᾱ_t) ε_θ)/sqrt(α_t) + σ_t z with σ_t² = β̃_t = β_t (1 - ᾱ_{t-1})/(1 - ᾱ_t)
    (eq. 11 and §3.2). The sampled weights are an exponential moving average (``ema_decay``).
    """

    family = "diffusion"
    default_config = {
        "num_steps": 200,
        "clip_x0": 3.0,  # standardized units; 6 let rare wild x̂_0 through (microbiome energy distance 0.13 vs 0.10 at 3)
        "hidden_features": [128, 128, 128],
        "time_embedding": 32,
        "ema_decay": 0.995,
        "learning_rate": 1e-3,
        # the ε-loss of a held-out batch is noisy and keeps improving slowly: stopping after 60 flat
        # epochs ended microbiome training at 5 s with energy distance 2.3; training for the budget
        # and keeping the best held-out epoch gave 0.10
        "patience_epochs": 1000,
        "epochs": 5000,
    }

    def _build(self) -> nn.Module:
        return _EpsilonNet(self.dim, self.context_dim, self.config)

    def _fit(self, y, context, budget, generator, progress):
        return self._fit_by_loss(y, context, budget, generator, progress, ema_decay=float(self.config["ema_decay"]))

    def _loss(self, net, y, context, generator, fraction):
        b = y.shape[0]
        t = torch.randint(0, len(net.alpha_bar), (b,), generator=generator, device=y.device)
        noise = torch.randn(y.shape, generator=generator, device=y.device)
        abar = net.alpha_bar[t][:, None]
        x_t = abar.sqrt() * y + (1 - abar).sqrt() * noise
        return ((net(x_t, t, context) - noise) ** 2).mean(), {}

    def _sample(self, context, generator):
        net = self.net
        abar = net.alpha_bar.double()
        abar_prev = torch.cat([abar.new_ones(1), abar[:-1]])
        betas = 1 - abar / abar_prev
        m = context.shape[0]
        x = torch.randn((m, self.dim), generator=generator, device=context.device)
        clip = float(self.config["clip_x0"])
        for t in range(len(abar) - 1, -1, -1):
            steps = torch.full((m,), t, device=context.device, dtype=torch.long)
            eps = net(x, steps, context)
            # x̂_0 from ε̂, clipped: near t = T, sqrt(ᾱ_t) ≈ 0 amplifies errors of ε̂ (Ho et al. 2020 clip to the data range)
            x0 = ((x - float((1 - abar[t]).sqrt()) * eps) / float(abar[t].sqrt())).clamp(-clip, clip)
            # posterior mean μ̃_t(x_t, x̂_0) (Ho et al. 2020, eq. 7)
            mean = (float(abar_prev[t].sqrt() * betas[t] / (1 - abar[t])) * x0
                    + float((1 - betas[t]).sqrt() * (1 - abar_prev[t]) / (1 - abar[t])) * x)
            if t > 0:
                sigma = float((betas[t] * (1 - abar_prev[t]) / (1 - abar[t])).sqrt())
                x = mean + sigma * torch.randn(x.shape, generator=generator, device=x.device)
            else:
                x = mean
        return x
