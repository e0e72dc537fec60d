"""The registry of bsl's generative genotype models: family name → class, and ``make_model``."""
from __future__ import annotations

from bsl.genai.models.autoregressive import AutoregressiveModel
from bsl.genai.models.base import GenotypeModel
from bsl.genai.models.diffusion import DiffusionModel
from bsl.genai.models.flow import FlowModel
from bsl.genai.models.vae import VAEModel
from bsl.genai.models.wgan_gp import WGANGPModel

FAMILIES: dict[str, type[GenotypeModel]] = {
    "vae": VAEModel,
    "wgan_gp": WGANGPModel,
    "diffusion": DiffusionModel,
    "flow": FlowModel,
    "autoregressive": AutoregressiveModel,
}


def make_model(family: str, **config) -> GenotypeModel:
    """A new, untrained model of ``family`` with ``config`` overriding the family's defaults."""
    if family not in FAMILIES:
        raise ValueError(f"unknown genotype model family {family!r}; choose one of {', '.join(map(repr, FAMILIES))}")
    return FAMILIES[family](**config)


__all__ = ["FAMILIES", "GenotypeModel", "make_model"]
