"""The training ratings an artifact keeps (``recsys recommend --users`` serves its users from
them), in a compact form: 6 bytes a rating instead of 20.

Rows are grouped by user, as in a CSR matrix: ``userId`` (each user once, sorted),
``offsets`` (where each user's rows start; one more than there are users), ``movies`` (each
movie id once, sorted), ``movie`` (int32 index into ``movies`` per rating) and ``rating``
(float16, exact for every half star). At 10 M ratings that is 60 MB instead of 200 MB.
Format-1 artifacts stored one row per rating (``userId``, ``movieId``, ``rating``); `unpack`
still reads that form.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

COMPACT_KEYS = frozenset({"userId", "offsets", "movies", "movie", "rating"})
ROW_KEYS = frozenset({"userId", "movieId", "rating"})


def pack(training: pd.DataFrame) -> dict[str, np.ndarray]:
    """The compact arrays of a (userId, movieId, rating) table."""
    users = training["userId"].to_numpy(dtype=np.int64)
    movie_ids = training["movieId"].to_numpy(dtype=np.int64)
    order = np.lexsort((movie_ids, users))
    user_ids, counts = np.unique(users[order], return_counts=True)
    movies, movie = np.unique(movie_ids[order], return_inverse=True)
    return {
        "userId": user_ids,
        "offsets": np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        "movies": movies,
        "movie": movie.astype(np.int32),
        "rating": training["rating"].to_numpy(dtype=np.float32)[order].astype(np.float16),
    }


def unpack(arrays: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """(userId, movieId, rating) rows from either stored form; ValueError when the arrays
    are neither or do not fit together."""
    if set(arrays) == ROW_KEYS:
        rows = {name: np.asarray(arrays[name]) for name in ROW_KEYS}
        return _frame(rows["userId"], rows["movieId"], rows["rating"])
    if set(arrays) != COMPACT_KEYS:
        raise ValueError(f"expected arrays {sorted(COMPACT_KEYS)}, got {sorted(arrays)}")
    users, offsets, movies, movie, rating = (
        np.asarray(arrays[k]) for k in ("userId", "offsets", "movies", "movie", "rating")
    )
    n = movie.size
    if (
        offsets.shape != (users.size + 1,)
        or rating.shape != (n,)
        or (offsets.size and (offsets[0] != 0 or offsets[-1] != n))
        or np.any(np.diff(offsets) < 0)
        or (n and (movie.min() < 0 or movie.max() >= movies.size))
    ):
        raise ValueError("offsets, movie and rating arrays do not fit together")
    return _frame(np.repeat(users, np.diff(offsets)), movies[movie], rating)


def user_ids(arrays: Mapping[str, np.ndarray]) -> np.ndarray:
    """Every user id in either stored form (int64, possibly repeated in the row form)."""
    return np.asarray(arrays["userId"], dtype=np.int64)


def _frame(users: np.ndarray, movies: np.ndarray, ratings: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "userId": users.astype(np.int64),
            "movieId": movies.astype(np.int64),
            "rating": ratings.astype(np.float32),
        }
    )
