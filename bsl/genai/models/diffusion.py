"""PCA + DDPM: a denoising diffusion model over whitened per-chromosome principal-component scores."""
from __future__ import annotations

import math

import torch
from torch import nn

from bsl.genai.models.base import ExponentialAverage, TrainingBudget, train_epochs
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
    """ε_θ(x_t, t) or v_θ(x_t, t) (``DiffusionModel`` config ``prediction``): a residual MLP over D PCA
    coordinates, conditioned on a sinusoidal step embedding; the output layer starts at zero."""

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
        # named ``eps`` for saved states; it predicts v or ε as config["prediction"] says
        self.eps = NoisePredictor(self.pca.dim, config["width"], config["depth"], config["dropout"])
        self.register_buffer("alpha_bar", cosine_alpha_bar(config["num_steps"]).float())  # (T+1,)
        self.register_buffer("score_bound", torch.full((self.pca.dim,), math.inf))  # (D,) clip for x̂_0


PREDICTIONS = ("v", "epsilon")
POSTERIOR_VARIANCES = ("beta", "beta_tilde")


class DiffusionModel(PCASpaceModel):
    """DDPM (Ho, Jain & Abbeel 2020) with a cosine schedule, in PCA space.

    Genotypes are projected per chromosome onto the principal axes that keep
    ``variance_fraction`` of the standardized variance (Xie et al. 2025 use PCA for their DM);
    samples are drawn by ancestral sampling over ``sample_steps`` of the ``num_steps`` steps
    (respaced), with x̂_0 clipped to ``clip_margin`` × the training scores' range, mapped back, rounded and
    clipped to 0/1/2. ``chromosome_sizes`` (loci per chromosome, genome order) sets the blocks;
    None treats the genome as one block. Sampling uses an exponential moving average of the
    weights (``ema_decay``).

    ``prediction`` sets what the network outputs for x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε:

    * ``"v"`` (default): v = √ᾱ_t ε − √(1−ᾱ_t) x_0 (Salimans & Ho 2022, §4 and App. D), trained
      with ‖v̂ − v‖²; then x̂_0 = √ᾱ_t x_t − √(1−ᾱ_t) v̂ and ε̂ = √(1−ᾱ_t) x_t + √ᾱ_t v̂. The target
      has unit variance at every t, and an error δ in v̂ moves x̂_0 by √(1−ᾱ_t) δ, at most δ.
      With the zero-initialized output layer the untrained network gives x̂_0 = √ᾱ_t x_t, the
      exact posterior mean E[x_0 | x_t] for whitened (unit-variance, uncorrelated) data.
    * ``"epsilon"``: ε̂ (Ho et al. 2020, L_simple, eq. 14) and x̂_0 = (x_t − √(1−ᾱ_t) ε̂)/√ᾱ_t
      (eq. 15). An error δ in ε̂ moves x̂_0 by √(1−ᾱ_t)/√ᾱ_t · δ, which near t = T (ᾱ_T ≈ 2·10⁻⁹)
      is ~10⁴ δ: on the 5-chromosome standard set (471 PCs) the MLP's ε-error at t = T (MSE ≈ 0.05,
      where ε̂ = x_T would be exact) pinned x̂_0 at the clip bound and the samples' whitened scores
      had s.d. ≈ 2 instead of 1 (per-SNP variance 0.49 against 0.30, k-NN precision 0).
      This was the only choice before ``prediction`` existed: a model saved then samples correctly
      only with ``prediction="epsilon"`` and ``posterior_variance="beta_tilde"``.

    ``posterior_variance`` is σ_t² of the reverse step p(x_{t−1} | x_t) = N(μ̃(x_t, x̂_0), σ_t²):
    ``"beta"`` (σ_t² = β_t) or ``"beta_tilde"`` (σ_t² = β̃_t = β_t (1−ᾱ_{t−1})/(1−ᾱ_t)); Ho et al.
    (2020, §3.2) show β_t is optimal for x_0 ~ N(0, I) and β̃_t for a deterministic x_0. Whitened
    PC scores are close to N(0, I), hence the default ``"beta"``.
    """

    family = "diffusion"
    default_config = {
        "variance_fraction": 0.9,
        "chromosome_sizes": None,
        "num_steps": 1000,
        "sample_steps": 250,
        "prediction": "v",
        "posterior_variance": "beta",
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

    def _options(self) -> tuple[bool, bool]:
        """(v-prediction?, σ_t² = β̃_t?) from the config, validated."""
        prediction, variance = self.config["prediction"], self.config["posterior_variance"]
        if prediction not in PREDICTIONS:
            raise ValueError(f"prediction must be one of {PREDICTIONS}; got {prediction!r}")
        if variance not in POSTERIOR_VARIANCES:
            raise ValueError(f"posterior_variance must be one of {POSTERIOR_VARIANCES}; got {variance!r}")
        return prediction == "v", variance == "beta_tilde"

    def _x0_estimate(self, x: torch.Tensor, t: torch.Tensor, ab: torch.Tensor) -> torch.Tensor:
        """x̂_0 from the network's output at x_t, steps t (B,), ᾱ_t ``ab`` (B, 1) or scalar:
        √ᾱ_t x_t − √(1−ᾱ_t) v̂ for v-prediction, (x_t − √(1−ᾱ_t) ε̂)/√ᾱ_t for ε-prediction."""
        out = self.net.eps(x, t)
        if self._options()[0]:
            return ab.sqrt() * x - (1 - ab).sqrt() * out
        return (x - (1 - ab).sqrt() * out) / ab.sqrt()

    def _fit(self, dosages, budget: TrainingBudget, generator, device, progress) -> dict:
        net = self.net
        v_prediction, _ = self._options()
        scores = net.pca.encode(torch.as_tensor(dosages, device=device))  # (n, D), unit variance
        net.score_bound.copy_(scores.abs().amax(0) * float(self.config["clip_margin"]))
        alpha_bar = net.alpha_bar
        num_steps = int(self.config["num_steps"])
        optimizer = torch.optim.AdamW(net.eps.parameters(), lr=self.config["learning_rate"],
                                      weight_decay=self.config["weight_decay"])
        ema = ExponentialAverage(net.eps, float(self.config["ema_decay"]))
        net.train()

        def step(idx) -> float:
            x0 = scores[idx.to(device)]
            t = torch.randint(1, num_steps + 1, (len(idx),), generator=generator).to(device)
            noise = torch.randn(x0.shape, generator=generator).to(device)
            ab = alpha_bar[t][:, None]
            xt = ab.sqrt() * x0 + (1 - ab).sqrt() * noise  # q(x_t | x_0), Ho et al. eq. 4
            # target v = √ᾱ ε − √(1−ᾱ) x_0 (Salimans & Ho 2022, §4) or ε (L_simple, Ho et al. eq. 14)
            target = ab.sqrt() * noise - (1 - ab).sqrt() * x0 if v_prediction else noise
            loss = nn.functional.mse_loss(net.eps(xt, t), target)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            ema.update(net.eps)
            return loss.item()

        steps, epoch, losses = train_epochs(budget, len(scores), int(self.config["batch_size"]), generator, step,
                                            loss_name="loss", progress=progress)
        ema.copy_to(net.eps)
        loss_name = "v_mse" if v_prediction else "noise_mse"
        return {"steps": steps, "epochs": epoch, "final_losses": {loss_name: losses[-1]}, "loss_per_epoch": losses,
                "pca_components": self.meta["block_components"]}

    def _sample(self, n, generator, device) -> torch.Tensor:
        net = self.net
        num_steps, sample_steps = int(self.config["num_steps"]), int(self.config["sample_steps"])
        if not 1 <= sample_steps <= num_steps:
            raise ValueError(f"sample_steps must be in 1..num_steps ({num_steps}); got {sample_steps}")
        _, tilde = self._options()
        # respaced ancestral sampling over an evenly spaced subsequence of steps (Nichol & Dhariwal 2021, §4)
        steps = torch.linspace(num_steps, 0, sample_steps + 1).round().long().tolist()
        alpha_bar = net.alpha_bar.double()
        bound = net.score_bound.to(device)
        x = torch.randn((n, net.pca.dim), generator=generator, device=device)
        for t, t_prev in zip(steps[:-1], steps[1:]):
            ab_t, ab_prev = alpha_bar[t], alpha_bar[t_prev]
            beta = 1 - ab_t / ab_prev
            # x̂_0 clipped to the training range as images are clipped to [−1, 1] (a guard: with ε-prediction
            # the 1/√ᾱ_t amplification near t = T would otherwise make the chain diverge)
            x0 = self._x0_estimate(x, torch.full((n,), t, device=device, dtype=torch.long), ab_t.float())
            x0 = x0.clamp(-bound, bound)
            if t_prev == 0:
                x = x0
                break
            # posterior mean μ̃(x_t, x̂_0) of q(x_{t'} | x_t, x_0), Ho et al. (2020) eq. 7, and σ² = β or β̃
            c0 = (ab_prev.sqrt() * beta / (1 - ab_t)).float()
            ct = ((1 - beta).sqrt() * (1 - ab_prev) / (1 - ab_t)).float()
            var = beta * (1 - ab_prev) / (1 - ab_t) if tilde else beta
            x = c0 * x0 + ct * x + var.sqrt().float() * torch.randn(x.shape, generator=generator, device=device)
        return net.pca.decode(x)
