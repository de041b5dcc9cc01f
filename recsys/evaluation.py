"""Scoring recommenders on held-out ratings, through the path the bot serves.

- `evaluate`: the full report on a split (accuracy, fold-in accuracy, top-k, coverage) of
  a trained recommender; what `recsys evaluate` and benchmarks/accuracy.py print.
- `heldout_scores`: the two numbers the bot's retraining gate compares (RMSE, NDCG@10), for
  any recommender, the popularity fallback included.
- `list_report`: what people see in a set of lists (issue 9): binary top-k metrics,
  disappointments, graded NDCG (overall and for the harshest third of people), stars below
  the floor and lists whose stars rise; `shown_lists` and `cold_start_inputs` make the
  lists to score for any recommender (benchmarks/accuracy.py compares several).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import cast

import numpy as np
import pandas as pd

from recsys import metrics
from recsys.hashing import splitmix64
from recsys.ids import encode_ratings
from recsys.interface import Recommender
from recsys.trained import TrainedRecommender

MAX_EVAL_PEOPLE = 2000
"""`heldout_scores` ranks for at most this many people (a fixed hash-chosen subset)."""


def heldout_scores(
    recommender: Recommender,
    train: pd.DataFrame,
    held: pd.DataFrame,
    *,
    k: int = 10,
    max_people: int = MAX_EVAL_PEOPLE,
) -> dict[str, float]:
    """{"rmse": ..., "ndcg@<k>": ...} of `recommender` on the `held` ratings.

    RMSE of `predict` on every held (userId, movieId) pair (NaN when `held` is empty).
    NDCG@k of `recommend` for each person with a relevant held rating (>= RELEVANT_RATING),
    folded in from their `train` ratings (NaN when nobody has one); with more than
    `max_people` such people, the `max_people` with the smallest splitmix64 hash of their
    id, the same subset for every model.
    """
    predicted = recommender.predict(held["userId"].to_numpy(), held["movieId"].to_numpy())
    actual = held["rating"].to_numpy(dtype=np.float64)
    rmse = metrics.rmse(predicted, actual) if len(held) else math.nan
    return {"rmse": rmse, f"ndcg@{k}": _heldout_ndcg(recommender, train, held, k, max_people)}


def _heldout_ndcg(
    recommender: Recommender, train: pd.DataFrame, held: pd.DataFrame, k: int, max_people: int
) -> float:
    relevant = held[held["rating"] >= metrics.RELEVANT_RATING].groupby("userId")["movieId"].agg(set)
    people = relevant.index.to_numpy()
    if people.size > max_people:
        people = people[np.argsort(splitmix64(people.astype(np.uint64)))[:max_people]]
    known = train[train["userId"].isin(people)]
    rated = {
        person: dict(zip(group["movieId"].tolist(), group["rating"].tolist(), strict=True))
        for person, group in known.groupby("userId")
    }
    scores = []
    for person in people:
        top = [item.movie_id for item in recommender.recommend(rated.get(person, {}), k).items]
        scores.append(metrics.ndcg_at_k(top, relevant[person], k))
    return float(np.mean(scores)) if scores else math.nan


def evaluate(
    recommender: TrainedRecommender, train: pd.DataFrame, test: pd.DataFrame, k: int = 10
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
    recommender: TrainedRecommender,
    ratings_by_user: dict[int, dict[int, float]],
    users: np.ndarray,
    movies: np.ndarray,
    actual: np.ndarray,
) -> float:
    """RMSE of predict_for() for held-out (user, movie) pairs, one fold-in per user."""
    predicted = np.empty(len(actual), dtype=np.float64)
    order = np.argsort(users, kind="stable")
    bounds = np.flatnonzero(np.diff(users[order])) + 1
    for rows in np.split(order, bounds):
        if rows.size:
            mine = ratings_by_user.get(int(users[rows[0]]), {})
            predicted[rows] = recommender.predict_for(mine, movies[rows])
    return metrics.rmse(predicted, actual)


def user_ratings(train: pd.DataFrame) -> dict[int, dict[int, float]]:
    """{userId: {movieId: rating}} for folding training users in as new people."""
    return {
        int(cast(int, u)): dict(
            zip(g["movieId"].tolist(), g["rating"].astype(float).tolist(), strict=True)
        )
        for u, g in train.groupby("userId")  # an int64 column: every key is an int
    }


COLD_START_RATINGS = 5
"""A person is folded in from this many of their lowest-rated training movies."""
FLOOR_STARS = 3.0
"""Predicted ratings below this count as shown below the floor (ServeSettings default)."""


def shown_lists(
    recommender: Recommender,
    inputs: Mapping[int, Mapping[int, float]],
    users: Iterable[int],
    k: int = 10,
    exclude: Mapping[int, Iterable[int]] | None = None,
) -> tuple[dict[int, list[int]], dict[int, list[float]]]:
    """For each user, the movies recommend() shows when folded in from `inputs[user]` (never
    one in `exclude[user]`), and the predicted stars shown beside them."""
    lists: dict[int, list[int]] = {}
    stars: dict[int, list[float]] = {}
    for user in users:
        blocked = exclude.get(int(user), ()) if exclude is not None else ()
        items = recommender.recommend(inputs.get(int(user), {}), k, exclude=blocked).items
        lists[int(user)] = [r.movie_id for r in items]
        stars[int(user)] = [r.predicted_rating for r in items]
    return lists, stars


def cold_start_inputs(
    train: pd.DataFrame, n: int = COLD_START_RATINGS
) -> tuple[dict[int, dict[int, float]], dict[int, list[int]]]:
    """Each user's `n` lowest-rated training movies (ties: lower movieId first) as the only
    ratings a new person gives, and the rest of their training movies (to exclude, since
    they were seen)."""
    ordered = train.sort_values(["userId", "rating", "movieId"], kind="stable")
    rank = ordered.groupby("userId").cumcount().to_numpy()
    lowest, rest = ordered[rank < n], ordered[rank >= n]
    others = {int(cast(int, u)): g.tolist() for u, g in rest.groupby("userId")["movieId"]}
    return user_ratings(lowest), others


def list_report(
    lists: Mapping[int, Sequence[int]],
    train: pd.DataFrame,
    held: pd.DataFrame,
    k: int = 10,
    stars: Mapping[int, Sequence[float]] | None = None,
    floor: float = FLOOR_STARS,
) -> dict[str, float]:
    """Metrics of the lists of `lists`' users against their `held` ratings.

    Binary P@k, R@k, NDCG@k over those with a relevant held-out movie; "disappointment"
    (metrics.disappointment_rate); "graded_ndcg@k" over those with a positive gain, and
    "graded_ndcg@k_low" over the third of them with the lowest mean training rating;
    with `stars` (the predicted ratings shown), "below_floor" (share of shown stars below
    `floor`) and "non_increasing" (share of lists whose stars never rise). NaN where
    undefined (e.g. no stars).
    """
    held_by_user = user_ratings(held[held["userId"].isin(list(lists))])
    relevant = {
        u: {m for m, r in mine.items() if r >= metrics.RELEVANT_RATING}
        for u, mine in held_by_user.items()
    }
    report = metrics.ranking_report(lists, relevant, k)
    report["disappointment"] = metrics.disappointment_rate(lists, held_by_user, k)
    graded = {u: metrics.graded_ndcg_at_k(lists[u], held_by_user.get(u, {}), k) for u in lists}
    graded = {u: g for u, g in graded.items() if math.isfinite(g)}
    means = train.groupby("userId")["rating"].mean()
    by_mean = sorted(graded, key=lambda u: (float(means.get(u, math.nan)), u))
    low = by_mean[: math.ceil(len(by_mean) / 3)]
    report[f"graded_ndcg@{k}"] = _mean(graded[u] for u in graded)
    report[f"graded_ndcg@{k}_low"] = _mean(graded[u] for u in low)
    if stars is None:
        report["below_floor"] = report["non_increasing"] = math.nan
    else:
        report["below_floor"] = metrics.share_below(stars.values(), floor)
        report["non_increasing"] = metrics.share_non_increasing(stars.values())
    return report


def _mean(values: Iterable[float]) -> float:
    found = list(values)
    return float(np.mean(found)) if found else math.nan
