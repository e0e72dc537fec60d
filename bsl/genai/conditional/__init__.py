"""The registry of bsl's conditional continuous generators (phenotypes given genotype and environment, omics vectors): family name → class, and ``make_continuous_model``."""
from __future__ import annotations

from bsl.genai.conditional.autoregressive import AutoregressiveModel
from bsl.genai.conditional.base import ContinuousModel
from bsl.genai.conditional.context import PhenotypeContext
from bsl.genai.conditional.diffusion import DiffusionModel
from bsl.genai.conditional.flow import FlowModel
from bsl.genai.conditional.vae import VAEModel
from bsl.genai.conditional.wgan_gp import WGANGPModel

FAMILIES: dict[str, type[ContinuousModel]] = {
    "vae": VAEModel,
    "wgan_gp": WGANGPModel,
    "diffusion": DiffusionModel,
    "flow": FlowModel,
    "autoregressive": AutoregressiveModel,
}


def make_continuous_model(family: str, **config) -> ContinuousModel:
    """A new, untrained conditional model of ``family`` with ``config`` overriding the family's defaults."""
    if family not in FAMILIES:
        raise ValueError(f"unknown continuous model family {family!r}; choose one of {', '.join(map(repr, FAMILIES))}")
    return FAMILIES[family](**config)


__all__ = ["FAMILIES", "ContinuousModel", "PhenotypeContext", "make_continuous_model"]
