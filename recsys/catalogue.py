"""What every recommender knows about the movies, and the code they share on top of it:
which movies may be recommended, and the popularity ranking (the answer for a person none
of whose rated movies is known)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from recsys.ids import IdMap
from recsys.results import Recommendation, half_stars
from recsys.selection import Candidates


def popularity_order(item_count: np.ndarray, item_mean: np.ndarray) -> np.ndarray:
    """Item indices by number of ratings, most first; ties by higher mean rating."""
    return np.lexsort((-np.asarray(item_mean), -np.asarray(item_count)))


class Catalogue:
    """Movies (`items`, dense index = position) with their training rating count and mean
    and a multi-hot genre matrix (items x genres, columns named by `genre_names`)."""

    def __init__(
        self,
        items: IdMap,
        item_count: np.ndarray,
        item_mean: np.ndarray,
        item_genres: np.ndarray,
        genre_names: list[str],
    ) -> None:
        self.items = items
        self.item_count = item_count
        self.genre_names = list(genre_names)
        self._candidates = Candidates(item_genres, self.genre_names)
        self._popular = popularity_order(item_count, item_mean)

    def knows(self, movie_id: int) -> bool:
        return movie_id in self.items

    def allowed(
        self,
        rated: np.ndarray,
        exclude: Iterable[int],
        genres: Iterable[str] | None,
        exclude_genres: Iterable[str] | None,
    ) -> np.ndarray:
        """True for items that may be recommended: not among `rated` (item indices, -1 for
        unknown movies is ignored) nor `exclude` (movie ids), and passing the genre filters
        (ValueError for an unknown genre name)."""
        seen = self.items.index(np.fromiter((int(m) for m in exclude), dtype=np.int64))
        blocked = np.concatenate([rated, seen])
        return self._candidates.mask(genres, exclude_genres, blocked[blocked >= 0])

    def popular(self, allowed: np.ndarray, k: int, shown: np.ndarray) -> list[Recommendation]:
        """The k most-rated allowed movies; `shown` (per item) is the predicted rating shown,
        the number of ratings is the score, and there is no reason."""
        order = self._popular[allowed[self._popular]][:k]
        return [
            Recommendation(
                movie_id=int(self.items.ids[j]),
                predicted_rating=half_stars(float(shown[j])),
                score=float(self.item_count[j]),
                because=None,
            )
            for j in order
        ]
