"""External MovieLens/Telegram ids <-> dense embedding indices, in exactly one place.

Maps are built from the training data only and applied to every other split. An id the
training data never saw maps to -1 and is counted, never folded onto some other row: the
seed notebook encoded its validation set with a second mapping, which silently paired
validation ratings with the wrong embeddings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

UNKNOWN = -1


@dataclass(frozen=True)
class IdMap:
    """Sorted unique external ids; an id's dense index is its position."""

    ids: np.ndarray

    def __post_init__(self) -> None:
        ids = np.asarray(self.ids, dtype=np.int64)
        if ids.ndim != 1:
            raise ValueError(f"IdMap ids must be one-dimensional, got shape {ids.shape}")
        if ids.size > 1 and not np.all(ids[1:] > ids[:-1]):
            raise ValueError("IdMap ids must be strictly increasing (sorted and unique)")
        object.__setattr__(self, "ids", ids)

    @classmethod
    def from_values(cls, values: Iterable[int] | np.ndarray | pd.Series) -> IdMap:
        """Builds a map from any ids (duplicates allowed) seen in the training data."""
        return cls(np.unique(np.asarray(values, dtype=np.int64)))

    def __len__(self) -> int:
        return int(self.ids.size)

    def __contains__(self, external_id: object) -> bool:
        try:
            return self.index_of(external_id) is not None  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            return False

    def index(self, external_ids: Iterable[int] | np.ndarray | pd.Series) -> np.ndarray:
        """Dense indices (int64) for external ids; UNKNOWN (-1) where the id is not in the map.

        A float that is not a whole number (1.5, NaN) is unknown: casting would truncate it
        onto another id (1.5 -> 1), the very mis-mapping this module exists to prevent.
        """
        values = np.asarray(external_ids)
        if values.dtype.kind == "f":
            whole = np.isfinite(values) & (np.floor(values) == values) & (np.abs(values) < 2**63)
            found = self.index(np.where(whole, values, 0).astype(np.int64))
            return np.where(whole, found, UNKNOWN).astype(np.int64)
        values = values.astype(np.int64, copy=False)
        if self.ids.size == 0:
            return np.full(values.shape, UNKNOWN, dtype=np.int64)
        pos = np.searchsorted(self.ids, values)
        pos_clipped = np.minimum(pos, self.ids.size - 1)
        found = self.ids[pos_clipped] == values
        return np.where(found, pos_clipped, UNKNOWN).astype(np.int64)

    def index_of(self, external_id: int) -> int | None:
        """Dense index of one id, or None when unknown."""
        idx = int(self.index(np.array([external_id]))[0])
        return None if idx == UNKNOWN else idx

    def external(self, indices: np.ndarray | Iterable[int]) -> np.ndarray:
        """External ids for dense indices (which must be in range)."""
        return self.ids[np.asarray(indices, dtype=np.int64)]


@dataclass(frozen=True)
class EncodedRatings:
    """Ratings as dense index arrays plus what was dropped because the ids were unknown.

    `unknown_users`/`unknown_movies` count rows whose user / movie id the map lacks (a row
    with both unknown counts in both); `dropped` counts rows removed for either reason.
    """

    users: np.ndarray
    items: np.ndarray
    ratings: np.ndarray
    unknown_users: int
    unknown_movies: int
    dropped: int

    def __len__(self) -> int:
        return int(self.users.size)


def encode_ratings(ratings: pd.DataFrame, users: IdMap, items: IdMap) -> EncodedRatings:
    """Applies training id maps to a ratings frame (userId, movieId, rating).

    Rows with an unknown user or movie are dropped and counted, never mis-mapped.
    """
    user_idx = users.index(ratings["userId"].to_numpy())
    item_idx = items.index(ratings["movieId"].to_numpy())
    user_known = user_idx != UNKNOWN
    item_known = item_idx != UNKNOWN
    keep = user_known & item_known
    return EncodedRatings(
        users=user_idx[keep],
        items=item_idx[keep],
        ratings=ratings["rating"].to_numpy(dtype=np.float32)[keep],
        unknown_users=int((~user_known).sum()),
        unknown_movies=int((~item_known).sum()),
        dropped=int((~keep).sum()),
    )
