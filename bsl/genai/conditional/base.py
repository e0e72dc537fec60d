"""The common contract of bsl's conditional continuous generators: input checks, standardization, fitting under a budget, seeded sampling and tensor state."""
from __future__ import annotations

import copy
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

from bsl.genai.conditional.compositions import ilr_basis, compositions_to_ilr, ilr_to_compositions
from bsl.genai.models.base import ExponentialAverage, TrainingBudget, load_net_weights, minibatches

Progress = Callable[[dict], None]

#: Options every family takes, on top of its own.
COMMON_CONFIG = {
    "data": "continuous",  # "continuous": y as given; "composition": y are counts, modelled as ILR coordinates
    "pseudocount": 0.5,  # added to counts before taking logarithms ("composition" only)
    "count_sampling": "closure",  # "closure": real counts summing to the read depth; "multinomial": integer reads
    "residual": "linear",  # "linear": the network models y minus a ridge regression on the context; "none": y itself
    "linear_ridge": 1.0,  # ridge penalty of that regression, on standardized columns (X'X has diagonal ≈ n)
    "batch_size": 128,
    "learning_rate": 1e-3,
    "weight_decay": 1e-4,
    "validation_fraction": 0.1,
    "patience_epochs": 40,
    "epochs": 400,
}
DATA_KINDS = ("continuous", "composition")
COUNT_SAMPLING = ("closure", "multinomial")
RESIDUALS = ("linear", "none")


def check_matrix(values: Any, name: str, *, rows: int | None = None, columns: int | None = None) -> np.ndarray:
    """Validate a finite real matrix (a vector (n,) is one column) and return it as float64 (n, d).

    Raises ValueError naming ``name`` for a wrong rank, row count, column count, or a NaN/infinite entry.
    """
    array = np.asarray(values)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers; got dtype {array.dtype}")
    array = array.astype(np.float64)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (rows, columns); got shape {array.shape}")
    if rows is not None and array.shape[0] != rows:
        raise ValueError(f"{name} has {array.shape[0]} rows; expected {rows}, one per row of y")
    if columns is not None and array.shape[1] != columns:
        raise ValueError(f"{name} has {array.shape[1]} columns but the model was trained on {columns}; "
                         f"give the same covariates, in the same order, as in fit()")
    bad = ~np.isfinite(array)
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise ValueError(f"{name} contains {int(bad.sum())} NaN or infinite value(s), the first at row {i}, "
                         f"column {j}; impute or drop them first")
    return array


def _parse_choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


def mlp(sizes: list[int], *, activation: type[nn.Module] = nn.SiLU, dropout: float = 0.0) -> nn.Sequential:
    """Fully connected layers ``sizes[0] → … → sizes[-1]`` with ``activation`` (and dropout) between them."""
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(activation())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


