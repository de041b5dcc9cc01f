"""The plain data a recommender hands back: model info, one recommendation, a list of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

MIN_RATING, MAX_RATING = 0.5, 5.0


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
    """One recommended movie. `predicted_rating` is the rating model's estimate (0.5-5);
    `score` is what the list is ordered by; `because` is the person's (movieId, rating)
    that contributed most, None on the popularity path."""

    movie_id: int
    predicted_rating: float
    score: float
    because: tuple[int, float] | None


@dataclass(frozen=True)
class Recommendations:
    """`path` says whether the list is personal (fold-in) or the popularity fallback."""

    path: Literal["personal", "popular"]
    items: list[Recommendation]
    ignored_movies: int
