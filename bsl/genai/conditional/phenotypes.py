"""A trait's phenotypes given genotype and environment: the context (`PhenotypeContext`) and a
conditional generator (`ContinuousModel`) as one object that trains, samples and saves.

This is what `model p = flow { data base  phenotypes "trials.csv" }` trains and what
`phenotype POP from model p given genotype, environment(E)` draws from: classical meiosis makes
the genotypes, the trained model makes their phenotypes (the hybrid scheme of seed 000).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from bsl.genai.conditional import PhenotypeContext, make_continuous_model


class PhenotypeGenerator:
    """Phenotypes y (n,) given dosages (n, L) and environment covariates (n, E).

    ``fit`` fits the context on the training records (principal components, the covariates and a
    cross-fitted genomic prediction, see ``PhenotypeContext``) and trains the ``family``'s
    conditional generator on (y, context). ``sample`` draws one phenotype per row.
    """

    kind = "phenotype"

    def __init__(self, family: str, *, model_config: dict | None = None, context_config: dict | None = None):
        self.family = family
        self.model = make_continuous_model(family, **(model_config or {}))
        self.context = PhenotypeContext(**(context_config or {}))
        self._context_config = dict(context_config or {})

    @property
    def config(self) -> dict:
        """What rebuilds an untrained generator: ``PhenotypeGenerator(family, **config)``."""
        return {"model_config": self.model.config, "context_config": self._context_config}

    @property
    def num_loci(self) -> int:
        return int(self.context.state["x_mean"].numel())

    @property
    def num_covariates(self) -> int:
        return int(self.context.state["num_environment"])

    def fit(self, dosages: Any, environment: Any, y: Any, *, random_seed: int, groups: Any = None,
            time_budget_s: float | None = None, epochs: int | None = None, device: str = "cpu", progress=None) -> dict:
        """Train on trial records: dosages (n, L) 0/1/2, environment (n, E), phenotypes (n,); ``groups``
        (n,) names the individual of each record when individuals have several (see ``PhenotypeContext``)."""
        context = self.context.fit_transform(dosages, environment, y, groups=groups)
        log = self.model.fit(y, context, random_seed=random_seed, groups=groups, time_budget_s=time_budget_s, epochs=epochs,
                             device=device, progress=progress)
        state = self.context.state
        if "cv_rmse" in state:
            log["genomic_prediction_cv_rmse"] = float(state["cv_rmse"])
        return log

    def sample(self, dosages: Any, environment: Any, *, random_seed: int, device: str = "cpu") -> np.ndarray:
        """One phenotype per row (m,), for genotypes (m, L) on the training loci and covariates (m, E)."""
        context = self.context.transform(dosages, environment)
        return self.model.sample(context, random_seed=random_seed, device=device)[:, 0]

    def state_dict(self) -> dict[str, torch.Tensor]:
        state = {f"context.{k}": v for k, v in self.context.state_dict().items()}
        state.update({f"model.{k}": v for k, v in self.model.state_dict().items()})
        return state

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        self.context.load_state_dict({k[len("context."):]: v for k, v in state.items() if k.startswith("context.")})
        self.model.load_state_dict({k[len("model."):]: v for k, v in state.items() if k.startswith("model.")})
