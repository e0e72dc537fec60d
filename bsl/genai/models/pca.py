"""Per-chromosome PCA of standardized dosages: the continuous, whitened space in which the diffusion and flow models work."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from bsl.genai.models.base import GenotypeModel


def parse_chromosome_sizes(sizes, num_loci: int) -> list[int]:
    """Loci per chromosome (in genome order); ``None`` means the whole genome is one block."""
    if sizes is None:
        return [num_loci]
    sizes = [int(s) for s in sizes]
    if any(s < 1 for s in sizes) or sum(sizes) != num_loci:
        raise ValueError(f"chromosome_sizes must be positive and sum to the number of loci ({num_loci}); "
                         f"got {sizes} (sum {sum(sizes)})")
    return sizes


def components_for_variance(singular_values: np.ndarray, fraction: float) -> int:
    """Smallest k whose leading k components explain at least ``fraction`` of the total variance."""
    variance = singular_values.astype(np.float64) ** 2
    cumulative = np.cumsum(variance) / max(variance.sum(), 1e-300)
    return int(min(np.searchsorted(cumulative, fraction - 1e-12) + 1, len(singular_values)))


class PCABasis(nn.Module):
    """Block-diagonal PCA: for chromosome c, scores = ((x − mean) / scale) V_cᵀ / score_sd.

    Dosages are standardized per locus (mean 2p, empirical s.d.; monomorphic loci get scale 1),
    each chromosome keeps the leading principal axes explaining ``variance_fraction`` of its
    standardized variance (Patterson, Price & Reich 2006 standardization), and scores are divided
    by their s.d. so the generative model sees unit-variance coordinates. Buffers only; shapes
    come from ``block_loci`` and ``block_components``.
    """

    def __init__(self, block_loci: list[int], block_components: list[int]):
        super().__init__()
        self.block_loci = list(block_loci)
        self.block_components = list(block_components)
        num_loci, dim = sum(block_loci), sum(block_components)
        self.register_buffer("mean", torch.zeros(num_loci))  # (L,)
        self.register_buffer("scale", torch.ones(num_loci))  # (L,)
        self.register_buffer("score_sd", torch.ones(dim))  # (D,)
        for c, (loci, k) in enumerate(zip(block_loci, block_components)):
            self.register_buffer(f"axes_{c}", torch.zeros(k, loci))  # (k_c, L_c), rows orthonormal

    @property
    def dim(self) -> int:
        return sum(self.block_components)

    @staticmethod
    def fit(dosages: np.ndarray, block_loci: list[int], variance_fraction: float) -> "PCABasis":
        """Fit on dosages (n, L) uint8; ``variance_fraction`` in (0, 1]."""
        if not 0.0 < variance_fraction <= 1.0:
            raise ValueError(f"variance_fraction must be in (0, 1]; got {variance_fraction}")
        x = torch.as_tensor(dosages, dtype=torch.float64)  # (n, L)
        mean = x.mean(0)
        scale = x.std(0)
        scale = torch.where(scale > 1e-8, scale, torch.ones_like(scale))
        z = (x - mean) / scale
        axes, sds, ks = [], [], []
        start = 0
        for loci in block_loci:
            _, s, vt = torch.linalg.svd(z[:, start:start + loci], full_matrices=False)
            k = components_for_variance(s.numpy(), variance_fraction)
            axes.append(vt[:k])
            sds.append((s[:k] / np.sqrt(max(x.shape[0] - 1, 1))).clamp_min(1e-8))
            ks.append(k)
            start += loci
        basis = PCABasis(block_loci, ks)
        basis.mean.copy_(mean)
        basis.scale.copy_(scale)
        basis.score_sd.copy_(torch.cat(sds))
        for c, a in enumerate(axes):
            getattr(basis, f"axes_{c}").copy_(a)
        return basis

    def encode(self, dosages: torch.Tensor) -> torch.Tensor:
        """Dosages (n, L) → whitened scores (n, D) float32."""
        z = (dosages.float() - self.mean) / self.scale
        scores, start = [], 0
        for c, loci in enumerate(self.block_loci):
            scores.append(z[:, start:start + loci] @ getattr(self, f"axes_{c}").T)
            start += loci
        return torch.cat(scores, dim=1) / self.score_sd

    def decode(self, scores: torch.Tensor) -> torch.Tensor:
        """Whitened scores (n, D) → dosages (n, L) uint8: back-projected, rounded, clipped to 0..2."""
        scores = scores * self.score_sd
        parts, start = [], 0
        for c, k in enumerate(self.block_components):
            parts.append(scores[:, start:start + k] @ getattr(self, f"axes_{c}"))
            start += k
        x = torch.cat(parts, dim=1) * self.scale + self.mean
        return x.round().clamp(0, 2).to(torch.uint8)


class PCASpaceModel(GenotypeModel):
    """Base of the models that generate in a ``PCABasis`` space (diffusion, flow): fits the basis
    from ``config["variance_fraction"]`` and ``config["chromosome_sizes"]`` before the network is
    built; subclasses implement ``_make_net`` returning a module with a ``pca`` attribute."""

    def _prepare(self, dosages: np.ndarray, generator: torch.Generator) -> None:
        blocks = parse_chromosome_sizes(self.config["chromosome_sizes"], dosages.shape[1])
        self._basis = PCABasis.fit(dosages, blocks, float(self.config["variance_fraction"]))
        self.meta = {"num_loci": int(dosages.shape[1]), "block_loci": blocks,
                     "block_components": self._basis.block_components}

    def _make_net(self) -> nn.Module:
        raise NotImplementedError

    def _build(self) -> nn.Module:
        net = self._make_net()
        basis = getattr(self, "_basis", None)
        if basis is not None:  # just fitted; after load_state_dict the buffers come with the state
            net.pca.load_state_dict(basis.state_dict())
            self._basis = None
        return net
