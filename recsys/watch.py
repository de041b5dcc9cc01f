"""A "will this person watch and like it" model for ranking: item-to-item weights learned in
closed form over the rated/not-rated matrix (EASE, Steck 2019), with ratings as weights.

Ranking by predicted rating alone floats movies that a handful of people loved (NDCG@10
0.04-0.07 on ml-latest-small, worse than most-popular's 0.16). This model learns, for the
`max_items` most-rated movies with at least `min_support` ratings, how much having rated
each one predicts having rated each other one; a person's score for a movie is the
evidence-weighted sum over what they rated. Fold-in is a sum of rows, and the biggest term
is the reason shown. Measured on the notebook split it beats implicit ALS (benchmarks/).

Dislikes count against: a second item-to-item model, over who disliked what (a rating
`dislike_gap` below the person's own level), learns which movies are disliked together,
and each of a person's dislikes subtracts its row. Having watched a disliked movie still
counts a little in favour of what is watched with it: on held-out data people do watch and
like the neighbours of what they disliked (benchmarks/variants.py), so the sign comes from
what the data says is disliked together, not from flipping the co-watching evidence.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch

REASON_NEIGHBOURS = 50
"""A rated movie explains a recommendation only if the recommendation is among the movies
most watched with it (its this-many largest co-watching weights): a positive weight alone
let Toy Story "explain" The Shining."""
ITEMS_KEY = "watch.items"
WEIGHTS_KEY = "watch.weights"
DISLIKES_KEY = "watch.dislikes"


@dataclass(frozen=True)
class WatchConfig:
    """Settings of the ranking model (tuned on ml-latest-small's notebook split). "Fold-in
    only" fields can change on a trained model (TrainedRecommender.configured)."""

    l2: float = 300.0
    """Ridge penalty of the item-to-item regression (larger = smoother, more popular)."""
    like_slope: float = 0.5
    """A rating r counts max(1 + like_slope * (r - 3.5), 0.05): liked movies weigh more."""
    min_support: int = 10
    """Movies with fewer training ratings are left out (and so never ranked on top)."""
    max_items: int = 4000
    """At most this many of the most-rated movies: bounds memory (items^2) and solve time."""
    dislike_gap: float = 1.0
    """A rating at least this many stars below the person's level is a dislike (training
    the dislike model and folding in)."""
    dislike_l2: float = 50.0
    """Ridge penalty of the dislike model's regression; 0 trains no dislike model."""
    dislike_weight: float = 1.0
    """Fold-in only: how much each dislike's row of the dislike model is subtracted."""
    dislike_slope: float = 0.0
    """Fold-in only: a rating below the person's level also loses this much co-watching
    evidence per star below it, going negative for a clear dislike (measured: it costs
    NDCG on held-out data; 0 keeps a dislike weak positive co-watching evidence)."""
    level_prior: float = 5.0
    """The person's level is their mean rating with this many pseudo-ratings at the
    training mean (few ratings: about the training mean)."""
    popularity_weight: float = 0.3
    """Fold-in only: an average person's row (each movie's share of people who rated it,
    times rating_weight of its mean) weighs this much, scaled by level_prior / (level_prior
    + n) for a person with n ratings: with a few ratings, mostly dislikes, the list leans
    on what most people watch and like instead of on near-zero evidence."""
    dismissed_weight: float = 0.5
    """Fold-in only: a "not interested" movie takes this much of its co-watching row off
    every score (a liked movie adds about 1 to 1.75 of its row)."""

    def __post_init__(self) -> None:
        # l2 <= 0 leaves the item-to-item solve singular; NaN poisons every weight.
        if not 0.0 < self.l2 < math.inf:
            raise ValueError(f"watch l2 must be a positive number, got {self.l2}")
        if not math.isfinite(self.like_slope):
            raise ValueError(f"like_slope must be a finite number, got {self.like_slope}")
        if self.min_support < 0 or self.max_items <= 0:
            raise ValueError("min_support must be 0 or more and max_items positive")
        for name in (
            "dislike_gap",
            "dislike_l2",
            "dislike_weight",
            "dislike_slope",
            "level_prior",
            "popularity_weight",
            "dismissed_weight",
        ):
            if not 0.0 <= getattr(self, name) < math.inf:
                raise ValueError(f"{name} must be a non-negative number, got {getattr(self, name)}")


def rating_weight(ratings: np.ndarray, config: WatchConfig) -> np.ndarray:
    """How much having rated a movie counts (training and fold-in): more for liked, less
    for disliked, never negative."""
    r = np.asarray(ratings, dtype=np.float64)
    return np.maximum(1.0 + config.like_slope * (r - 3.5), 0.05)


def level(ratings: np.ndarray, centre: float, config: WatchConfig) -> float:
    """A person's own level: their mean rating with level_prior pseudo-ratings at `centre`."""
    r = np.asarray(ratings, dtype=np.float64)
    return float((r.sum() + config.level_prior * centre) / max(r.size + config.level_prior, 1e-9))


def evidence(ratings: np.ndarray, centre: float, config: WatchConfig) -> np.ndarray:
    """Co-watching evidence of each rating: `rating_weight` less `dislike_slope` per star
    below the person's level."""
    r = np.asarray(ratings, dtype=np.float64)
    below = np.maximum(level(r, centre, config) - r, 0.0)
    return rating_weight(r, config) - config.dislike_slope * below


class WatchModel:
    """Item-to-item weights over a subset of items (`items` = their global indices): the
    co-watching `weights` and, when trained, the co-disliking `dislikes` (same shape)."""

    def __init__(
        self,
        items: np.ndarray,
        weights: np.ndarray,
        n_items: int,
        config: WatchConfig,
        dislikes: np.ndarray | None = None,
    ) -> None:
        self.items = np.asarray(items, dtype=np.int64)
        self.weights = np.asarray(weights, dtype=np.float32)
        self.dislikes = None if dislikes is None else np.asarray(dislikes, dtype=np.float32)
        self.n_items = n_items
        self.config = config
        self._local = np.full(n_items, -1, dtype=np.int64)
        self._local[self.items] = np.arange(self.items.size)
        nearest = min(REASON_NEIGHBOURS, self.items.size)
        self._explains = (
            np.partition(self.weights, -nearest, axis=1)[:, -nearest]
            if nearest
            else np.zeros(0, dtype=np.float32)
        )
        """Per covered item, the smallest co-watching weight of its REASON_NEIGHBOURS."""

    def fold_in(
        self, idx: np.ndarray, ratings: np.ndarray, centre: float
    ) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]] | None:
        """Scores for every item (-inf outside the model) for a person who rated items `idx`
        (`ratings`, stars; `centre` is the training mean rating), and contributions(top):
        for m item indices in the model, the (m, len(idx)) share of each one's score owed
        to each rated item (0 for rated items outside the model, and for a target not among
        the rated item's REASON_NEIGHBOURS: it does not explain it). None when none of the
        rated items is in the model."""
        local = self._local[idx]
        inside = np.flatnonzero(local >= 0)
        if inside.size == 0:
            return None
        r = np.asarray(ratings, dtype=np.float64)
        w = evidence(r, centre, self.config)[inside].astype(np.float32)
        rows = self.weights[local[inside]]
        scores = np.full(self.n_items, -np.inf)
        scores[self.items] = w @ rows
        against = np.empty(0, dtype=np.int64)
        dislike_rows = None
        if self.dislikes is not None and self.config.dislike_weight:
            cut = level(r, centre, self.config) - self.config.dislike_gap
            against = np.flatnonzero(r[inside] <= cut)
            if against.size:
                dislike_rows = self.config.dislike_weight * self.dislikes[local[inside][against]]
                scores[self.items] -= dislike_rows.sum(axis=0)

        def contributions(top: np.ndarray) -> np.ndarray:
            columns = self._local[top]
            near = rows[:, columns] >= self._explains[local[inside]][:, None]
            out = np.zeros((top.size, idx.size))
            out[:, inside] = (np.where(near, rows[:, columns], 0.0) * w[:, None]).T
            if dislike_rows is not None:
                out[:, inside[against]] -= dislike_rows[:, columns].T
            return out

        return scores, contributions

    def population(
        self, n: int, item_count: np.ndarray, item_mean: np.ndarray, n_users: int
    ) -> np.ndarray:
        """The average person's part of the score of a person with `n` ratings
        (popularity_weight), from the training ratings' per-item count and mean."""
        weight = self.config.popularity_weight * self.config.level_prior
        weight /= max(self.config.level_prior + n, 1e-9)
        row = np.zeros(self.n_items)
        if weight and n_users:
            share = item_count[self.items] / n_users
            row[self.items] = share * rating_weight(item_mean[self.items], self.config)
        return weight * row

    def dismissal(self, dismissed: np.ndarray) -> np.ndarray:
        """What marking items `dismissed` "not interested" takes off every item's score:
        dismissed_weight times the sum of their co-watching rows (0 outside the model)."""
        away = self._local[dismissed]
        away = away[away >= 0]
        out = np.zeros(self.n_items)
        if away.size:
            out[self.items] = self.config.dismissed_weight * self.weights[away].sum(axis=0)
        return out

    def configured(self, config: WatchConfig) -> WatchModel:
        """The same weights folding in with `config` (a copy; the weights are shared)."""
        return WatchModel(self.items, self.weights, self.n_items, config, self.dislikes)

    def similar_scores(self, item: int) -> np.ndarray | None:
        """How strongly rating `item` predicts rating each other item (-inf outside)."""
        local = self._local[item]
        if local < 0:
            return None
        scores = np.full(self.n_items, -np.inf)
        scores[self.items] = self.weights[local]
        return scores

    def to_tensors(self) -> dict[str, torch.Tensor]:
        tensors = {
            ITEMS_KEY: torch.from_numpy(self.items.copy()),
            WEIGHTS_KEY: torch.from_numpy(self.weights.copy()),
        }
        if self.dislikes is not None:
            tensors[DISLIKES_KEY] = torch.from_numpy(self.dislikes.copy())
        return tensors

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
    P = (W^T W + l2 I)^-1 and W the rating-weighted user x item matrix (zero diagonal);
    the dislike model the same way over the 0/1 matrix of dislikes (dislike_l2)."""
    count = np.bincount(items, minlength=n_items)
    eligible = np.flatnonzero(count >= config.min_support)
    chosen = eligible[np.argsort(-count[eligible], kind="stable")[: config.max_items]]
    chosen = np.sort(chosen)
    local = np.full(n_items, -1, dtype=np.int64)
    local[chosen] = np.arange(chosen.size)
    keep = local[items] >= 0
    rows, columns = torch.as_tensor(users[keep]), torch.as_tensor(local[items[keep]])
    w = torch.zeros(n_users, chosen.size, dtype=torch.float64)
    w[rows, columns] = torch.as_tensor(rating_weight(ratings[keep], config))
    weights = _ease(w, config.l2)
    dislikes = None
    if config.dislike_l2 > 0:
        disliked = torch.as_tensor(_disliked(users, ratings, n_users, config)[keep])
        # float32: a 0/1 matrix with a large ridge is well conditioned, and the second solve
        # then adds about half a second instead of one to `recsys train` (measured).
        d = torch.zeros(n_users, chosen.size, dtype=torch.float32)
        d[rows[disliked], columns[disliked]] = 1.0
        dislikes = _ease(d, config.dislike_l2)
    return WatchModel(chosen, weights, n_items, config, dislikes)


def _ease(x: torch.Tensor, l2: float) -> np.ndarray:
    """EASE's closed form for the (users x items) matrix x, as float32 numpy."""
    gram = x.T @ x
    gram.diagonal().add_(l2)
    p = torch.cholesky_inverse(torch.linalg.cholesky(gram))
    b = -p / p.diagonal()[None, :]
    b.diagonal().zero_()
    return b.numpy().astype(np.float32)


def _disliked(
    users: np.ndarray, ratings: np.ndarray, n_users: int, config: WatchConfig
) -> np.ndarray:
    """Whether each rating is a dislike: dislike_gap below its user's level (`level`, with
    the training mean as centre)."""
    r = np.asarray(ratings, dtype=np.float64)
    count = np.bincount(users, minlength=n_users)
    sums = np.bincount(users, weights=r, minlength=n_users)
    centre = float(r.mean()) if r.size else 0.0
    levels = (sums + config.level_prior * centre) / np.maximum(count + config.level_prior, 1e-9)
    return r <= levels[users] - config.dislike_gap