class ContinuousModel:
    """Base class of the conditional generators of real vectors y (n, D) given context (n, C).

    Subclasses set ``family`` and ``default_config`` and implement ``_build``, ``_sample`` and
    either ``_loss`` (trained by ``_fit_by_loss``: minibatch AdamW, early stopping on a held-out
    share of the rows) or ``_fit``. They see standardized data: every y coordinate and every
    context column centred and scaled to unit s.d. on the training rows; ``sample`` undoes it.

    With ``data="composition"``, y are counts (n, S): the model works on their isometric
    log-ratio coordinates (S - 1 of them, see ``compositions``) and ``sample`` returns counts whose
    rows sum to the mean read depth of the training rows.

    Without context (``context=None`` in ``fit``) the model is unconditional and ``sample`` takes
    ``num_samples``; with context it draws one y per context row.

    With context and ``residual="linear"`` (the default) the network models the residual of a ridge
    regression of standardized y on standardized context, r = (y - c B) / s_r (B (C, D) fitted in
    ``fit``, s_r the residuals' s.d. per coordinate), and ``sample`` returns c B + s_r r. The
    network then only has to learn what a linear predictor misses and the noise around it, both on a
    unit scale; for phenotypes, whose mean the genomic-prediction column of ``PhenotypeContext``
    predicts almost linearly, that is most of the gain over a homoscedastic Gaussian (measured: the
    linear predictor alone with Gaussian noise scores CRPS 0.352 against 0.366 for the additive
    baseline on ``phenotype_dataset``).
    """

    family: str = ""
    default_config: dict = {}

    def __init__(self, **config: Any):
        defaults = {**COMMON_CONFIG, **self.default_config}
        unknown = sorted(set(config) - set(defaults))
        if unknown:
            raise ValueError(f"unknown option(s) {', '.join(map(repr, unknown))} for the {self.family!r} model; "
                             f"valid options: {', '.join(sorted(defaults))}")
        self.config: dict = {**copy.deepcopy(defaults), **config}
        _parse_choice("data", self.config["data"], DATA_KINDS)
        _parse_choice("count_sampling", self.config["count_sampling"], COUNT_SAMPLING)
        _parse_choice("residual", self.config["residual"], RESIDUALS)
        if not float(self.config["linear_ridge"]) >= 0:
            raise ValueError(f"linear_ridge must be >= 0; got {self.config['linear_ridge']!r}")
        if not float(self.config["pseudocount"]) > 0:
            raise ValueError(f"pseudocount must be > 0; got {self.config['pseudocount']!r}")
        self.meta: dict[str, int] = {}
        self.stats: dict[str, torch.Tensor] = {}
        self.net: nn.Module | None = None

    # -- to implement ------------------------------------------------------------------
    def _build(self) -> nn.Module:
        raise NotImplementedError

    def _loss(self, net: nn.Module, y: torch.Tensor, context: torch.Tensor, generator: torch.Generator,
              fraction: float) -> tuple[torch.Tensor, dict]:
        """Loss of a batch (y (b, D), context (b, C), standardized) and extra numbers to log;
        ``fraction`` is the share of the training budget used (for warm-up schedules)."""
        raise NotImplementedError

    def _fit(self, y: torch.Tensor, context: torch.Tensor, budget: TrainingBudget, generator: torch.Generator,
             progress: Progress | None) -> dict:
        return self._fit_by_loss(y, context, budget, generator, progress)

    def _sample(self, context: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Standardized draws (m, D), one per row of the standardized context (m, C), C possibly 0."""
        raise NotImplementedError

    # -- dimensions --------------------------------------------------------------------
    @property
    def dim(self) -> int:
        """D, the coordinates the network models (S - 1 for compositions of S parts)."""
        return int(self.meta["dim"])

    @property
    def context_dim(self) -> int:
        """C, context columns (0 for an unconditional model)."""
        return int(self.meta["context_dim"])

    @property
    def is_fitted(self) -> bool:
        return self.net is not None

    # -- public API --------------------------------------------------------------------
    def fit(self, y: Any, context: Any = None, *, random_seed: int, groups: Any = None, time_budget_s: float | None = None,
            epochs: int | None = None, device: str | torch.device = "cpu", progress: Progress | None = None) -> dict:
        """Train on rows of y, each with its context, and return a training log.

        Parameters
        ----------
        y : array, shape (n, D) or (n,)
            Responses (phenotypes, omics vectors); with ``data="composition"``, non-negative counts (n, S).
        context : array, shape (n, C), optional
            Conditioning covariates of each row (e.g. ``PhenotypeContext`` output); None for an
            unconditional model.
        random_seed : int
            Seeds initialisation, the validation split, batching and noise.
        groups : array (n,), optional
            Labels of rows that belong together (one individual's records in several trials): the
            early-stopping validation split then holds out whole groups, so it scores the model
            on individuals it has not seen.
        time_budget_s, epochs : optional
            Stop after this many wall-clock seconds or full passes, whichever comes first; with
            neither, ``config["epochs"]``.
        device : "cpu" or "cuda".
        progress : callable, optional
            Called after every epoch with a dict (epoch, seconds, losses).

        Returns
        -------
        dict with ``family``, ``config``, ``num_rows``, ``dim``, ``context_dim``, ``seconds``,
        ``stopped_by``, ``epochs``, ``steps`` and family-specific entries.
        """
        values = check_matrix(y, "y")
        n = values.shape[0]
        if n < 4:
            raise ValueError(f"y needs at least 4 rows to train on; got {n}")
        cond = None if context is None else check_matrix(context, "context", rows=n)
        self._groups = None
        if groups is not None:
            self._groups = np.unique(np.asarray(groups), return_inverse=True)[1].reshape(-1)
            if self._groups.size != n:
                raise ValueError(f"groups has {self._groups.size} labels; expected {n}, one per row of y")
        meta: dict[str, int] = {"data_dim": values.shape[1], "context_dim": 0 if cond is None else cond.shape[1]}
        stats: dict[str, torch.Tensor] = {}
        if self.config["data"] == "composition":
            if values.shape[1] < 2 or np.any(values < 0):
                raise ValueError("with data='composition', y must be non-negative counts with at least 2 parts (columns)")
            stats["reads"] = torch.tensor(float(values.sum(axis=1).mean()), dtype=torch.float64)
            values = compositions_to_ilr(values, pseudocount=float(self.config["pseudocount"]))
        meta["dim"] = values.shape[1]
        stats["y_mean"], stats["y_sd"] = _moments(values)
        if cond is not None:
            stats["context_mean"], stats["context_sd"] = _moments(cond)
        self.meta, self.stats = meta, stats
        device = torch.device(device)
        budget = TrainingBudget(epochs=epochs, time_budget_s=time_budget_s, default_epochs=int(self.config["epochs"]))
        generator = torch.Generator().manual_seed(int(random_seed))
        y_std = self._standardize_y(values)
        c_std = self._standardize_context(cond, n)
        if cond is not None and self.config["residual"] == "linear":
            y_std = self._fit_linear(y_std, c_std)
        y_std, c_std = y_std.to(device), c_std.to(device)
        with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
            torch.manual_seed(int(random_seed))
            self.net = self._build().to(device)
            log = self._fit(y_std, c_std, budget, generator, progress)
        self.net.eval()
        return {"family": self.family, "config": copy.deepcopy(self.config), "num_rows": n, "dim": self.dim,
                "context_dim": self.context_dim, "seconds": budget.seconds, "stopped_by": budget.stopped_by, **log}

    def sample(self, context: Any = None, *, num_samples: int | None = None, random_seed: int,
               device: str | torch.device = "cpu") -> np.ndarray:
        """Draw from the model: one y per context row, or ``num_samples`` draws when unconditional.

        Parameters
        ----------
        context : array, shape (m, C), or None
            Required (with the C columns of ``fit``) for a conditional model; None for an unconditional one.
        num_samples : int, optional
            Unconditional models: how many draws. Conditional models: leave None (repeat context
            rows for several draws per row).
        random_seed : int
            The same seed (and device) gives the same draws.

        Returns
        -------
        np.ndarray float64, shape (m, D); with ``data="composition"`` counts (m, S) whose rows sum to
        the training read depth (see ``count_sampling``).
        """
        if self.net is None:
            raise RuntimeError(f"the {self.family!r} model is not trained: call fit() or load_state_dict() first")
        if self.context_dim:
            if context is None:
                raise ValueError(f"the {self.family!r} model was trained with {self.context_dim} context column(s); "
                                 f"give context of shape (m, {self.context_dim})")
            if num_samples is not None:
                raise ValueError("num_samples is for unconditional models; repeat the context rows instead")
            cond = check_matrix(context, "context", columns=self.context_dim)
            m = cond.shape[0]
        else:
            if context is not None and np.asarray(context).size:
                raise ValueError(f"the {self.family!r} model was trained without context; call sample(num_samples=m)")
            if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)) or num_samples < 1:
                raise ValueError(f"num_samples must be a positive integer for an unconditional model; got {num_samples!r}")
            cond, m = None, int(num_samples)
        device = torch.device(device)
        self.net.to(device).eval()
        generator = torch.Generator(device=device).manual_seed(int(random_seed))
        c_std = self._standardize_context(cond, m)
        with torch.no_grad():
            z = self._sample(c_std.to(device), generator).to("cpu", torch.float64)  # (m, D)
        if "linear_coef" in self.stats:
            z = c_std.double() @ self.stats["linear_coef"] + z * self.stats["residual_sd"]
        values = z * self.stats["y_sd"] + self.stats["y_mean"]
        values = values.numpy()
        if self.config["data"] == "composition":
            values = ilr_to_compositions(values, reads=float(self.stats["reads"]),
                                         pseudocount=float(self.config["pseudocount"]))
            if self.config["count_sampling"] == "multinomial":
                rng = np.random.default_rng(int(random_seed))
                reads = int(round(float(self.stats["reads"])))
                values = rng.multinomial(reads, values / values.sum(axis=1, keepdims=True)).astype(np.float64)
        return values

    def state_dict(self) -> dict[str, torch.Tensor]:
        """Every tensor needed to sample (weights, standardization statistics, shapes), on CPU; safetensors-ready."""
        if self.net is None:
            raise RuntimeError(f"the {self.family!r} model has no state: call fit() first")
        state = {f"meta.{k}": torch.tensor(int(v), dtype=torch.int64) for k, v in self.meta.items()}
        state.update({f"stats.{k}": v.detach().clone().contiguous() for k, v in self.stats.items()})
        state.update({f"net.{k}": v.detach().to("cpu").clone().contiguous() for k, v in self.net.state_dict().items()})
        return state

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        """Rebuild the networks from ``state`` (as returned by ``state_dict``) with this model's config."""
        meta = {k[len("meta."):]: int(v) for k, v in state.items() if k.startswith("meta.")}
        missing = {"dim", "data_dim", "context_dim"} - set(meta)
        if missing:
            raise ValueError(f"not a {self.family!r} model state: {', '.join(sorted('meta.' + m for m in missing))} missing")
        self.meta = meta
        self.stats = {k[len("stats."):]: v.clone() for k, v in state.items() if k.startswith("stats.")}
        if self.config["data"] == "composition" and "reads" not in self.stats:
            raise ValueError("the state has no 'stats.reads': it was not trained with data='composition'")
        self.net = self._build()
        load_net_weights(self.net, state, self.family, self.config)

    # -- shared machinery --------------------------------------------------------------
    def _standardize_y(self, values: np.ndarray) -> torch.Tensor:
        return ((torch.as_tensor(values) - self.stats["y_mean"]) / self.stats["y_sd"]).float()

    def _fit_linear(self, y: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """Ridge-regress standardized y (n, D) on standardized context (n, C) (no intercept: both are
        centred), store B (C, D) and the residual s.d. (D,) in ``stats``, return the unit-s.d. residuals (n, D)."""
        c, yy = context.double(), y.double()
        gram = c.T @ c + float(self.config["linear_ridge"]) * torch.eye(c.shape[1], dtype=torch.float64)
        coef = torch.linalg.solve(gram, c.T @ yy)  # (C, D)
        residual = yy - c @ coef
        sd = residual.std(dim=0, unbiased=False)
        sd = torch.where(sd > 1e-8, sd, torch.ones_like(sd))
        self.stats["linear_coef"], self.stats["residual_sd"] = coef, sd
        return (residual / sd).float()

    def _standardize_context(self, cond: np.ndarray | None, n: int) -> torch.Tensor:
        if cond is None:
            return torch.zeros(n, 0)
        return ((torch.as_tensor(cond) - self.stats["context_mean"]) / self.stats["context_sd"]).float()

    def _fit_by_loss(self, y: torch.Tensor, context: torch.Tensor, budget: TrainingBudget,
                     generator: torch.Generator, progress: Progress | None, *, ema_decay: float | None = None) -> dict:
        """Minibatch AdamW on ``_loss``; ``validation_fraction`` of the rows held out and the weights
        with the lowest held-out loss kept (early stopping after ``patience_epochs`` without a gain).
        The held-out loss uses one fixed noise seed, so epochs are compared on the same draws."""
        c, net = self.config, self.net
        valid, train = self._validation_split(y.shape[0], generator, y.device)
        num_valid = len(valid)
        optimizer = torch.optim.AdamW(net.parameters(), lr=float(c["learning_rate"]), weight_decay=float(c["weight_decay"]))
        ema = ExponentialAverage(net, ema_decay) if ema_decay else None
        steps, epoch, history = 0, 0, []
        best, best_state, best_epoch = np.inf, copy.deepcopy(net.state_dict()), 0
        extras: dict = {}
        while True:
            net.train()
            total, batches = 0.0, 0
            fraction = budget.fraction(epoch, default_steps=int(c["epochs"]), steps=epoch)
            for idx in minibatches(len(train), int(c["batch_size"]), generator):
                rows = train[idx.to(y.device)]
                loss, extras = self._loss(net, y[rows], context[rows], generator, fraction)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                nn.utils.clip_grad_norm_(net.parameters(), 10.0)
                optimizer.step()
                if ema is not None:
                    ema.update(net)
                total, batches, steps = total + float(loss.detach()), batches + 1, steps + 1
                if budget.out_of_time():
                    break
            epoch += 1
            scored = ema.shadow if ema is not None else net
            valid_loss = self._validation_loss(scored, y[valid], context[valid]) if num_valid else total / batches
            history.append({"epoch": epoch, "train_loss": total / batches, "valid_loss": valid_loss, **extras})
            if valid_loss < best:
                best, best_epoch, best_state = valid_loss, epoch, copy.deepcopy(scored.state_dict())
            if progress is not None:
                progress({"epoch": epoch, "steps": steps, "seconds": budget.seconds, **history[-1]})
            if budget.stopped_by == "time_budget" or budget.epoch_done(epoch):
                break
            if epoch - best_epoch >= int(c["patience_epochs"]):
                budget.stopped_by = "early_stopping"
                break
        net.load_state_dict(best_state)
        return {"epochs": epoch, "steps": steps, "best_epoch": best_epoch, "best_valid_loss": float(best),
                "final_losses": history[-1], "history": history}

    def _validation_split(self, n: int, generator: torch.Generator, device) -> tuple[torch.Tensor, torch.Tensor]:
        """(held-out rows, training rows): ``validation_fraction`` of the rows, or of the groups given to ``fit``."""
        fraction = float(self.config["validation_fraction"])
        groups = getattr(self, "_groups", None)
        if groups is None:
            order = torch.randperm(n, generator=generator)
            num_valid = int(round(fraction * n))
            valid, train = order[:num_valid], order[num_valid:]
        else:
            order = torch.randperm(int(groups.max()) + 1, generator=generator).numpy()
            held = np.isin(groups, order[:int(round(fraction * order.size))])
            valid, train = torch.as_tensor(np.flatnonzero(held)), torch.as_tensor(np.flatnonzero(~held))
        if len(train) < 2:
            raise ValueError(f"validation_fraction {self.config['validation_fraction']} leaves no training rows")
        return valid.to(device), train.to(device)

    def _validation_loss(self, net: nn.Module, y: torch.Tensor, context: torch.Tensor) -> float:
        """Held-out loss at the end of any warm-up (``fraction=1``), so epochs are comparable."""
        net.eval()
        with torch.no_grad():
            loss, _ = self._loss(net, y, context, torch.Generator(device=y.device).manual_seed(12345), 1.0)
        return float(loss)


def _moments(values: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Column means and s.d.s (float64 tensors); a constant column gets s.d. 1 so it is only centred."""
    mean = values.mean(axis=0)
    sd = values.std(axis=0)
    sd = np.where(sd > 1e-8, sd, 1.0)
    return torch.as_tensor(mean, dtype=torch.float64), torch.as_tensor(sd, dtype=torch.float64)


__all__ = ["COMMON_CONFIG", "ContinuousModel", "check_matrix", "ilr_basis", "mlp"]
