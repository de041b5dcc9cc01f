"""Training: mini-batch Adam with L2 on the batch's parameters and early stopping."""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import torch

from recsys.fitting import (
    EpochStats,
    RatingTensors,
    Schedule,
    auto_batch_size,
    auto_lr,
    auto_threads,
    train_epochs,
)
from recsys.ids import IdMap, encode_ratings
from recsys.models import MODEL_KINDS, build_model
from recsys.results import ModelInfo
from recsys.selection import genre_matrix
from recsys.settings import ServeSettings
from recsys.trained import TrainedRecommender
from recsys.watch import WatchConfig, train_watch

MAX_SEED = 2**32 - 1
AUTO_FIELDS = ("lr", "lr_decay", "batch_size", "threads")
"""TrainConfig fields where None means "choose from the model kind or the data"."""


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a trained model; defaults tuned on ml-latest-small."""

    model: str = "mf_bias"
    """"mf", "mf_bias" or "ncf"."""
    dim: int = 128
    """Embedding size."""
    lr: float | None = None
    """Learning rate of the first epoch; None picks the model's (`auto_lr`: 0.05 for
    mf / mf_bias, which train with row-wise Adagrad, 0.01 for ncf's Adam)."""
    lr_decay: float | None = None
    """Learning rate multiplier after each epoch, settling the noisy mini-batch estimate;
    None picks the model's (`auto_lr`: 0.8 for mf / mf_bias, 0.7 for ncf)."""
    l2: float = 0.1
    """Penalty on the squared norm of each batch row's user and item vectors."""
    bias_l2: float = 0.01
    """Penalty on each batch row's user and item biases (mf_bias)."""
    batch_size: int | None = None
    """Ratings per Adam step; None picks one from the number of ratings (`auto_batch_size`)."""
    epochs: int = 10
    """Upper bound; early stopping may end sooner."""
    patience: int = 1
    """Epochs without a validation RMSE 0.1% better than the best before stopping (1: the
    first epoch that gains less ends training). ml-latest-small's notebook split stops after
    6 epochs at test RMSE 0.8328 (0.8320 after 9 with 2); 10 M synthetic ratings after 7 of
    13 s each, 0.0007 above its best after 10."""
    val_fraction: float = 0.02
    """Share of the training ratings carved off for early stopping."""
    seed: int = 0
    device: str = "auto"
    """"auto" (CUDA when available), "cpu" or "cuda"."""
    threads: int | None = None
    """torch CPU threads while training; None picks from the number of ratings
    (`auto_threads`: 1 at ml-latest-small scale, 2 for millions of ratings)."""
    watch: WatchConfig | None = field(default_factory=WatchConfig)
    """The implicit "will watch" ranking model; None ranks by predicted rating only."""
    serve: ServeSettings = field(default_factory=ServeSettings)

    def __post_init__(self) -> None:
        # Accept the JSON form (dicts) too, so TrainConfig(**info.config) round-trips.
        if isinstance(self.watch, dict):
            object.__setattr__(self, "watch", WatchConfig(**self.watch))
        if isinstance(self.serve, dict):
            object.__setattr__(self, "serve", ServeSettings(**self.serve))
        if self.model not in MODEL_KINDS:
            raise ValueError(
                f"unknown model {self.model!r}; expected one of {', '.join(MODEL_KINDS)}"
            )
        if self.device not in ("auto", "cpu", "cuda"):
            raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', got {self.device!r}")
        if self.lr_decay is not None and not 0.0 < self.lr_decay <= 1.0:
            raise ValueError(f"lr_decay must be in (0, 1], got {self.lr_decay}")
        for name in ("dim", "batch_size", "epochs", "threads"):
            if getattr(self, name) is None and name in AUTO_FIELDS:
                continue
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if not 0.0 <= self.val_fraction < 1.0:
            raise ValueError(f"val_fraction must be in [0, 1), got {self.val_fraction}")
        if self.lr is not None and not 0.0 < self.lr < math.inf:
            raise ValueError(f"lr must be a positive number, got {self.lr}")
        for name in ("l2", "bias_l2"):
            if not 0.0 <= getattr(self, name) < math.inf:
                raise ValueError(f"{name} must be a non-negative number, got {getattr(self, name)}")
        # numpy's generator refuses negative seeds and torch's anything past 64 bits, both
        # deep inside fit(); refuse them here, where the message can name the field.
        if not 0 <= self.seed <= MAX_SEED:
            raise ValueError(f"seed must be in 0-{MAX_SEED}, got {self.seed}")

    @classmethod
    def from_dict(cls, overrides: dict[str, Any]) -> TrainConfig:
        """A config from JSON overrides of the defaults, e.g. {"epochs": 3, "serve":
        {"min_support": 2}}; nested "watch"/"serve" objects become their classes.

        TypeError when `overrides` is not a dict or names an unknown field; ValueError
        when a value is out of range (as the constructor checks).
        """
        if not isinstance(overrides, dict):
            raise TypeError(f"expected a JSON object, got {type(overrides).__name__}")
        fields: dict[str, Any] = dict(overrides)
        nested: tuple[tuple[str, type[WatchConfig] | type[ServeSettings]], ...] = (
            ("watch", WatchConfig),
            ("serve", ServeSettings),
        )
        for name, settings in nested:
            if isinstance(fields.get(name), dict):
                fields[name] = settings(**fields[name])
        return cls(**fields)


