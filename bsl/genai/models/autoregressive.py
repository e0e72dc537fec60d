"""An autoregressive genotype model: a causal dilated 1-D convolution (WaveNet-style) giving P(g_j | g_<j) along the SNP order."""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from bsl.genai.models.base import GenotypeModel, TrainingBudget, categorical_sample, one_hot, train_epochs
from bsl.genai.models.snp_layers import SNPHead


def receptive_field(dilations: list[int], kernel_size: int) -> int:
    """Previous SNPs that P(g_j | ·) can see: 1 + Σ d (k − 1) (van den Oord et al. 2016, WaveNet §2.1);
    the input is shifted by one SNP, so this counts g_{j−RF} … g_{j−1}."""
    return 1 + sum(d * (kernel_size - 1) for d in dilations)


class _GatedBlock(nn.Module):
    """Dilated causal conv → tanh ⊙ sigmoid gate → residual and skip 1×1 convs (WaveNet, eq. 2)."""

    def __init__(self, channels: int, dilation: int):
        super().__init__()
        self.dilation = dilation
        self.conv = nn.Conv1d(channels, 2 * channels, kernel_size=2, dilation=dilation)
        self.res = nn.Conv1d(channels, channels, 1)
        self.skip = nn.Conv1d(channels, channels, 1)

    def forward(self, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        z = self.conv(F.pad(h, (self.dilation, 0)))  # left padding only: causal
        a = torch.tanh(z[:, : z.shape[1] // 2]) * torch.sigmoid(z[:, z.shape[1] // 2:])
        return h + self.res(a), self.skip(a)

    def step(self, h: torch.Tensor, h_past: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One position: h and the input ``dilation`` positions back, both (n, C)."""
        w = self.conv.weight  # (2C, C, 2); tap 0 is the older input
        z = F.linear(h_past, w[:, :, 0]) + F.linear(h, w[:, :, 1], self.conv.bias)
        c = z.shape[1] // 2
        a = torch.tanh(z[:, :c]) * torch.sigmoid(z[:, c:])
        return h + F.linear(a, self.res.weight[:, :, 0], self.res.bias), F.linear(a, self.skip.weight[:, :, 0], self.skip.bias)


class CausalConvNet(nn.Module):
    """Logits (n, 3, L) of g_j given g_<j: shared causal filters, with per-SNP input embeddings and
    a per-SNP linear read-out so that each SNP's conditional can differ."""

    def __init__(self, num_loci: int, channels: int, dilations: list[int]):
        super().__init__()
        self.inp = nn.Conv1d(3, channels, 1)
        self.position = nn.Parameter(torch.zeros(channels, num_loci))  # (C, L)
        self.blocks = nn.ModuleList(_GatedBlock(channels, d) for d in dilations)
        self.head1 = nn.Conv1d(channels, channels, 1)
        self.head2 = SNPHead(num_loci, channels)  # per-SNP read-out: each SNP weighs its context its own way

    def forward(self, genotypes: torch.Tensor) -> torch.Tensor:
        x = F.pad(one_hot(genotypes), (1, -1))  # (n, 3, L), shifted right: position j sees g_{j-1}
        h = self.inp(x) + self.position
        skips = 0
        for block in self.blocks:
            h, s = block(h)
            skips = skips + s
        return self.head2(F.relu(self.head1(F.relu(skips))))

    @torch.no_grad()
    def generate(self, n: int, generator: torch.Generator, device: torch.device) -> torch.Tensor:
        """SNP-by-SNP sampling, batched over individuals, with one ring buffer of past inputs per block
        (the fast-generation queues of Paine et al. 2016), so each SNP costs O(layers), not O(RF)."""
        num_loci = self.position.shape[1]
        channels = self.position.shape[0]
        queues = [torch.zeros(n, channels, b.dilation, device=device) for b in self.blocks]  # (n, C, d)
        w_in = self.inp.weight[:, :, 0]  # (C, 3)
        out = torch.empty(n, num_loci, dtype=torch.long, device=device)
        previous = torch.zeros(n, 3, device=device)  # one-hot of g_{j-1}; zeros before the first SNP
        for j in range(num_loci):
            h = F.linear(previous, w_in, self.inp.bias) + self.position[:, j]
            skips = 0
            for block, queue in zip(self.blocks, queues):
                slot = j % block.dilation
                h_past = queue[:, :, slot].clone()
                queue[:, :, slot] = h
                h, s = block.step(h, h_past)
                skips = skips + s
            features = F.relu(F.linear(F.relu(skips), self.head1.weight[:, :, 0], self.head1.bias))
            logits = F.linear(features, self.head2.weight[:, :, j], self.head2.bias[:, j])  # (n, 3)
            g = categorical_sample(logits, generator, dim=1)  # (n,)
            out[:, j] = g
            previous = F.one_hot(g, 3).float()
        return out


class AutoregressiveModel(GenotypeModel):
    """P(g) = Π_j P(g_j | g_{j−RF} … g_{j−1}), each a 3-class categorical, SNPs in genome order.

    A stack of gated causal convolutions with kernel 2 and ``dilations`` (default 1, 2, …, 64:
    receptive field RF = 128 previous SNPs, kept in ``config["receptive_field"]`` and the log),
    with learned per-SNP input embeddings and a per-SNP linear read-out. Trained by maximum
    likelihood (cross-entropy); sampled SNP by SNP from the categorical (never argmax), batched
    over individuals, with cached per-layer queues so a SNP costs one step per layer.
    """

    family = "autoregressive"
    default_config = {
        "channels": 16,
        "dilations": [1, 2, 4, 8, 16, 32, 64],
        "batch_size": 16,
        "learning_rate": 3e-3,
        "weight_decay": 1e-5,
        "epochs": 30,
        "receptive_field": None,  # derived from the dilations; accepted back so a saved config reloads
    }

    def __init__(self, **config):
        super().__init__(**config)
        rf = receptive_field(list(self.config["dilations"]), 2)
        if self.config["receptive_field"] not in (None, rf):
            raise ValueError(f"receptive_field follows from the dilations {self.config['dilations']} ({rf}); "
                             f"got {self.config['receptive_field']}")
        self.config["receptive_field"] = rf

    def _build(self) -> nn.Module:
        return CausalConvNet(self.meta["num_loci"], int(self.config["channels"]), list(self.config["dilations"]))

    def _fit(self, dosages, budget: TrainingBudget, generator, device, progress) -> dict:
        net = self.net
        data = torch.as_tensor(dosages, device=device)
        optimizer = torch.optim.AdamW(net.parameters(), lr=self.config["learning_rate"],
                                      weight_decay=self.config["weight_decay"])
        net.train()

        def step(idx) -> float:
            g = data[idx.to(device)]
            loss = F.cross_entropy(net(g), g.long())  # mean NLL per SNP, nats
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            return loss.item()

        steps, epoch, losses = train_epochs(budget, len(data), int(self.config["batch_size"]), generator, step,
                                            loss_name="nll_per_snp", progress=progress)
        return {"steps": steps, "epochs": epoch, "final_losses": {"nll_per_snp": losses[-1]},
                "loss_per_epoch": losses, "receptive_field": self.config["receptive_field"]}

    def _sample(self, n, generator, device) -> torch.Tensor:
        return self.net.generate(n, generator, device)
