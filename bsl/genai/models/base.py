"""The common contract of bsl's genotype models: configuration, fitting under an epoch or time budget, seeded sampling, and tensor state."""
from __future__ import annotations

import copy
import time
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

Progress = Callable[[dict], None]


def check_dosages(dosages: Any, *, name: str = "dosages") -> np.ndarray:
    """Validate a genotype matrix and return it as a C-contiguous uint8 array.

    Parameters
    ----------
    dosages : array-like, shape (n, L)
        Alternative-allele counts of n individuals at L loci, each in {0, 1, 2}.
    """
    array = np.asarray(dosages)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (individuals, loci); got shape {array.shape}")
    if array.shape[0] < 2 or array.shape[1] < 1:
        raise ValueError(f"{name} needs at least 2 individuals and 1 locus; got shape {array.shape}")
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise TypeError(f"{name} must hold numbers 0, 1 or 2; got dtype {array.dtype}")
    if np.issubdtype(array.dtype, np.floating) and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values; impute missing genotypes first")
    bad = (array != 0) & (array != 1) & (array != 2)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(f"{name} must hold dosages 0, 1 or 2; individual {i}, locus {j} is {array[i, j]!r}")
    return np.ascontiguousarray(array, dtype=np.uint8)


def one_hot(dosages: torch.Tensor) -> torch.Tensor:
    """Dosages (n, L) integer → one-hot float (n, 3, L), channels first for 1-D convolutions."""
    return torch.nn.functional.one_hot(dosages.long(), 3).permute(0, 2, 1).float()


def categorical_sample(logits: torch.Tensor, generator: torch.Generator, dim: int = 1) -> torch.Tensor:
    """Draw one category per slice of ``logits`` along ``dim`` with the Gumbel-max trick.

    Exact categorical sampling (Gumbel 1954; Maddison et al. 2014), seeded through ``generator``.
    """
    uniform = torch.rand(logits.shape, generator=generator, device=logits.device).clamp_(1e-10, 1.0 - 1e-7)
    return (logits - torch.log(-torch.log(uniform))).argmax(dim=dim)


class TrainingBudget:
    """Stops training at whichever comes first: ``epochs`` full passes or ``time_budget_s`` seconds."""

    def __init__(self, *, epochs: int | None, time_budget_s: float | None, default_epochs: int):
        if epochs is not None and (isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1):
            raise ValueError(f"epochs must be a positive integer or None; got {epochs!r}")
        if time_budget_s is not None and not (float(time_budget_s) > 0):
            raise ValueError(f"time_budget_s must be a positive number of seconds or None; got {time_budget_s!r}")
        self.epochs = int(epochs) if epochs is not None else (None if time_budget_s is not None else default_epochs)
        self.time_budget_s = None if time_budget_s is None else float(time_budget_s)
        self.start = time.perf_counter()
        self.stopped_by: str | None = None

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.start

    def out_of_time(self) -> bool:
        if self.time_budget_s is not None and self.seconds >= self.time_budget_s:
            self.stopped_by = "time_budget"
            return True
        return False

    def fraction(self, epochs_done: float, *, default_steps: int, steps: int) -> float:
        """Share of the budget used, in [0, 1], for schedules: the larger of the time and epoch
        shares; with neither budget set, ``steps / default_steps``."""
        shares = []
        if self.time_budget_s is not None:
            shares.append(self.seconds / self.time_budget_s)
        if self.epochs is not None:
            shares.append(epochs_done / self.epochs)
        return min(1.0, max(shares) if shares else steps / max(1, default_steps))

    def epoch_done(self, epoch: int) -> bool:
        """``epoch`` is the number of completed passes; True when training must stop."""
        if self.epochs is not None and epoch >= self.epochs:
            self.stopped_by = "epochs"
            return True
        return self.out_of_time()


