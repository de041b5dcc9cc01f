"""Which movies may be recommended: genre include/exclude and already-seen filters."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


class Candidates:
    """Builds boolean masks over items from a multi-hot genre matrix (items x genres)."""

    def __init__(self, item_genres: np.ndarray, genre_names: list[str]) -> None:
        self.item_genres = np.asarray(item_genres, dtype=bool)
        self._column = {name.casefold(): j for j, name in enumerate(genre_names)}

    def _columns(self, names: Iterable[str]) -> list[int]:
        columns = []
        for name in names:
            column = self._column.get(str(name).casefold())
            if column is None:
                known = ", ".join(sorted(self._column)) or "none"
                raise ValueError(f"unknown genre {name!r}; known genres: {known}")
            columns.append(column)
        return columns

    def mask(
        self,
        genres: Iterable[str] | None,
        exclude_genres: Iterable[str] | None,
        blocked: np.ndarray,
    ) -> np.ndarray:
        """True for items allowed: any of `genres` (when given), none of `exclude_genres`,
        and not among the `blocked` item indices."""
        n_items = self.item_genres.shape[0]
        allowed = np.ones(n_items, dtype=bool)
        if genres is not None:
            columns = self._columns(genres)
            if columns:
                allowed &= self.item_genres[:, columns].any(axis=1)
        if exclude_genres is not None:
            columns = self._columns(exclude_genres)
            if columns:
                allowed &= ~self.item_genres[:, columns].any(axis=1)
        allowed[np.asarray(blocked, dtype=np.int64)] = False
        return allowed


def genre_matrix(
    movie_ids: np.ndarray, movies_genres: dict[int, list[str]]
) -> tuple[np.ndarray, list[str]]:
    """Multi-hot (items x genres) for `movie_ids` in index order, and the sorted vocabulary."""
    names = sorted({g for gs in movies_genres.values() for g in gs})
    column = {g: j for j, g in enumerate(names)}
    matrix = np.zeros((len(movie_ids), len(names)), dtype=bool)
    for row, movie_id in enumerate(movie_ids):
        for g in movies_genres.get(int(movie_id), ()):
            matrix[row, column[g]] = True
    return matrix, names


def check_k(k: int) -> int:
    """A list length; negative is refused, since a slice [:k] would cut from the end instead."""
    if k < 0:
        raise ValueError(f"k must be 0 or more, got {k}")
    return k


def top_k(score: np.ndarray, allowed: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k highest scores among allowed, best first."""
    candidates = np.flatnonzero(allowed)
    if candidates.size == 0 or k <= 0:
        return np.empty(0, dtype=np.int64)
    sub = score[candidates]
    part = np.argpartition(-sub, k - 1)[:k] if candidates.size > k else np.arange(sub.size)
    return candidates[part[np.argsort(-sub[part], kind="stable")]]
