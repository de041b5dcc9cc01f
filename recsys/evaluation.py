"""Scoring a trained recommender on a held-out split, through the path the bot serves."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from recsys import metrics
from recsys.ids import encode_ratings
from recsys.recommender import Recommender


def evaluate(
    recommender: Recommender, train: pd.DataFrame, test: pd.DataFrame, k: int = 10
) -> dict[str, float]:
    """RMSE/MAE on the held-out pairs whose user and movie the model knows; the same RMSE
    with each user folded in from their training ratings as a new person ("foldin_rmse");
    and top-k metrics from recommend() for each user folded in the same way.

    Also reports how many held-out rows were dropped for unknown ids, catalogue coverage
    and the median training support of what was recommended.
    """
    encoded = encode_ratings(test, recommender.users, recommender.items)
    users = recommender.users.external(encoded.users)
    movies = recommender.items.external(encoded.items)
    predicted = recommender.predict(users, movies)
    result = {
        "rmse": metrics.rmse(predicted, encoded.ratings),
        "mae": metrics.mae(predicted, encoded.ratings),
        "pairs": float(len(encoded)),
        "dropped_unknown": float(encoded.dropped),
    }
    by_user = user_ratings(train)
    result["foldin_rmse"] = foldin_rmse(recommender, by_user, users, movies, encoded.ratings)
    relevant = metrics.relevant_by_user(users, movies, encoded.ratings)
    lists = served_lists(recommender, by_user, relevant, k)
    result.update(metrics.ranking_report(lists, relevant, k))
    result["coverage"] = metrics.coverage(lists.values(), len(recommender.items))
    counts = dict(zip(recommender.items.ids.tolist(), recommender.item_count.tolist(), strict=True))
    result["support"] = metrics.support(lists.values(), counts)
    return result


def served_lists(
    recommender: Recommender,
    ratings_by_user: dict[int, dict[int, float]],
    users: Iterable[int],
    k: int = 10,
) -> dict[int, list[int]]:
    """{userId: top-k movieIds} from recommend() with each user's training ratings."""
    return {
        int(u): [
            r.movie_id for r in recommender.recommend(ratings_by_user.get(int(u), {}), k).items
        ]
        for u in users
    }


def foldin_rmse(
    recommender: Recommender,
    ratings_by_user: dict[int, dict[int, float]],
    users: np.ndarray,
    movies: np.ndarray,
    actual: np.ndarray,
) -> float:
    """RMSE of predict_new() for held-out (user, movie) pairs, one fold-in per user."""
    predicted = np.empty(len(actual), dtype=np.float64)
    order = np.argsort(users, kind="stable")
    bounds = np.flatnonzero(np.diff(users[order])) + 1
    for rows in np.split(order, bounds):
        if rows.size:
            mine = ratings_by_user.get(int(users[rows[0]]), {})
            predicted[rows] = recommender.predict_new(mine, movies[rows])
    return metrics.rmse(predicted, actual)


def user_ratings(train: pd.DataFrame) -> dict[int, dict[int, float]]:
    """{userId: {movieId: rating}} for folding training users in as new people."""
    return {
        int(u): dict(zip(g["movieId"].tolist(), g["rating"].astype(float).tolist(), strict=True))
        for u, g in train.groupby("userId")
    }
