"""The held-out ratings every training run is judged on, and the scores computed on them.

Fairness. The gate compares a new model with the serving one on the same ratings, and that is
only fair if neither trained on them. A fresh random split per run cannot promise it: most
ratings held out now were training data for the serving model last time, which flatters it.
So the held-out part is a fixed slice of rating *pairs*, chosen by a hash of (person, movie):
every model this pipeline trains leaves the same pairs out, whatever the snapshot, so no model
has seen any of them. A new rating joins the slice exactly when its pair hashes into it, so the
slice grows with the data and keeps looking like it (bot people included). The cost: served
models never train on those pairs (~10%); fold-in still uses all of a person's own ratings, so
their recommendations do see them. A model trained elsewhere on everything (e.g. `recsys train`)
may have seen the slice; the comparison then favours the serving model, so the gate errs on the
side of keeping it. Re-training the serving model's recipe on this split to score it was
rejected: it would double every run.

Scores: RMSE of `predict` on the held-out pairs, and NDCG@10 of `recommend` folded in from each
person's training ratings, with held-out ratings >= 4 as relevant: the path the bot serves.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from recsys.metrics import ndcg_at_k
from recsys.popularity import shrunk_means

RELEVANT = 4.0
K = 10
MAX_EVAL_PEOPLE = 2000
_SALT = np.uint64(0x9E3779B97F4A7C15)


def holdout_mask(users: np.ndarray, movies: np.ndarray, fraction: float) -> np.ndarray:
    """True for the (user, movie) pairs in the held-out slice; the same pairs on every call."""
    key = (np.asarray(users, dtype=np.int64).astype(np.uint64) << np.uint64(32)) ^ np.asarray(
        movies, dtype=np.int64
    ).astype(np.uint64)
    return _mix(key) % np.uint64(1_000_000) < np.uint64(round(fraction * 1_000_000))


def split(ratings: pd.DataFrame, fraction: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, held_out) by `holdout_mask` alone: nothing else about the snapshot decides it."""
    mask = holdout_mask(ratings["userId"].to_numpy(), ratings["movieId"].to_numpy(), fraction)
    return ratings[~mask].reset_index(drop=True), ratings[mask].reset_index(drop=True)


def evaluate(model: Any, train: pd.DataFrame, held: pd.DataFrame) -> dict[str, float]:
    """RMSE (via `predict`) and NDCG@10 (via `recommend`) of a Recommender on `held`."""
    predicted = model.predict(held["userId"].to_numpy(), held["movieId"].to_numpy())
    return {"rmse": _rmse(predicted, held), "ndcg@10": ranking_ndcg(model, train, held)}


def evaluate_popularity(popular: Any, train: pd.DataFrame, held: pd.DataFrame) -> dict[str, float]:
    """The baseline: each movie's shrunk mean as its rating, the most-rated movies as the top-10."""
    stats = train.groupby("movieId")["rating"].agg(["size", "mean"])
    means = pd.Series(
        shrunk_means(stats["size"].to_numpy(), stats["mean"].to_numpy()), index=stats.index
    )
    predicted = held["movieId"].map(means).fillna(float(train["rating"].mean())).to_numpy()
    return {"rmse": _rmse(predicted, held), "ndcg@10": ranking_ndcg(popular, train, held)}


def ranking_ndcg(model: Any, train: pd.DataFrame, held: pd.DataFrame) -> float:
    """Mean NDCG@10 over people with a relevant held-out rating (at most MAX_EVAL_PEOPLE)."""
    relevant = held[held["rating"] >= RELEVANT].groupby("userId")["movieId"].agg(set)
    people = relevant.index.to_numpy()
    if people.size > MAX_EVAL_PEOPLE:  # a fixed, spread-out subset, the same for every model
        people = people[np.argsort(_mix(people.astype(np.uint64)))[:MAX_EVAL_PEOPLE]]
    known = train[train["userId"].isin(people)]
    rated = {
        person: dict(zip(group["movieId"].tolist(), group["rating"].tolist(), strict=True))
        for person, group in known.groupby("userId")
    }
    scores = []
    for person in people:
        top = [item.movie_id for item in model.recommend(rated.get(person, {}), K).items]
        scores.append(ndcg_at_k(top, relevant[person], K))
    return float(np.mean(scores)) if scores else math.nan


def _rmse(predicted: np.ndarray, held: pd.DataFrame) -> float:
    if len(held) == 0:
        return math.nan
    error = np.asarray(predicted, dtype=np.float64) - held["rating"].to_numpy(dtype=np.float64)
    return float(np.sqrt(np.mean(error**2)))


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64: spreads nearby ids over the whole range (stable across processes)."""
    with np.errstate(over="ignore"):
        z = np.asarray(x, dtype=np.uint64) + _SALT
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))