def minibatches(n: int, batch_size: int, generator: torch.Generator):
    """Shuffled index batches covering ``range(n)`` once; the last, short batch is kept."""
    order = torch.randperm(n, generator=generator)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def train_epochs(budget: "TrainingBudget", num_rows: int, batch_size: int, generator: torch.Generator,
                 step: Callable[[torch.Tensor], float], *, loss_name: str, progress: Progress | None = None,
                 end_epoch: Callable[[int], tuple[dict, bool]] | None = None) -> tuple[int, int, list[float]]:
    """The epoch loop the genotype families share: each epoch shuffles ``num_rows`` rows into
    minibatches (``minibatches``), calls ``step(indices)`` for each (it updates the network and
    returns the batch loss) and stops mid-epoch when the budget runs out. After each epoch
    ``end_epoch(epoch)`` may add entries to the progress report and ask for an early stop
    (``budget.stopped_by = "early_stopping"``, checked after the budget). Returns (steps, epochs,
    mean loss of each epoch)."""
    steps, epoch, losses = 0, 0, []
    while True:
        total, batches = 0.0, 0
        for idx in minibatches(num_rows, batch_size, generator):
            total += step(idx)
            steps, batches = steps + 1, batches + 1
            if budget.out_of_time():
                break
        epoch += 1
        losses.append(total / batches)
        extra, early = end_epoch(epoch) if end_epoch is not None else ({}, False)
        if progress is not None:
            progress({"epoch": epoch, "steps": steps, "seconds": budget.seconds, loss_name: losses[-1], **extra})
        if budget.stopped_by or budget.epoch_done(epoch):
            break
        if early:
            budget.stopped_by = "early_stopping"
            break
    return steps, epoch, losses


class ExponentialAverage:
    """An exponential moving average of a module's parameters (Polyak averaging), for sampling."""

    def __init__(self, module: nn.Module, decay: float):
        self.decay = decay
        self.updates = 0
        self.shadow = copy.deepcopy(module).requires_grad_(False)

    @torch.no_grad()
    def update(self, module: nn.Module) -> None:
        # warm-up min(decay, (1 + k) / (10 + k)) so early, untrained weights fade fast (as in TensorFlow's EMA)
        self.updates += 1
        decay = min(self.decay, (1 + self.updates) / (10 + self.updates))
        for mine, theirs in zip(self.shadow.parameters(), module.parameters()):
            mine.lerp_(theirs, 1.0 - decay)

    @torch.no_grad()
    def copy_to(self, module: nn.Module) -> None:
        module.load_state_dict(self.shadow.state_dict())


def load_net_weights(net: nn.Module, state: dict[str, torch.Tensor], family: str, config: dict) -> None:
    """Load the ``net.*`` tensors of a saved state into ``net`` (strict) and set it to eval mode;
    a state that does not fit is a ValueError naming the family and its config."""
    weights = {k[len("net."):]: v for k, v in state.items() if k.startswith("net.")}
    try:
        net.load_state_dict(weights, strict=True)
    except RuntimeError as error:
        raise ValueError(f"the state does not fit a {family!r} model with config {config}: {error}") from None
    net.eval()


