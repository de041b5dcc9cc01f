"""Accuracy and top-N metrics as free functions over plain arrays and id lists.

Top-N conventions (the issue's): relevant = held-out rating >= 4.0; candidates = every
movie the user did not rate in training; users with no relevant held-out movie are
skipped (their recall and NDCG are undefined).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

RELEVANT_RATING = 4.0


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
