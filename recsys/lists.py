"""How a personal list is put together from per-movie scores and predicted ratings, so that
what is shown agrees with itself: the stars never rise down the list, nothing is shown that
the model predicts the person will dislike, and a reason is a movie the person liked.

Arrays are per item index (the recommender's dense indices); `allowed` already holds every
filter (rated, excluded, dismissed, genres, support).
"""

from __future__ import annotations

import numpy as np

from recsys.results import LIKED_RATING, half_stars
from recsys.selection import top_k


def choose(
    score: np.ndarray,
    predicted: np.ndarray,
    allowed: np.ndarray,
    k: int,
    *,
    floor: float,
    pool: int,
    fill: bool,
) -> tuple[np.ndarray, bool]:
    """The k item indices to show, by predicted rating in half stars (highest first, then by
    score), and whether the list had to take movies predicted below `floor`.

    The best max(pool, k) allowed movies predicted at least `floor`, by `score`, form the
    pool; in that order, the k of them that `best_in_order` picks are shown (with pool <= k:
    the top-k by score, ordered by stars). With `fill` (the person asked
    for genres), a list still short of k is filled with the best-predicted allowed movies
    below the floor; without it the list is shorter. `score` -inf: never chosen.
    """
    if k <= 0:
        return np.empty(0, dtype=np.int64), False
    reach = allowed & (predicted >= floor) & (score > -np.inf)
    candidates = top_k(score, reach, max(pool, k))
    shown = half_stars(predicted[candidates])
    candidates = candidates[np.lexsort((-score[candidates], -shown))]
    chosen = candidates[best_in_order(np.maximum(score[candidates], 0.0), k)]
    if not fill or chosen.size >= k:
        return chosen, False
    below = allowed & ~reach & (score > -np.inf)
    extra = top_k(predicted, below, k - chosen.size)
    return np.concatenate([chosen, extra]), extra.size > 0


def best_in_order(value: np.ndarray, k: int) -> np.ndarray:
    """Positions (increasing) of the k entries of `value`, kept in their order, that
    maximise sum(value * 1 / log2(rank + 2)): the list a ranking metric such as NDCG
    prefers when the order itself is fixed (here: by predicted rating). Dynamic
    programming over (entries seen, entries taken), O(len(value) * k); ties keep the
    earlier entries."""
    n = value.size
    if n <= k:
        return np.arange(n)
    discount = 1.0 / np.log2(np.arange(k) + 2.0)
    best = np.full(k + 1, -np.inf)
    best[0] = 0.0
    took = np.zeros((n, k + 1), dtype=bool)
    for i in range(n):
        taking = np.full(k + 1, -np.inf)
        taking[1:] = best[:-1] + value[i] * discount
        took[i] = taking > best
        best = np.where(took[i], taking, best)
    chosen, left = [], k
    for i in range(n - 1, -1, -1):
        if left and took[i, left]:
            chosen.append(i)
            left -= 1
    return np.array(chosen[::-1], dtype=np.int64)


def reasons(contributions: np.ndarray, values: np.ndarray) -> list[int | None]:
    """For each row of `contributions` ((m, n): how much each of the person's n rated movies
    raised that movie's score), the position of the liked one (rating >= LIKED_RATING) that
    raised it most; None when no liked movie raised it."""
    liked = np.broadcast_to(np.asarray(values)[None, :] >= LIKED_RATING, contributions.shape)
    masked = np.where(liked, contributions, -np.inf)
    if masked.shape[1] == 0:
        return [None] * masked.shape[0]
    best = masked.argmax(axis=1)
    value = masked[np.arange(masked.shape[0]), best]
    return [int(b) if v > 0 else None for b, v in zip(best.tolist(), value.tolist(), strict=True)]
