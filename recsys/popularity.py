"""Most-popular ranking: the answer for a person with no ratings, and when no model exists."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from recsys.ids import IdMap
from recsys.results import MAX_RATING, MIN_RATING, Recommendation, Recommendations
from recsys.selection import Candidates, check_k, genre_matrix

PRIOR_WEIGHT = 5.0
"""Pseudo-ratings at the global mean mixed into each movie's mean (a Bayesian average),
so that a movie rated 5 by one person does not show "5.0"."""


def popularity_order(item_count: np.ndarray, item_mean: np.ndarray) -> np.ndarray:
    """Item indices by number of ratings, most first; ties by higher mean rating."""
    return np.lexsort((-np.asarray(item_mean), -np.asarray(item_count)))


def shrunk_means(item_count: np.ndarray, item_mean: np.ndarray) -> np.ndarray:
    """Each movie's mean pulled towards the global mean by PRIOR_WEIGHT pseudo-ratings."""
    count = np.asarray(item_count, dtype=np.float64)
    total = count.sum()
    global_mean = float((item_mean * count).sum() / total) if total else 3.5
    return (item_mean * count + global_mean * PRIOR_WEIGHT) / (count + PRIOR_WEIGHT)


class PopularityRecommender:
    """Recommends the most-rated movies; used when no trained model is available."""

    def __init__(
        self,
        items: IdMap,
        item_count: np.ndarray,
        item_mean: np.ndarray,
        item_genres: np.ndarray,
        genre_names: list[str],
    ) -> None:
        self.items = items
        self.item_count = np.asarray(item_count, dtype=np.int64)
        self.item_mean = np.asarray(item_mean, dtype=np.float64)
        self.genre_names = list(genre_names)
        self._candidates = Candidates(item_genres, genre_names)
        self._order = popularity_order(self.item_count, self.item_mean)
        self._display = shrunk_means(self.item_count, self.item_mean)

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
        return cls(items, count, mean, genres, names)

    def knows_movie(self, movie_id: int) -> bool:
        return movie_id in self.items

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
    ) -> Recommendations:
        """The k most popular movies not in `ratings`/`exclude` (path is always "popular")."""
        check_k(k)
        rated = self.items.index(np.fromiter((int(m) for m in ratings), dtype=np.int64))
        ignored = int((rated < 0).sum())
        seen = self.items.index(np.fromiter((int(m) for m in exclude), dtype=np.int64))
        blocked = np.concatenate([rated, seen])
        allowed = self._candidates.mask(genres, exclude_genres, blocked[blocked >= 0])
        order = self._order[allowed[self._order]][:k]
        items = [
            Recommendation(
                movie_id=int(self.items.ids[j]),
                predicted_rating=float(np.clip(self._display[j], MIN_RATING, MAX_RATING)),
                score=float(self.item_count[j]),
                because=None,
            )
            for j in order
        ]
        return Recommendations("popular", items, ignored)
