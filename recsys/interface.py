"""The one recommender interface: what the bot, the CLI and the evaluation call, whichever
model serves (a trained one, recsys.trained, or the popularity fallback, recsys.popularity).

Ids are external MovieLens/Telegram ids throughout; mapping them to indices is each
implementation's business. The contract, checked for every implementation by
tests/recsys/test_contract.py:

- an unknown person (no known rated movie) gets the popularity ranking (path "popular");
  unknown movie ids are ignored and counted, never an exception;
- rated and excluded movies are never recommended; genre filters are honoured and an
  unknown genre name is a ValueError, as is a negative k;
- the reason for a personal recommendation is `Recommendation.because`: the person's
  (movieId, rating) that contributed most (None on the popularity path);
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
    ) -> Recommendations:
        """Top-k movies for a person from their {movieId: rating}, best first.

        Never one in `ratings` or `exclude` (movie ids); with `genres`, only movies of at
        least one of them; with `exclude_genres`, none of them (names match case-blind).
        """

    @abstractmethod
    def predict(self, user_ids: Iterable[int], movie_ids: Iterable[int]) -> np.ndarray:
        """Predicted ratings (0.5-5, float64) of equally long user and movie id sequences."""

    @abstractmethod
    def similar(self, movie_id: int, k: int = 10) -> list[tuple[int, float]]:
        """Up to k (movieId, similarity) most like `movie_id`, best first; [] when unknown."""

    @abstractmethod
    def genres(self) -> list[str]:
        """The genre names the filters of `recommend` accept."""

    @abstractmethod
    def knows_movie(self, movie_id: int) -> bool:
        """Whether `movie_id` is in the catalogue this recommender ranks."""
