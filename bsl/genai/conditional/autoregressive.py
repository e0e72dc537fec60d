"""Autoregressive conditional density: each coordinate a Gaussian mixture given the earlier coordinates and the context, from one masked network (MADE)."""
from __future__ import annotations

import math

import torch
from torch import nn

from bsl.genai.conditional.base import ContinuousModel
from bsl.genai.models.base import categorical_sample


class MaskedLinear(nn.Linear):
    """A linear layer whose weight is multiplied by a fixed 0/1 mask (out, in) (Germain et al. 2015)."""

    def __init__(self, mask: torch.Tensor):
        super().__init__(mask.shape[1], mask.shape[0])
        self.register_buffer("mask", mask.float())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.linear(x, self.weight * self.mask, self.bias)


class _MADE(nn.Module):
    """Inputs [y (D), c (C)] → mixture parameters (3K, D); output d sees y_<d and all of c only.

    Degrees: y_d has d (1 .. D), every context column 0, hidden units cycle through 0 .. D-1; a unit
    connects to inputs of degree <= its own, and output d to hidden units of degree < d.
    """

    def __init__(self, dim: int, context_dim: int, config: dict):
        super().__init__()
        self.dim, self.components = dim, int(config["components"])
        hidden = list(config["hidden_features"])
        degrees = [torch.cat([torch.arange(1, dim + 1), torch.zeros(context_dim, dtype=torch.long)])]
        layers: list[nn.Module] = []
        for width in hidden:
            d = torch.arange(width) % dim  # (width,), 0 .. D-1
            layers += [MaskedLinear(d[:, None] >= degrees[-1][None, :]), nn.SiLU()]
            degrees.append(d)
        out = torch.arange(1, dim + 1).repeat(3 * self.components)  # (3K·D,), parameter-major
        layers.append(MaskedLinear(out[:, None] > degrees[-1][None, :]))
        self.net = nn.Sequential(*layers)

    def forward(self, y: torch.Tensor, context: torch.Tensor):
        out = self.net(torch.cat([y, context], dim=1)).view(-1, 3, self.components, self.dim)  # (b, 3, K, D)
        log_weights = torch.log_softmax(out[:, 0], dim=1)
        means, log_sds = out[:, 1], out[:, 2].clamp(-7.0, 5.0)
        return log_weights, means, log_sds  # (b, K, D) each


class AutoregressiveModel(ContinuousModel):
    """p(y | c) = Π_d p(y_d | y_<d, c) in the fixed order of y's columns, each factor a mixture of
    ``components`` Gaussians whose weights, means and s.d.s a MADE (Germain et al. 2015) computes from
    y_<d and c in one pass; the mixture-density output is Bishop's (1994). Trained by maximum
    likelihood, sampled one coordinate at a time (D passes).

    For D = 1 there are no earlier coordinates: the model is a conditional mixture density network
    p(y | c) (Bishop 1994), an MLP from c to the mixture parameters.
    """

    family = "autoregressive"
    default_config = {
        "components": 5,
        "hidden_features": [256, 256],
    }

    def _build(self) -> nn.Module:
        return _MADE(self.dim, self.context_dim, self.config)

    def _loss(self, net, y, context, generator, fraction):
        log_weights, means, log_sds = net(y, context)
        z = (y[:, None, :] - means) * torch.exp(-log_sds)
        log_normal = -0.5 * z ** 2 - log_sds - 0.5 * math.log(2 * math.pi)
        log_lik = torch.logsumexp(log_weights + log_normal, dim=1)  # (b, D)
        return -log_lik.mean(), {}

    def _sample(self, context, generator):
        m = context.shape[0]
        y = torch.zeros((m, self.dim), device=context.device)
        rows = torch.arange(m, device=context.device)
        for d in range(self.dim):
            log_weights, means, log_sds = self.net(y, context)
            k = categorical_sample(log_weights[:, :, d], generator, dim=1)  # (m,)
            noise = torch.randn((m,), generator=generator, device=context.device)
            y[:, d] = means[rows, k, d] + torch.exp(log_sds[rows, k, d]) * noise
        return y