@dataclass(frozen=True)
class FitResult:
    recommender: TrainedRecommender
    history: list[EpochStats]


def resolve_device(device: str) -> torch.device:
    """ "auto" picks CUDA when present; asking for CUDA without it is a clear error."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' requested but CUDA is not available")
    return torch.device(device)


def fit(
    ratings: pd.DataFrame,
    config: TrainConfig = TrainConfig(),
    movies: pd.DataFrame | None = None,
    progress: Callable[[EpochStats], None] | None = None,
) -> FitResult:
    """Trains on `ratings` (userId, movieId, rating) and returns the servable recommender.

    Id maps come from `ratings` alone; `movies` (movieId, genres) only supplies genres.
    """
    if len(ratings) == 0:
        raise ValueError("cannot train on an empty ratings table")
    previous_threads = torch.get_num_threads()
    n_train = len(ratings) - int(len(ratings) * config.val_fraction)
    torch.set_num_threads(config.threads or auto_threads(n_train))
    try:
        return _fit(ratings, config, movies, progress)
    finally:
        torch.set_num_threads(previous_threads)


def _fit(
    ratings: pd.DataFrame,
    config: TrainConfig,
    movies: pd.DataFrame | None,
    progress: Callable[[EpochStats], None] | None,
) -> FitResult:
    started = time.perf_counter()
    users = IdMap.from_values(ratings["userId"])
    items = IdMap.from_values(ratings["movieId"])
    data = encode_ratings(ratings, users, items)
    device = resolve_device(config.device)
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    n = len(data)
    order = rng.permutation(n)
    n_val = int(n * config.val_fraction)
    val, train = order[:n_val], order[n_val:]
    global_mean = float(data.ratings[train].mean())
    model = build_model(config.model, len(users), len(items), config.dim, global_mean).to(device)
    # On the CPU these share the encoded arrays' memory: no copy of the ratings.
    tensors = RatingTensors(
        *(torch.as_tensor(a).to(device) for a in (data.users, data.items, data.ratings))
    )
    lr, lr_decay = auto_lr(config.model)
    schedule = Schedule(
        lr=config.lr or lr,
        lr_decay=config.lr_decay or lr_decay,
        l2=config.l2,
        bias_l2=config.bias_l2,
        batch_size=config.batch_size or auto_batch_size(len(train)),
        epochs=config.epochs,
        patience=config.patience,
        seed=config.seed,
    )
    history = train_epochs(
        model,
        tensors,
        torch.as_tensor(train).to(device),
        torch.as_tensor(val).to(device),
        schedule,
        started,
        progress,
    )

    model = model.cpu().eval()
    count = np.bincount(data.items, minlength=len(items))
    sums = np.bincount(data.items, weights=data.ratings, minlength=len(items))
    mean = np.divide(sums, count, out=np.zeros(len(items)), where=count > 0)
    by_movie = {}
    if movies is not None:
        by_movie = dict(zip(movies["movieId"].astype(int), movies["genres"], strict=True))
    genres, names = genre_matrix(items.ids, by_movie)
    watch = None
    if config.watch is not None:
        watch = train_watch(
            data.users, data.items, data.ratings, len(users), len(items), config.watch
        )
    best = [h.val_rmse for h in history if h.val_rmse is not None]
    info = ModelInfo(
        version="",
        kind=config.model,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        n_ratings=n,
        n_users=len(users),
        n_movies=len(items),
        metrics={"val_rmse": min(best)} if best else {},
        config=dataclasses.asdict(config),
    )
    recommender = TrainedRecommender(
        model.served(), config.model, users, items, count, mean, genres, names, info,
        dim=config.dim, watch=watch, serve=config.serve,
    )  # fmt: skip
    return FitResult(recommender, history)