class GenotypeModel:
    """Base class of the genotype generators; subclasses set ``family`` and ``default_config``
    and implement ``_build``, ``_fit`` and ``_sample``.

    Networks are built when the data's shape is known (in ``fit``) or read back (in
    ``load_state_dict``); the integers that shape them live in ``self.meta`` and travel in the
    state dict as ``meta.<name>`` tensors.

    Families with ``supports_condition`` learn p(genotype | c) for a condition c (n, K) of each
    training individual, e.g. its phenotype: ``fit(..., condition=c)``, then
    ``sample(n, condition=c_new)``. The condition is standardized with the training mean and
    s.d. (saved as ``condition.mean`` / ``condition.sd``); subclasses read the standardized
    values from ``self._condition`` (rows of the data in ``_fit``, of the draws in ``_sample``)
    and its width from ``self.meta["condition_dim"]``.
    """

    family: str = ""
    default_config: dict = {}
    supports_condition: bool = False

    def __init__(self, **config: Any):
        unknown = sorted(set(config) - set(self.default_config))
        if unknown:
            raise ValueError(f"unknown option(s) {', '.join(map(repr, unknown))} for the {self.family!r} model; "
                             f"valid options: {', '.join(sorted(self.default_config))}")
        self.config: dict = {**copy.deepcopy(self.default_config), **config}
        self.meta: dict[str, int | list[int]] = {}
        self.net: nn.Module | None = None
        self.condition_stats: dict[str, torch.Tensor] = {}
        self._condition: torch.Tensor | None = None

    # -- to implement ------------------------------------------------------------------
    def _prepare(self, dosages: np.ndarray, generator: torch.Generator) -> None:
        """Set ``self.meta`` (and data-derived buffers) from the training data; default: loci count."""
        self.meta = {"num_loci": int(dosages.shape[1])}

    def _build(self) -> nn.Module:
        raise NotImplementedError

    def _fit(self, dosages: np.ndarray, budget: TrainingBudget, generator: torch.Generator, device: torch.device,
             progress: Progress | None) -> dict:
        raise NotImplementedError

    def _sample(self, n: int, generator: torch.Generator, device: torch.device) -> torch.Tensor:
        raise NotImplementedError

    # -- public API --------------------------------------------------------------------
    @property
    def num_loci(self) -> int | None:
        return self.meta.get("num_loci")

    @property
    def condition_dim(self) -> int:
        """K, the width of the condition the model was trained with (0: unconditional)."""
        return int(self.meta.get("condition_dim", 0))

    def _check_condition(self, condition: Any, rows: int) -> np.ndarray:
        c = np.asarray(condition, dtype=np.float64)
        c = c[:, None] if c.ndim == 1 else c
        if c.ndim != 2 or c.shape[0] != rows or not np.all(np.isfinite(c)):
            raise ValueError(f"condition must be finite values of shape ({rows}, K); got shape {c.shape}")
        return c

    def fit(self, dosages: np.ndarray, *, random_seed: int, time_budget_s: float | None = None,
            epochs: int | None = None, device: str | torch.device = "cpu",
            progress: Progress | None = None, condition: Any = None) -> dict:
        """Train on genotypes and return a training log.

        Parameters
        ----------
        dosages : np.ndarray, shape (n, L), values in {0, 1, 2}
            Training genotypes, loci in genome order.
        random_seed : int
            Seeds initialisation, batching and noise; the same seed gives the same model on one device.
        time_budget_s : float, optional
            Wall-clock seconds after which training stops (checked after every step).
        epochs : int, optional
            Full passes over the data after which training stops. With neither budget given,
            ``config["epochs"]`` applies.
        device : str or torch.device
            Where to train ("cpu", "cuda").
        progress : callable, optional
            Called after every epoch with a dict (epoch, steps, seconds, losses).
        condition : array (n,) or (n, K), optional
            A condition of each individual (e.g. its phenotype) to learn p(genotype | condition);
            only for families with ``supports_condition``.

        Returns
        -------
        dict
            ``family``, ``config``, ``steps``, ``epochs``, ``seconds``, ``stopped_by``
            ("epochs", "time_budget", or "early_stopping" for the flow), ``final_losses`` and
            family-specific entries.
        """
        x = check_dosages(dosages)
        device = torch.device(device)
        c = None
        if condition is not None:
            if not self.supports_condition:
                from bsl.genai.models import FAMILIES  # the registry imports this module
                can = ", ".join(name for name, cls in FAMILIES.items() if cls.supports_condition)
                raise ValueError(f"the {self.family!r} family cannot be conditioned; families that can: {can}")
            c = self._check_condition(condition, x.shape[0])
            mean, sd = c.mean(axis=0), c.std(axis=0)
            self.condition_stats = {"mean": torch.as_tensor(mean), "sd": torch.as_tensor(np.where(sd > 1e-12, sd, 1.0))}
        budget = TrainingBudget(epochs=epochs, time_budget_s=time_budget_s, default_epochs=int(self.config["epochs"]))
        generator = torch.Generator().manual_seed(int(random_seed))
        with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
            torch.manual_seed(int(random_seed))
            self._prepare(x, generator)
            self.meta["condition_dim"] = 0 if c is None else int(c.shape[1])
            self._condition = None if c is None else self._standardize_condition(c).to(device)
            self.net = self._build().to(device)
            log = self._fit(x, budget, generator, device, progress)
            self._condition = None
        self.net.eval()
        return {"family": self.family, "config": copy.deepcopy(self.config), "num_individuals": int(x.shape[0]),
                "num_loci": int(x.shape[1]), "seconds": budget.seconds, "stopped_by": budget.stopped_by, **log}

    def _standardize_condition(self, c: np.ndarray) -> torch.Tensor:
        return ((torch.as_tensor(np.array(c, dtype=np.float64)) - self.condition_stats["mean"])
                / self.condition_stats["sd"]).float()

    def sample(self, n: int, *, random_seed: int, device: str | torch.device = "cpu", condition: Any = None) -> np.ndarray:
        """Draw ``n`` synthetic individuals.

        Parameters
        ----------
        n : int
            Number of individuals.
        condition : array (K,), (n,) or (n, K)
            Required by a model trained with a condition: one for all draws, or one per draw.
        random_seed : int
            The same seed (and device) gives the same samples.
        device : str or torch.device
            Where to sample.

        Returns
        -------
        np.ndarray, shape (n, L), dtype uint8, values in {0, 1, 2}
        """
        if self.net is None:
            raise RuntimeError(f"the {self.family!r} model is not trained: call fit() or load_state_dict() first")
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive integer; got {n!r}")
        device = torch.device(device)
        if self.condition_dim:
            if condition is None:
                raise ValueError(f"the model was trained with a condition of width {self.condition_dim}; "
                                 "give condition=")
            c = np.asarray(condition, dtype=np.float64)
            if c.ndim == 0 or (c.ndim == 1 and c.size == self.condition_dim and (n != c.size or n == 1)):
                c = np.broadcast_to(c.reshape(1, -1), (int(n), self.condition_dim))
            c = self._check_condition(c, int(n))
            if c.shape[1] != self.condition_dim:
                raise ValueError(f"condition has {c.shape[1]} columns; the model was trained with {self.condition_dim}")
            self._condition = self._standardize_condition(c).to(device)
        elif condition is not None:
            raise ValueError("the model was trained without a condition")
        self.net.to(device).eval()
        generator = torch.Generator(device=device).manual_seed(int(random_seed))
        try:
            with torch.no_grad():
                out = self._sample(int(n), generator, device)
        finally:
            self._condition = None
        return out.to("cpu", torch.uint8).numpy()

    def state_dict(self) -> dict[str, torch.Tensor]:
        """Every tensor needed to sample (network weights, PCA bases, shapes), on CPU; safetensors-ready."""
        if self.net is None:
            raise RuntimeError(f"the {self.family!r} model has no state: call fit() first")
        state = {f"meta.{k}": torch.tensor(v, dtype=torch.int64) for k, v in self.meta.items()}
        state.update({f"condition.{k}": v.clone().contiguous() for k, v in self.condition_stats.items()})
        state.update({f"net.{k}": v.detach().to("cpu").clone().contiguous() for k, v in self.net.state_dict().items()})
        return state

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        """Rebuild the networks from ``state`` (as returned by ``state_dict``) with this model's config."""
        meta = {k[len("meta."):]: v for k, v in state.items() if k.startswith("meta.")}
        if "num_loci" not in meta:
            raise ValueError(f"not a {self.family!r} model state: 'meta.num_loci' is missing")
        self.meta = {k: (v.tolist() if v.ndim else int(v)) for k, v in meta.items()}
        self.condition_stats = {k[len("condition."):]: v.clone().to(torch.float64) for k, v in state.items()
                                if k.startswith("condition.")}
        self.net = self._build()
        load_net_weights(self.net, state, self.family, self.config)
