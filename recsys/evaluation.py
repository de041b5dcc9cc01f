"""Scoring a trained recommender on a held-out split, through the path the bot serves."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from recsys import metrics
from recsys.ids import encode_ratings
from recsys.recommender import Recommender


def evaluate(
    recommender: Recommender, train: pd.DataFrame, test: pd.DataFrame, k: int = 10
) -> dict[str, float]:
    """RMSE/MAE on the held-out pairs whose user and movie the model knows, and top-k
    metrics from folding each held-out user's training ratings in as a new person.

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
    relevant = metrics.relevant_by_user(users, movies, encoded.ratings)
    lists = served_lists(recommender, user_ratings(train), relevant, k)
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


def user_ratings(train: pd.DataFrame) -> dict[int, dict[int, float]]:
    """{userId: {movieId: rating}} for folding training users in as new people."""
    return {
        int(u): dict(zip(g["movieId"].tolist(), g["rating"].astype(float).tolist(), strict=True))
        for u, g in train.groupby("userId")
    }
