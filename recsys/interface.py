"""The one recommender interface: what the bot, the CLI and the evaluation call, whichever
model serves (a trained one, recsys.trained, or the popularity fallback, recsys.popularity).

Ids are external MovieLens/Telegram ids throughout; mapping them to indices is each
implementation's business. The contract, checked for every implementation by
tests/recsys/test_contract.py:

- an unknown person (no known rated movie) gets the popularity ranking (path "popular");
  unknown movie ids are ignored and counted, never an exception;
- rated, excluded and dismissed movies are never recommended; genre filters are honoured
  and an unknown genre name is a ValueError, as is a negative k;
- a personal list agrees with itself: its predicted ratings never increase down the list,
  none is below the recommender's floor (3 stars by default) unless the person asked for
  genres with too few movies above it (then `Recommendations.weak`), and the reason
  `Recommendation.because` is a movie the person rated >= LIKED_RATING (or None; always
  None on the popularity path);
- predictions are on the 0.5-5 star scale, with a documented fallback for unknown ids;
- the same data and seed give the same answers.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping

import numpy as np

from recsys.results import ModelInfo, Recommendations


class Recommender(ABC):
    """Recommends movies for a person's ratings and predicts ratings of (user, movie) pairs."""

    info: ModelInfo
    """Where the model came from. `version` is the artifact's name, "" when it was never
    saved (the popularity fallback, whose `kind` is "popularity", is never saved)."""

    @abstractmethod
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
        """Top-k movies for a person from their {movieId: rating}, best first.

        Never one in `ratings`, `exclude` or `dismissed` (movie ids); with `genres`, only
        movies of at least one of them; with `exclude_genres`, none of them (names match
        case-blind). `exclude` is no evidence of taste (e.g. the watchlist); `dismissed`
        ("not interested") is mild negative evidence against similar movies on the personal
        path, weaker than a low rating.
        """

    @abstractmethod
    def predict(self, user_ids: Iterable[int], movie_ids: Iterable[int]) -> np.ndarray:
        """Predicted ratings (0.5-5, float64) of equally long user and movie id sequences."""

    @abstractmethod
    def predict_for(self, ratings: Mapping[int, float], movie_ids: Iterable[int]) -> np.ndarray:
        """Predicted ratings (0.5-5, float64) of `movie_ids` for a person with `ratings`
        ({movieId: stars}), the same numbers `recommend` shows for them; a documented
        fallback for unknown movies and for a person with no known rating."""

    @abstractmethod
    def similar(
        self, movie_id: int, k: int = 10, *, exclude: Iterable[int] = ()
    ) -> list[tuple[int, float]]:
        """Up to k (movieId, similarity) most like `movie_id`, best first, never one in
        `exclude` (movie ids) nor `movie_id` itself; [] when unknown."""

    @abstractmethod
    def genres(self) -> list[str]:
        """The genre names the filters of `recommend` accept."""

    @abstractmethod
    def knows_movie(self, movie_id: int) -> bool:
        """Whether `movie_id` is in the catalogue this recommender ranks."""
