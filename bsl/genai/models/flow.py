"""PCA + normalizing flow: a zuko neural spline flow over whitened per-chromosome principal-component scores."""
from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn

from bsl.genai.models.base import TrainingBudget, train_epochs
from bsl.genai.models.pca import PCABasis, PCASpaceModel


class _FlowNet(nn.Module):
    def __init__(self, meta: dict, config: dict):
        super().__init__()
        import zuko  # deferred: only the flow family needs it

        self.pca = PCABasis(meta["block_loci"], meta["block_components"])
        self.flow = zuko.flows.NSF(self.pca.dim, context=int(meta.get("condition_dim", 0)),
                                   transforms=int(config["transforms"]), bins=int(config["bins"]),
                                   passes=config["passes"], hidden_features=list(config["hidden_features"]))


class FlowModel(PCASpaceModel):
    """A neural spline flow (Durkan et al. 2019; zuko's ``NSF``) fitted by maximum likelihood to
    whitened PCA scores (per chromosome, ``variance_fraction`` of the standardized variance kept),
    sampled by pushing N(0, I) through the inverse transform, mapped back, rounded and clipped.

    ``passes=2`` makes each transform a coupling layer (Dinh et al. 2017), so sampling costs two
    network passes per transform instead of D. ``validation_fraction`` of the individuals is held
    out; the weights with the best held-out log-likelihood are kept (early stopping), because a
    flow on n ≈ 10³ points in D ≈ 10² dimensions overfits quickly.

    With a condition (``fit(..., condition=c)``) every transform also sees the standardized
    condition, so the flow is p(scores | c): ``sample(n, condition=c)`` draws individuals like
    those that had c (e.g. a phenotype) in the training data.
    """

    family = "flow"
    supports_condition = True
    default_config = {
        "variance_fraction": 0.9,
        "chromosome_sizes": None,
        "transforms": 4,
        "bins": 8,
        "passes": 2,
        "hidden_features": [128, 128],
        "batch_size": 64,
        "learning_rate": 1e-3,
        "weight_decay": 1e-4,
        "validation_fraction": 0.1,
        "patience_epochs": 10,
        "epochs": 300,
    }

    def _make_net(self) -> nn.Module:
        return _FlowNet(self.meta, self.config)

    def _fit(self, dosages, budget: TrainingBudget, generator, device, progress) -> dict:
        net = self.net
        c = self.config
        scores = net.pca.encode(torch.as_tensor(dosages, device=device))  # (n, D)
        order = torch.randperm(len(scores), generator=generator).to(device)
        num_valid = int(round(float(c["validation_fraction"]) * len(scores)))
        if num_valid >= len(scores) - 1:
            raise ValueError(f"validation_fraction {c['validation_fraction']} leaves no training individuals")
        valid, train = scores[order[:num_valid]], scores[order[num_valid:]]
        cond = self._condition
        c_valid, c_train = (None, None) if cond is None else (cond[order[:num_valid]], cond[order[num_valid:]])
        optimizer = torch.optim.AdamW(net.flow.parameters(), lr=c["learning_rate"], weight_decay=c["weight_decay"])
        valid_nll: list[float] = []
        best, best_state, best_epoch = np.inf, None, 0

        def step(idx) -> float:
            rows = idx.to(device)
            dist = net.flow() if c_train is None else net.flow(c_train[rows])
            loss = -dist.log_prob(train[rows]).mean() / net.pca.dim  # nats per coordinate
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(net.flow.parameters(), 5.0)
            optimizer.step()
            return loss.item()

        def end_epoch(epoch: int) -> tuple[dict, bool]:
            """Held-out log-likelihood; the best weights are kept and ``patience_epochs`` without a gain stop."""
            nonlocal best, best_state, best_epoch
            if not num_valid:
                return {"valid_nll_per_dim": None}, False
            net.eval()
            with torch.no_grad():
                dist = net.flow() if c_valid is None else net.flow(c_valid)
                valid_nll.append(-dist.log_prob(valid).mean().item() / net.pca.dim)
            net.train()
            if valid_nll[-1] < best:
                best, best_epoch = valid_nll[-1], epoch
                best_state = copy.deepcopy(net.flow.state_dict())
            return {"valid_nll_per_dim": valid_nll[-1]}, epoch - best_epoch >= int(c["patience_epochs"])

        net.train()
        steps, epoch, train_nll = train_epochs(budget, len(train), int(c["batch_size"]), generator, step,
                                               loss_name="nll_per_dim", progress=progress, end_epoch=end_epoch)
        if best_state is not None:
            net.flow.load_state_dict(best_state)
        return {"steps": steps, "epochs": epoch, "best_epoch": best_epoch,
                "final_losses": {"nll_per_dim": train_nll[-1], "valid_nll_per_dim": best if num_valid else None},
                "loss_per_epoch": train_nll, "valid_loss_per_epoch": valid_nll,
                "pca_components": self.meta["block_components"]}

    def _sample(self, n, generator, device) -> torch.Tensor:
        dist = self.net.flow() if self._condition is None else self.net.flow(self._condition)
        z = torch.randn((n, self.net.pca.dim), generator=generator, device=device)
        return self.net.pca.decode(dist.transform.inv(z))
