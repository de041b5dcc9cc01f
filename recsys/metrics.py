"""Accuracy and top-N metrics as free functions over plain arrays and id lists.

Top-N conventions (the issue's): relevant = held-out rating >= 4.0; candidates = every
movie the user did not rate in training; users with no relevant held-out movie are
skipped (their recall and NDCG are undefined).

What a list says about itself (issue 9): a recommended movie that the person rated in the
held-out part at DISAPPOINTING_RATING or less is a disappointment; graded NDCG gains
(held-out rating - GRADED_PIVOT), so a disliked movie on the list costs; the stars shown
should never rise down a list nor fall below the floor.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

RELEVANT_RATING = 4.0
DISAPPOINTING_RATING = 2.5
GRADED_PIVOT = 3.0


def rmse(predicted: np.ndarray, actual: np.ndarray) -> float:
    diff = np.asarray(predicted, dtype=np.float64) - np.asarray(actual, dtype=np.float64)
    return float(np.sqrt(np.mean(diff**2)))


def mae(predicted: np.ndarray, actual: np.ndarray) -> float:
    diff = np.asarray(predicted, dtype=np.float64) - np.asarray(actual, dtype=np.float64)
    return float(np.mean(np.abs(diff)))


def precision_at_k(recommended: Sequence[int], relevant: set[int], k: int = 10) -> float:
    """Share of the first k recommendations that are relevant (divides by k)."""
    return sum(1 for m in recommended[:k] if m in relevant) / k


def recall_at_k(recommended: Sequence[int], relevant: set[int], k: int = 10) -> float:
    """Share of the relevant movies found in the first k recommendations."""
    if not relevant:
        return 0.0
    return sum(1 for m in recommended[:k] if m in relevant) / len(relevant)


def ndcg_at_k(recommended: Sequence[int], relevant: set[int], k: int = 10) -> float:
    """Binary-gain NDCG: DCG of the list over the DCG of a list with every relevant first."""
    if not relevant:
        return 0.0
    dcg = sum(1.0 / np.log2(rank + 2) for rank, m in enumerate(recommended[:k]) if m in relevant)
    ideal = sum(1.0 / np.log2(rank + 2) for rank in range(min(len(relevant), k)))
    return float(dcg / ideal)


def coverage(recommended: Iterable[Sequence[int]], n_catalogue: int) -> float:
    """Share of the catalogue that appears in at least one list."""
    if n_catalogue <= 0:
        return 0.0
    return len({m for items in recommended for m in items}) / n_catalogue


def support(recommended: Iterable[Sequence[int]], rating_counts: Mapping[int, int]) -> float:
    """Median number of training ratings of the recommended movies (over all lists)."""
    counts = [rating_counts.get(m, 0) for items in recommended for m in items]
    return float(np.median(counts)) if counts else 0.0


def relevant_by_user(
    users: np.ndarray, movies: np.ndarray, ratings: np.ndarray
) -> dict[int, set[int]]:
    """{userId: movies rated >= RELEVANT_RATING} from held-out arrays."""
    out: dict[int, set[int]] = {}
    for u, m, r in zip(users.tolist(), movies.tolist(), ratings.tolist(), strict=True):
        if r >= RELEVANT_RATING:
            out.setdefault(int(u), set()).add(int(m))
    return out


def ranking_report(
    lists: Mapping[int, Sequence[int]], relevant: Mapping[int, set[int]], k: int = 10
) -> dict[str, float]:
    """Mean P@k, R@k, NDCG@k over users that have relevant held-out movies."""
    users = [u for u in relevant if relevant[u]]
    if not users:
        return {f"precision@{k}": 0.0, f"recall@{k}": 0.0, f"ndcg@{k}": 0.0, "users": 0.0}
    p = [precision_at_k(lists.get(u, []), relevant[u], k) for u in users]
    r = [recall_at_k(lists.get(u, []), relevant[u], k) for u in users]
    n = [ndcg_at_k(lists.get(u, []), relevant[u], k) for u in users]
    return {
        f"precision@{k}": float(np.mean(p)),
        f"recall@{k}": float(np.mean(r)),
        f"ndcg@{k}": float(np.mean(n)),
        "users": float(len(users)),
    }


def _discounts(k: int) -> np.ndarray:
    return 1.0 / np.log2(np.arange(k) + 2.0)


def graded_ndcg_at_k(recommended: Sequence[int], held: Mapping[int, float], k: int = 10) -> float:
    """NDCG with gain (held-out rating - GRADED_PIVOT), negative for a movie rated below it
    and 0 for a movie without a held-out rating.

    The ideal DCG is that of the person's positive gains sorted best first (the best list
    there could be: no negative gain in it), so the value is at most 1 and below 0 when the
    list's dislikes outweigh its likes. NaN when the person has no positive gain (nothing
    to find; such people are skipped in averages).
    """
    positive = sorted((r - GRADED_PIVOT for r in held.values() if r > GRADED_PIVOT), reverse=True)
    if not positive:
        return math.nan
    weights = _discounts(k)
    ideal = float(np.dot(positive[:k], weights[: len(positive[:k])]))
    gains = [held[m] - GRADED_PIVOT if m in held else 0.0 for m in recommended[:k]]
    return float(np.dot(gains, weights[: len(gains)]) / ideal)


def disappointment_rate(
    lists: Mapping[int, Sequence[int]], held: Mapping[int, Mapping[int, float]], k: int = 10
) -> float:
    """Among the recommended movies (first k of each list) that the person rated in the
    held-out part, the share rated DISAPPOINTING_RATING or less (pooled over every list;
    NaN when no recommended movie was rated)."""
    rated = disappointing = 0
    for user, items in lists.items():
        mine = held.get(user, {})
        for movie in items[:k]:
            if movie in mine:
                rated += 1
                disappointing += mine[movie] <= DISAPPOINTING_RATING
    return disappointing / rated if rated else math.nan


def share_below(stars: Iterable[Sequence[float]], floor: float) -> float:
    """Share of the shown predicted ratings (over every list) below `floor`; NaN if none."""
    values = [s for shown in stars for s in shown]
    return sum(1 for s in values if s < floor) / len(values) if values else math.nan


def non_increasing(stars: Sequence[float]) -> bool:
    """Whether no star value is above the one before it."""
    return all(b <= a for a, b in itertools.pairwise(stars))


def share_non_increasing(stars: Iterable[Sequence[float]]) -> float:
    """Share of the lists whose stars never rise down the list; NaN when there are none."""
    flags = [non_increasing(shown) for shown in stars]
    return sum(flags) / len(flags) if flags else math.nan
