"""Most-popular ranking: the answer for a person with no ratings, and when no model exists."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from recsys.catalogue import Catalogue
from recsys.ids import IdMap
from recsys.interface import Recommender
from recsys.results import MAX_RATING, MIN_RATING, ModelInfo, Recommendations
from recsys.selection import check_k, genre_matrix

PRIOR_WEIGHT = 5.0
"""Pseudo-ratings at the global mean mixed into each movie's mean (a Bayesian average),
so that a movie rated 5 by one person does not show "5.0"."""
NO_RATINGS_MEAN = 3.5
"""The global mean assumed when there are no ratings at all."""
POPULARITY_KIND = "popularity"
"""`ModelInfo.kind` of the popularity fallback."""


def mean_rating(item_count: np.ndarray, item_mean: np.ndarray) -> float:
    """The global mean rating from per-movie counts and means (NO_RATINGS_MEAN if none)."""
    count = np.asarray(item_count, dtype=np.float64)
    total = count.sum()
    return float((item_mean * count).sum() / total) if total else NO_RATINGS_MEAN


def shrunk_means(item_count: np.ndarray, item_mean: np.ndarray) -> np.ndarray:
    """Each movie's mean pulled towards the global mean by PRIOR_WEIGHT pseudo-ratings."""
    count = np.asarray(item_count, dtype=np.float64)
    global_mean = mean_rating(count, item_mean)
    return (item_mean * count + global_mean * PRIOR_WEIGHT) / (count + PRIOR_WEIGHT)


class PopularityRecommender(Recommender):
    """Recommends the most-rated movies; used when no trained model is available.

    Its predicted rating of a movie is the movie's shrunk mean (whoever asks), the same
    number its recommendations show; a movie without training ratings gets the global mean.
    It has no similar movies and no artifact form: the bot rebuilds it from its ratings.
    """

    def __init__(
        self,
        items: IdMap,
        item_count: np.ndarray,
        item_mean: np.ndarray,
        item_genres: np.ndarray,
        genre_names: list[str],
        *,
        info: ModelInfo | None = None,
    ) -> None:
        self.items = items
        self.item_count = np.asarray(item_count, dtype=np.int64)
        self.item_mean = np.asarray(item_mean, dtype=np.float64)
        self.genre_names = list(genre_names)
        self._catalogue = Catalogue(
            items, self.item_count, self.item_mean, item_genres, self.genre_names
        )
        self._display = shrunk_means(self.item_count, self.item_mean)
        self._global_mean = mean_rating(self.item_count, self.item_mean)
        self.info = info or ModelInfo(
            version="",
            kind=POPULARITY_KIND,
            created_at="",
            n_ratings=int(self.item_count.sum()),
            n_users=0,
            n_movies=int((self.item_count > 0).sum()),
        )

    @classmethod
    def from_ratings(
        cls, ratings: pd.DataFrame, movies: pd.DataFrame | None = None
    ) -> PopularityRecommender:
        """From a ratings frame (userId, movieId, rating) and optionally movies (for genres).

        Movies listed in `movies` but never rated are known (count 0) and ranked last.
        """
        ids = ratings["movieId"].to_numpy(dtype=np.int64)
        if movies is not None:
            ids = np.concatenate([ids, movies["movieId"].to_numpy(dtype=np.int64)])
        items = IdMap.from_values(ids)
        idx = items.index(ratings["movieId"].to_numpy(dtype=np.int64))
        values = ratings["rating"].to_numpy(dtype=np.float64)
        count = np.bincount(idx, minlength=len(items))
        sums = np.bincount(idx, weights=values, minlength=len(items))
        mean = np.divide(sums, count, out=np.zeros(len(items)), where=count > 0)
        by_movie = {}
        if movies is not None:
            by_movie = dict(zip(movies["movieId"].astype(int), movies["genres"], strict=True))
        genres, names = genre_matrix(items.ids, by_movie)
        info = ModelInfo(
            version="",
            kind=POPULARITY_KIND,
            created_at="",
            n_ratings=len(ratings),
            n_users=int(ratings["userId"].nunique()),
            n_movies=int((count > 0).sum()),
        )
        return cls(items, count, mean, genres, names, info=info)

    def knows_movie(self, movie_id: int) -> bool:
        return self._catalogue.knows(movie_id)

    def genres(self) -> list[str]:
        return list(self.genre_names)

    def recommend(
        self,
        ratings: Mapping[int, float],
        k: int = 10,
        *,
        exclude: Iterable[int] = (),
        genres: Iterable[str] | None = None,
        exclude_genres: Iterable[str] | None = None,
        dismissed: Iterable[int] = (),
    ) -> Recommendations:
        """The k most popular movies not in `ratings`, `exclude` or `dismissed` (path is
        always "popular": popularity takes no evidence from what was dismissed)."""
        check_k(k)
        rated = self.items.index(np.fromiter((int(m) for m in ratings), dtype=np.int64))
        ignored = int((rated < 0).sum())
        blocked = [*exclude, *dismissed]
        allowed = self._catalogue.allowed(rated, blocked, genres, exclude_genres)
        items = self._catalogue.popular(allowed, k, self._display)
        return Recommendations("popular", items, ignored)

    def predict(self, user_ids: Iterable[int], movie_ids: Iterable[int]) -> np.ndarray:
        """Each movie's shrunk mean, whoever the user; the global mean for a movie without
        training ratings (unknown, or known from the movies list only)."""
        n_users = len(list(user_ids))
        idx = self.items.index(np.asarray(list(movie_ids), dtype=np.int64))
        if idx.shape != (n_users,):
            raise ValueError("user_ids and movie_ids must have the same length")
        return self._shown(idx)

    def predict_for(self, ratings: Mapping[int, float], movie_ids: Iterable[int]) -> np.ndarray:
        """Each movie's shrunk mean (what the popularity list shows), whatever the person
        rated; the global mean for a movie without training ratings."""
        return self._shown(self.items.index(np.fromiter((int(m) for m in movie_ids), np.int64)))

    def _shown(self, idx: np.ndarray) -> np.ndarray:
        rated = idx >= 0
        rated[rated] = self.item_count[idx[rated]] > 0
        out = np.full(idx.shape, self._global_mean, dtype=np.float64)
        out[rated] = self._display[idx[rated]]
        return np.clip(out, MIN_RATING, MAX_RATING)

    def similar(
        self, movie_id: int, k: int = 10, *, exclude: Iterable[int] = ()
    ) -> list[tuple[int, float]]:
        """Always []: popularity knows nothing about how movies relate."""
        return []
