"""Settings of the ranking ("will this person watch and like it") models and the evidence
they share: how much a rating counts, a person's own level, which ratings are dislikes,
and the average person's part of a score. Both ranking models (recsys.watch's EASE and
recsys.implicit_mf's iALS) read the same `WatchConfig`, so a TRAIN_CONFIG or an artifact's
meta "watch" works for either; fields added later have defaults, so older artifacts load.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

ITEMS_KEY = "watch.items"
"""Artifact array of the covered items' indices (both ranking models)."""
WEIGHTS_KEY = "watch.weights"
DISLIKES_KEY = "watch.dislikes"
FACTORS_KEY = "watch.item_factors"
"""EASE's co-watching and co-disliking weights; iALS's item factors."""
RANKERS = ("auto", "ease", "ials")
"""WatchConfig.ranker values: "auto" trains EASE when the eligible catalogue fits in
`max_items` and iALS over all of it otherwise."""


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
    """The EASE limit: at most this many of the most-rated movies. EASE holds an items x
    items float64 Gram matrix and its inverse, 2 * 8 * 4000^2 bytes = 256 MB at 4000 (and
    a cubic solve, seconds); with ranker "auto" a larger eligible catalogue trains iALS."""
    dislike_gap: float = 1.0
    """A rating at least this many stars below the person's level is a dislike (training
    the dislike model and folding in)."""
    dislike_l2: float = 50.0
    """Ridge penalty of the dislike model's regression; 0 trains no dislike model."""
    dislike_weight: float = 1.0
    """Fold-in only: how much each dislike's row of the dislike model is subtracted (iALS:
    scales each dislike's extra confidence, dislike_alpha)."""
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
    ranker: str = "auto"
    """"ease", "ials", or "auto": EASE when the movies with >= min_support ratings number
    at most max_items (ml-latest-small: 2,269), iALS over all of them otherwise."""
    factors: int = 64
    """iALS: dimension of the item and user factors."""
    als_l2: float = 30.0
    """iALS: ridge penalty on every factor vector (not scaled by its number of ratings).
    ml-latest-small's temporal split, served NDCG@10 at alpha 2: 10 -> 0.105, 20 -> 0.112,
    30 -> 0.116, 60 -> 0.090 (alpha 1)."""
    alpha: float = 2.0
    """iALS: a watched movie's confidence is 1 + alpha * rating_weight (an unwatched one's
    is 1, towards preference 0). Same split, als_l2 30: alpha 1 -> 0.111, 2 -> 0.116,
    3 -> 0.113, 4 -> 0.111, 8 -> 0.104."""
    dislike_alpha: float = 1.0
    """iALS: a dislike is preference 0 with confidence 1 + dislike_alpha (times
    dislike_weight at fold-in): 0 treats it as unwatched, more pushes its look-alikes
    down. Same split: 0 -> 0.116, 1 -> 0.117; counting dislikes as watched (EASE's way)
    -> 0.107."""
    iterations: int = 10
    """iALS: alternating sweeps (each a conjugate-gradient step over users, then items).
    Same split, served NDCG@10: 4 -> 0.107, 6 -> 0.112, 8 -> 0.113, 10 -> 0.114,
    15 -> 0.115 (30 gave 0.120 for twice 15's time); a sweep took 0.9 s at 4 M ratings
    (2 cores), so 10 rather than 15 saves ~12 s at 10 M."""
    seed: int = 0
    """iALS: seed of the initial factors (the fit is deterministic given it)."""

    def __post_init__(self) -> None:
        # l2 <= 0 leaves the item-to-item solve singular; NaN poisons every weight.
        if not 0.0 < self.l2 < math.inf:
            raise ValueError(f"watch l2 must be a positive number, got {self.l2}")
        if not math.isfinite(self.like_slope):
            raise ValueError(f"like_slope must be a finite number, got {self.like_slope}")
        if self.min_support < 0 or self.max_items <= 0:
            raise ValueError("min_support must be 0 or more and max_items positive")
        if self.ranker not in RANKERS:
            raise ValueError(f"ranker must be one of {', '.join(RANKERS)}, got {self.ranker!r}")
        if self.factors <= 0 or self.iterations <= 0:
            raise ValueError("factors and iterations must be positive")
        if not 0.0 < self.als_l2 < math.inf:
            raise ValueError(f"als_l2 must be a positive number, got {self.als_l2}")
        for name in (
            "dislike_gap",
            "dislike_l2",
            "dislike_weight",
            "dislike_slope",
            "level_prior",
            "popularity_weight",
            "dismissed_weight",
            "alpha",
            "dislike_alpha",
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


def disliked(
    users: np.ndarray, ratings: np.ndarray, n_users: int, config: WatchConfig
) -> np.ndarray:
    """Whether each training rating is a dislike: dislike_gap below its user's level
    (`level`, with the training mean as centre)."""
    r = np.asarray(ratings, dtype=np.float64)
    count = np.bincount(users, minlength=n_users)
    sums = np.bincount(users, weights=r, minlength=n_users)
    centre = float(r.mean()) if r.size else 0.0
    levels = (sums + config.level_prior * centre) / np.maximum(count + config.level_prior, 1e-9)
    return r <= levels[users] - config.dislike_gap


def population_row(
    covered: np.ndarray,
    n_items: int,
    n: int,
    item_count: np.ndarray,
    item_mean: np.ndarray,
    n_users: int,
    config: WatchConfig,
) -> np.ndarray:
    """The average person's part of the score of a person with `n` ratings over the
    `covered` items (popularity_weight), from the training ratings' per-item count and mean."""
    weight = config.popularity_weight * config.level_prior
    weight /= max(config.level_prior + n, 1e-9)
    row = np.zeros(n_items)
    if weight and n_users:
        share = item_count[covered] / n_users
        row[covered] = share * rating_weight(item_mean[covered], config)
    return weight * row


def covered_indices(value: np.ndarray, n_items: int, key: str) -> np.ndarray:
    """A stored array of covered item indices, checked (ValueError naming `key`): one
    dimension, strictly increasing, inside 0..n_items-1."""
    covered = np.asarray(value)
    if covered.ndim != 1:
        raise ValueError(f"tensor {key!r} must be one-dimensional, got shape {covered.shape}")
    if covered.size and not np.issubdtype(covered.dtype, np.integer):
        raise ValueError(f"tensor {key!r} must hold integers, got {covered.dtype}")
    covered = covered.astype(np.int64)
    if covered.size and (covered[0] < 0 or covered[-1] >= n_items):
        raise ValueError(f"tensor {key!r} holds item indices outside 0..{n_items - 1}")
    if covered.size > 1 and not (np.diff(covered) > 0).all():
        raise ValueError(f"tensor {key!r} must be strictly increasing")
    return covered


def check_shape(arrays: Mapping[str, Any], key: str, shape: tuple[int, ...]) -> np.ndarray:
    """arrays[key] as a numpy array of exactly `shape` (ValueError naming the key)."""
    if key not in arrays:
        raise ValueError(f"tensor {key!r} is missing")
    value = np.asarray(arrays[key])
    if value.shape != shape:
        raise ValueError(f"tensor {key!r} has shape {tuple(value.shape)}, expected {shape}")
    if not np.isfinite(value).all():
        raise ValueError(f"tensor {key!r} holds non-finite values")
    return value
