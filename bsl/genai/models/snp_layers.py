"""Per-SNP (locally connected) layers shared by the genotype models: genotype embeddings and linear read-outs with weights of their own at every SNP."""
from __future__ import annotations

import math

import torch
from torch import nn

from bsl.genai.models.base import one_hot


class SNPEmbedding(nn.Module):
    """Genotype g at SNP j → a learned vector e[j, g] (C,): a per-SNP one-hot linear layer, (n, L) → (n, C, L)."""

    def __init__(self, num_loci: int, channels: int):
        super().__init__()
        self.table = nn.Parameter(torch.randn(3, channels, num_loci))  # (3, C, L), N(0, 1) as nn.Embedding

    def forward(self, genotypes: torch.Tensor) -> torch.Tensor:
        x = one_hot(genotypes)  # (n, 3, L)
        # a sum of three broadcast products is much faster on CPU than a gather or an L-batched matmul
        return x[:, 0:1] * self.table[0] + x[:, 1:2] * self.table[1] + x[:, 2:3] * self.table[2]


class SNPHead(nn.Module):
    """Per-SNP linear read-out: features (n, C, L) → logits (n, 3, L), weights (3, C, L)."""

    def __init__(self, num_loci: int, channels: int):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(3, channels, num_loci) / math.sqrt(channels))  # (3, C, L)
        self.bias = nn.Parameter(torch.zeros(3, num_loci))

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return (h[:, None] * self.weight).sum(2) + self.bias


class BlockLinear(nn.Module):
    """A locally connected linear layer over blocks of SNPs: (n, blocks, in) → (n, blocks, out),
    with weights (blocks, in, out) and bias (blocks, out) of its own in every block.

    With the one-hot genotypes of a block of B SNPs as input (in = 3B) it is a per-block embedding
    that sees the block's multi-SNP genotype at once; as a read-out (out = 3B) it gives every SNP of
    the block its own logits. One batched matrix product, so much cheaper on CPU than per-SNP layers
    at full resolution.
    """

    def __init__(self, num_blocks: int, in_features: int, out_features: int):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(num_blocks, in_features, out_features) / math.sqrt(in_features))
        self.bias = nn.Parameter(torch.zeros(num_blocks, out_features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.bmm(x.transpose(0, 1), self.weight).transpose(0, 1) + self.bias
