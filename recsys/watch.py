"""A "will this person watch and like it" model for ranking: item-to-item weights learned in
closed form over the rated/not-rated matrix (EASE, Steck 2019), with ratings as weights.

Ranking by predicted rating alone floats movies that a handful of people loved (NDCG@10
0.04-0.07 on ml-latest-small, worse than most-popular's 0.16). This model learns, for the
`max_items` most-rated movies with at least `min_support` ratings, how much having rated
each one predicts having rated each other one; a person's score for a movie is the
rating-weighted sum over what they rated. Fold-in is a sum of rows, and the biggest term
is the reason shown. Measured on the notebook split it beats implicit ALS (benchmarks/).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch

ITEMS_KEY = "watch.items"
WEIGHTS_KEY = "watch.weights"


@dataclass(frozen=True)
class WatchConfig:
    """Settings of the ranking model (tuned on ml-latest-small's notebook split)."""

    l2: float = 300.0
    """Ridge penalty of the item-to-item regression (larger = smoother, more popular)."""
    like_slope: float = 0.5
    """A rating r counts max(1 + like_slope * (r - 3.5), 0.05): liked movies weigh more."""
    min_support: int = 10
    """Movies with fewer training ratings are left out (and so never ranked on top)."""
    max_items: int = 4000
    """At most this many of the most-rated movies: bounds memory (items^2) and solve time."""

    def __post_init__(self) -> None:
        # l2 <= 0 leaves the item-to-item solve singular; NaN poisons every weight.
        if not 0.0 < self.l2 < math.inf:
            raise ValueError(f"watch l2 must be a positive number, got {self.l2}")
        if not math.isfinite(self.like_slope):
            raise ValueError(f"like_slope must be a finite number, got {self.like_slope}")
        if self.min_support < 0 or self.max_items <= 0:
            raise ValueError("min_support must be 0 or more and max_items positive")


def rating_weight(ratings: np.ndarray, config: WatchConfig) -> np.ndarray:
    """How much each rated movie counts as evidence: more for liked, less for disliked."""
    r = np.asarray(ratings, dtype=np.float64)
    return np.maximum(1.0 + config.like_slope * (r - 3.5), 0.05)


class WatchModel:
    """Item-to-item weights over a subset of items (`items` = their global indices)."""

    def __init__(
        self, items: np.ndarray, weights: np.ndarray, n_items: int, config: WatchConfig
    ) -> None:
        self.items = np.asarray(items, dtype=np.int64)
        self.weights = np.asarray(weights, dtype=np.float32)
        self.n_items = n_items
        self.config = config
        self._local = np.full(n_items, -1, dtype=np.int64)
        self._local[self.items] = np.arange(self.items.size)

    def fold_in(
        self, idx: np.ndarray, ratings: np.ndarray
    ) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]] | None:
        """Scores for every item (-inf outside the model) for a person who rated items `idx`,
        and an explainer mapping item indices to the position in `idx` that contributed
        most. None when none of the rated items is in the model."""
        local = self._local[idx]
        inside = np.flatnonzero(local >= 0)
        if inside.size == 0:
            return None
        w = rating_weight(ratings[inside], self.config).astype(np.float32)
        rows = self.weights[local[inside]]
        scores = np.full(self.n_items, -np.inf)
        scores[self.items] = w @ rows

        def because(top: np.ndarray) -> np.ndarray:
            contrib = rows[:, self._local[top]] * w[:, None]
            return inside[contrib.argmax(axis=0)]

        return scores, because

    def similar_scores(self, item: int) -> np.ndarray | None:
        """How strongly rating `item` predicts rating each other item (-inf outside)."""
        local = self._local[item]
        if local < 0:
            return None
        scores = np.full(self.n_items, -np.inf)
        scores[self.items] = self.weights[local]
        return scores

    def to_tensors(self) -> dict[str, torch.Tensor]:
        return {
            ITEMS_KEY: torch.from_numpy(self.items.copy()),
            WEIGHTS_KEY: torch.from_numpy(self.weights.copy()),
        }

    def settings(self) -> dict[str, Any]:
        return asdict(self.config)


def train_watch(
    users: np.ndarray,
    items: np.ndarray,
    ratings: np.ndarray,
    n_users: int,
    n_items: int,
    config: WatchConfig = WatchConfig(),
) -> WatchModel:
    """Fits the weights on (user, item, rating) index arrays: B = I - P / diag(P) with
    P = (W^T W + l2 I)^-1 and W the rating-weighted user x item matrix (zero diagonal)."""
    count = np.bincount(items, minlength=n_items)
    eligible = np.flatnonzero(count >= config.min_support)
    chosen = eligible[np.argsort(-count[eligible], kind="stable")[: config.max_items]]
    chosen = np.sort(chosen)
    local = np.full(n_items, -1, dtype=np.int64)
    local[chosen] = np.arange(chosen.size)
    keep = local[items] >= 0
    w = torch.zeros(n_users, chosen.size, dtype=torch.float64)
    w[torch.as_tensor(users[keep]), torch.as_tensor(local[items[keep]])] = torch.as_tensor(
        rating_weight(ratings[keep], config)
    )
    gram = w.T @ w
    gram.diagonal().add_(config.l2)
    p = torch.cholesky_inverse(torch.linalg.cholesky(gram))
    b = -p / p.diagonal()[None, :]
    b.diagonal().zero_()
    return WatchModel(chosen, b.numpy().astype(np.float32), n_items, config)
