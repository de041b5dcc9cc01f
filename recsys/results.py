"""The plain data a recommender hands back: model info, one recommendation, a list of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import numpy as np

MIN_RATING, MAX_RATING = 0.5, 5.0
Stars = TypeVar("Stars", float, np.ndarray)
LIKED_RATING = 3.5
"""A personal recommendation's reason is a movie the person rated at least this."""


def half_stars(rating: Stars) -> Stars:
    """A predicted rating on the scale people rate on: the nearest half star, 0.5-5 (4.24 ->
    4.0, 4.26 -> 4.5). What every list and card shows, and what a personal list is ordered
    by. Tenths would be false precision (held-out RMSE ~0.82 stars); on the notebook split,
    ordering the chosen movies by half stars (then by ranking score) instead of by tenths
    raised NDCG@10 from 0.311 to 0.321 (benchmarks/variants.py)."""
    shown = np.clip(
        np.floor(np.asarray(rating, dtype=np.float64) * 2 + 0.5) / 2, MIN_RATING, MAX_RATING
    )
    return shown if isinstance(rating, np.ndarray) else float(shown)


@dataclass(frozen=True)
class ModelInfo:
    """Where a model came from; `version` is the artifact directory name ("" before saving)."""

    version: str
    kind: str
    created_at: str
    n_ratings: int
    n_users: int
    n_movies: int
    metrics: dict[str, float] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Recommendation:
    """One recommended movie. `predicted_rating` is the rating model's estimate in half stars
    (`half_stars`, 0.5-5);
    `score` is how strongly the ranking chose it (on the popularity path, the number of
    ratings); `because` is the movie the person liked (rated >= LIKED_RATING) that
    contributed most, as (movieId, rating), None when no liked movie explains it and on
    the popularity path.

    A personal list is ordered by `predicted_rating` (never increasing down the list), then
    by `score`; the popularity list by `score`."""

    movie_id: int
    predicted_rating: float
    score: float
    because: tuple[int, float] | None


@dataclass(frozen=True)
class Recommendations:
    """`path` says whether the list is personal (fold-in) or the popularity fallback;
    `ignored_movies` counts rated movies the recommender does not know; `weak` is True when
    a personal list asked for by genre had to include movies predicted below the floor
    (ServeSettings.min_predicted), which then come last."""

    path: Literal["personal", "popular"]
    items: list[Recommendation]
    ignored_movies: int
    weak: bool = False
