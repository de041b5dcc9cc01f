"""Recommending for a group watching together: least misery over the members' predictions.

A movie night is as good as its least happy viewer, so a movie ranks by the lowest rating any
member is predicted to give it (Masthoff's "least misery"; averaging would let one person's
5 stars outvote another's 2). Candidates are each member's own top picks, so every movie on
the list is one the model really recommends to someone, and each member's predictions come
from the same fold-in the member's own list uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from recsys.interface import Recommender
from recsys.results import half_stars

POOL = 30
"""Each member's own top picks that become candidates for the group."""
FLOOR = 3.0
"""A movie the least happy member is predicted to rate below this is not shown (as in a
personal list: nothing the bot itself predicts someone will dislike)."""


@dataclass(frozen=True)
class GroupPick:
    """One movie for the group: `stars` is the lowest member's predicted rating in half
    stars (what ranks it), `member_stars` each member's, in the order the members came."""

    movie_id: int
    stars: float
    member_stars: tuple[float, ...]


def least_misery(
    model: Recommender,
    members: Sequence[Mapping[int, float]],
    k: int = 10,
    *,
    exclude: Iterable[int] = (),
    genres: Iterable[str] | None = None,
    pool: int = POOL,
    floor: float = FLOOR,
) -> list[GroupPick]:
    """Up to k movies for a group whose members rated `members` ({movieId: stars} each).

    Never a movie any member rated, nor one in `exclude` (what any of them hid); with
    `genres`, only movies of at least one of them (a ValueError for an unknown one). Ordered by
    the lowest member's prediction in half stars, then by the members' mean prediction; a
    movie whose lowest prediction is below `floor` is left out, so the list may be short.
    """
    if k <= 0 or not members:
        return []
    excluded = set(exclude).union(*(set(rated) for rated in members))
    wanted = list(genres) if genres is not None else None
    picks = (model.recommend(rated, pool, exclude=excluded, genres=wanted) for rated in members)
    candidates = list(dict.fromkeys(r.movie_id for found in picks for r in found.items))
    if not candidates:
        return []
    predicted = np.stack([model.predict_for(rated, candidates) for rated in members])
    lowest = half_stars(predicted.min(axis=0))
    mean = predicted.mean(axis=0)
    order = sorted(
        (i for i in range(len(candidates)) if lowest[i] >= floor),
        key=lambda i: (-lowest[i], -mean[i], candidates[i]),
    )
    return [
        GroupPick(
            candidates[i],
            float(lowest[i]),
            tuple(float(half_stars(p)) for p in predicted[:, i]),
        )
        for i in order[:k]
    ]
