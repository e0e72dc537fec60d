"""PCA + DDPM: a denoising diffusion model over whitened per-chromosome principal-component scores."""
from __future__ import annotations

import math

import torch
from torch import nn

from bsl.genai.models.base import ExponentialAverage, TrainingBudget, minibatches
from bsl.genai.models.pca import PCABasis, PCASpaceModel


def cosine_alpha_bar(num_steps: int, offset: float = 0.008) -> torch.Tensor:
    """ᾱ_t for t = 0..T (ᾱ_0 = 1), float64 (T+1,).

    Cosine schedule of Nichol & Dhariwal (2021), eq. 17: ᾱ_t = f(t)/f(0),
    f(t) = cos²(((t/T + s)/(1 + s)) · π/2); betas are clipped at 0.999 (their §3.2).
    """
    t = torch.arange(num_steps + 1, dtype=torch.float64) / num_steps
    f = torch.cos((t + offset) / (1 + offset) * math.pi / 2) ** 2
    alpha_bar = f / f[0]
    betas = (1 - alpha_bar[1:] / alpha_bar[:-1]).clamp(max=0.999)
    return torch.cat([torch.ones(1, dtype=torch.float64), torch.cumprod(1 - betas, 0)])


def timestep_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal embedding of integer steps t (B,) → (B, dim) (Vaswani et al. 2017, §3.5)."""
    half = dim // 2
    freqs = torch.exp(-math.log(10_000.0) * torch.arange(half, device=t.device, dtype=torch.float32) / half)
    angles = t.float()[:, None] * freqs[None, :]
    return torch.cat([angles.sin(), angles.cos()], dim=1)


class _ResidualBlock(nn.Module):
    def __init__(self, width: int, dropout: float):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.time = nn.Linear(width, width)
        self.ff = nn.Sequential(nn.Linear(width, width), nn.SiLU(), nn.Dropout(dropout), nn.Linear(width, width))

    def forward(self, h: torch.Tensor, temb: torch.Tensor) -> torch.Tensor:
        return h + self.ff(nn.functional.silu(self.norm(h) + self.time(temb)))


class NoisePredictor(nn.Module):
    """ε_θ(x_t, t): a residual MLP over D PCA coordinates, conditioned on a sinusoidal step embedding."""

    def __init__(self, dim: int, width: int, depth: int, dropout: float):
        super().__init__()
        self.width = width
        self.inp = nn.Linear(dim, width)
        self.temb = nn.Sequential(nn.Linear(width, width), nn.SiLU(), nn.Linear(width, width))
        self.blocks = nn.ModuleList(_ResidualBlock(width, dropout) for _ in range(depth))
        self.out = nn.Sequential(nn.LayerNorm(width), nn.SiLU(), nn.Linear(width, dim))
        nn.init.zeros_(self.out[-1].weight)
        nn.init.zeros_(self.out[-1].bias)

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        temb = self.temb(timestep_embedding(t, self.width))
        h = self.inp(x)
        for block in self.blocks:
            h = block(h, temb)
        return self.out(h)


class _DiffusionNet(nn.Module):
    def __init__(self, meta: dict, config: dict):
        super().__init__()
        self.pca = PCABasis(meta["block_loci"], meta["block_components"])
        self.eps = NoisePredictor(self.pca.dim, config["width"], config["depth"], config["dropout"])
        self.register_buffer("alpha_bar", cosine_alpha_bar(config["num_steps"]).float())  # (T+1,)
        self.register_buffer("score_bound", torch.full((self.pca.dim,), math.inf))  # (D,) clip for x̂_0


class DiffusionModel(PCASpaceModel):
    """DDPM (Ho, Jain & Abbeel 2020) with ε-prediction and a cosine schedule, in PCA space.

    Genotypes are projected per chromosome onto the principal axes that keep
    ``variance_fraction`` of the standardized variance (Xie et al. 2025 use PCA for their DM);
    samples are drawn by ancestral sampling over ``sample_steps`` of the ``num_steps`` steps
    (respaced), with x̂_0 clipped to ``clip_margin`` × the training scores' range, mapped back, rounded and
    clipped to 0/1/2. ``chromosome_sizes`` (loci per chromosome, genome order) sets the blocks;
    None treats the genome as one block. Sampling uses an exponential moving average of the
    weights (``ema_decay``).
    """

    family = "diffusion"
    default_config = {
        "variance_fraction": 0.9,
        "chromosome_sizes": None,
        "num_steps": 1000,
        "sample_steps": 250,
        "clip_margin": 1.5,
        "width": 512,
        "depth": 3,
        "dropout": 0.1,
        "batch_size": 128,
        "learning_rate": 1e-3,
        "weight_decay": 0.0,
        "ema_decay": 0.999,
        "epochs": 400,
    }

    def _make_net(self) -> nn.Module:
        return _DiffusionNet(self.meta, self.config)

    def _fit(self, dosages, budget: TrainingBudget, generator, device, progress) -> dict:
        net = self.net
        scores = net.pca.encode(torch.as_tensor(dosages, device=device))  # (n, D), unit variance
        net.score_bound.copy_(scores.abs().amax(0) * float(self.config["clip_margin"]))
        alpha_bar = net.alpha_bar
        num_steps = int(self.config["num_steps"])
        optimizer = torch.optim.AdamW(net.eps.parameters(), lr=self.config["learning_rate"],
                                      weight_decay=self.config["weight_decay"])
        ema = ExponentialAverage(net.eps, float(self.config["ema_decay"]))
        steps, epoch, losses = 0, 0, []
        net.train()
        while True:
            epoch_loss, batches = 0.0, 0
            for idx in minibatches(len(scores), int(self.config["batch_size"]), generator):
                x0 = scores[idx.to(device)]
                t = torch.randint(1, num_steps + 1, (len(idx),), generator=generator).to(device)
                noise = torch.randn(x0.shape, generator=generator).to(device)
                ab = alpha_bar[t][:, None]
                xt = ab.sqrt() * x0 + (1 - ab).sqrt() * noise  # q(x_t | x_0), Ho et al. eq. 4
                loss = nn.functional.mse_loss(net.eps(xt, t), noise)  # L_simple, Ho et al. eq. 14
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                ema.update(net.eps)
                steps += 1
                epoch_loss += loss.item()
                batches += 1
                if budget.out_of_time():
                    break
            epoch += 1
            losses.append(epoch_loss / batches)
            if progress is not None:
                progress({"epoch": epoch, "steps": steps, "seconds": budget.seconds, "loss": losses[-1]})
            if budget.stopped_by or budget.epoch_done(epoch):
                break
        ema.copy_to(net.eps)
        return {"steps": steps, "epochs": epoch, "final_losses": {"noise_mse": losses[-1]}, "loss_per_epoch": losses,
                "pca_components": self.meta["block_components"]}

    def _sample(self, n, generator, device) -> torch.Tensor:
        net = self.net
        num_steps, sample_steps = int(self.config["num_steps"]), int(self.config["sample_steps"])
        if not 1 <= sample_steps <= num_steps:
            raise ValueError(f"sample_steps must be in 1..num_steps ({num_steps}); got {sample_steps}")
        # respaced ancestral sampling over an evenly spaced subsequence of steps (Nichol & Dhariwal 2021, §4)
        steps = torch.linspace(num_steps, 0, sample_steps + 1).round().long().tolist()
        alpha_bar = net.alpha_bar.double()
        bound = net.score_bound.to(device)
        x = torch.randn((n, net.pca.dim), generator=generator, device=device)
        for t, t_prev in zip(steps[:-1], steps[1:]):
            ab_t, ab_prev = alpha_bar[t], alpha_bar[t_prev]
            beta = 1 - ab_t / ab_prev
            eps = net.eps(x, torch.full((n,), t, device=device, dtype=torch.long))
            # x̂_0 from ε̂ (Ho et al. 2020, eq. 15), clipped to the training range as images are clipped to [−1, 1];
            # without it the 1/√α_t amplification near t = T makes the chain diverge
            x0 = ((x - (1 - ab_t).sqrt().float() * eps) / ab_t.sqrt().float()).clamp(-bound, bound)
            if t_prev == 0:
                x = x0
                break
            # posterior q(x_{t'} | x_t, x̂_0): mean and variance β̃ of Ho et al. (2020), eq. 7
            c0 = (ab_prev.sqrt() * beta / (1 - ab_t)).float()
            ct = ((1 - beta).sqrt() * (1 - ab_prev) / (1 - ab_t)).float()
            var = beta * (1 - ab_prev) / (1 - ab_t)
            x = c0 * x0 + ct * x + var.sqrt().float() * torch.randn(x.shape, generator=generator, device=device)
        return net.pca.decode(x)
