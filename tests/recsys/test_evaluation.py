"""heldout_scores: the retraining gate's two numbers, for any recommender."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import pytest

from recsys.evaluation import (
    cold_start_inputs,
    heldout_scores,
    list_report,
    shown_lists,
    user_ratings,
)
from recsys.hashing import splitmix64
from recsys.interface import Recommender
from recsys.metrics import ndcg_at_k
from recsys.popularity import PopularityRecommender, shrunk_means
from recsys.results import ModelInfo, Recommendation, Recommendations


class Fixed(Recommender):
    """Predicts 3 for everything and recommends movies 10, 20, 30; records who asked."""

    info = ModelInfo("", "fixed", "", 0, 0, 0)

    def __init__(self) -> None:
        self.asked: list[dict[int, float]] = []

    def recommend(
        self,
        ratings: Mapping[int, float],
        k: int = 10,
        *,
        exclude: Iterable[int] = (),
        genres: Iterable[str] | None = None,
        exclude_genres: Iterable[str] | None = None,
        dismissed: Iterable[int] = (),
    ) -> Recommendations:
        self.asked.append(dict(ratings))
        items = [Recommendation(m, 3.0, 1.0, None) for m in (10, 20, 30)[:k]]
        return Recommendations("popular", items, 0)

    def predict(self, user_ids: Iterable[int], movie_ids: Iterable[int]) -> np.ndarray:
        return np.full(len(list(movie_ids)), 3.0)

    def predict_for(self, ratings: Mapping[int, float], movie_ids: Iterable[int]) -> np.ndarray:
        return np.full(len(list(movie_ids)), 3.0)

    def similar(
        self, movie_id: int, k: int = 10, *, exclude: Iterable[int] = ()
    ) -> list[tuple[int, float]]:
        return []

    def genres(self) -> list[str]:
        return []

    def knows_movie(self, movie_id: int) -> bool:
        return movie_id in (10, 20, 30)


def frame(rows: list[tuple[int, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["userId", "movieId", "rating"])


TRAIN = frame([(1, 50, 4.0), (1, 60, 2.0), (2, 50, 5.0), (3, 60, 1.0)])
HELD = frame([(1, 20, 4.5), (2, 10, 4.0), (2, 40, 5.0), (3, 30, 2.5)])
NDCG = {1: 1 / math.log2(3), 2: 1 / (1 + 1 / math.log2(3))}
"""Person 1 finds movie 20 at rank 2; person 2 finds 10 of {10, 40} at rank 1; person 3
rated nothing held out 4 or more, so is skipped."""


def test_hand_checked_rmse_and_ndcg():
    scores = heldout_scores(Fixed(), TRAIN, HELD)
    # Errors against the constant 3: 1.5, 1, 2, 0.5.
    assert scores == pytest.approx(
        {"rmse": math.sqrt(7.5 / 4), "ndcg@10": np.mean([*NDCG.values()])}
    )


def test_each_person_is_folded_in_from_their_training_ratings():
    fixed = Fixed()
    heldout_scores(fixed, TRAIN, HELD)
    assert fixed.asked == [{50: 4.0, 60: 2.0}, {50: 5.0}]


def test_at_most_max_people_chosen_by_their_hash():
    fixed = Fixed()
    scores = heldout_scores(fixed, TRAIN, HELD, max_people=1)
    first = min((1, 2), key=lambda p: int(splitmix64(np.array([p], dtype=np.uint64))[0]))
    assert fixed.asked == [{1: {50: 4.0, 60: 2.0}, 2: {50: 5.0}}[first]]
    assert scores["ndcg@10"] == pytest.approx(NDCG[first])


def test_nothing_held_out_is_nan_not_an_error():
    scores = heldout_scores(Fixed(), TRAIN, HELD.iloc[:0])
    assert math.isnan(scores["rmse"]) and math.isnan(scores["ndcg@10"])


def test_popularity_scores_as_the_gate_scored_its_baseline(synthetic):
    # The gate's former baseline (bot/holdout.py evaluate_popularity): each movie's shrunk
    # mean, the training mean for a movie never rated, the most-rated movies as the top-10.
    # Half-star float64 ratings: both ways of averaging are then exact, so they agree.
    ratings = synthetic.ratings.assign(rating=(synthetic.ratings["rating"] * 2).round() / 2)
    ratings = ratings.astype({"rating": "float64"})
    held_rows = np.random.default_rng(4).random(len(ratings)) < 0.2
    train, held = ratings[~held_rows], ratings[held_rows]
    held = pd.concat([held, frame([(1000, 123_456, 3.0)])])  # a movie nobody rated
    stats = train.groupby("movieId")["rating"].agg(["size", "mean"])
    means = pd.Series(shrunk_means(stats["size"].to_numpy(), stats["mean"].to_numpy()), stats.index)
    expected = held["movieId"].map(means).fillna(float(train["rating"].mean())).to_numpy()
    popular = PopularityRecommender.from_ratings(train, synthetic.movies)
    relevant = held[held["rating"] >= 4].groupby("userId")["movieId"].agg(set)
    lists = {p: popular.recommend(user_ratings(train).get(p, {}), 10).items for p in relevant.index}
    ndcg = np.mean([ndcg_at_k([r.movie_id for r in lists[p]], relevant[p]) for p in lists])
    rmse = np.sqrt(np.mean((expected - held["rating"].to_numpy()) ** 2))
    assert heldout_scores(popular, train, held) == pytest.approx(
        {"rmse": rmse, "ndcg@10": ndcg}, rel=1e-12
    )


def test_list_report_by_hand():
    lists = {1: [20, 60], 2: [40, 30, 10], 3: [30]}
    stars = {1: [4.0, 3.5], 2: [4.0, 4.5, 2.0], 3: [3.0]}
    report = list_report(lists, TRAIN, HELD, k=10, stars=stars)
    # Person 2 finds 40 (5 stars) at rank 1 and 10 (4 stars) at rank 3; person 3 is skipped
    # (nothing held out at 4 or more) in the binary metrics and the graded ones (no gain).
    ideal_2 = 2 + 1 / math.log2(3)  # graded: gains 2 and 1
    assert report["ndcg@10"] == pytest.approx(np.mean([1.0, 1.5 / (1 + 1 / math.log2(3))]))
    assert report["disappointment"] == pytest.approx(1 / 4)  # 3's 30 (2.5) of 20, 40, 10, 30
    graded = {1: 1.0, 2: (2 + 1 / 2) / ideal_2}
    assert report["graded_ndcg@10"] == pytest.approx(np.mean(list(graded.values())))
    assert report["graded_ndcg@10_low"] == pytest.approx(graded[1])  # mean 3.0 < 5.0
    assert report["below_floor"] == pytest.approx(1 / 6)
    assert report["non_increasing"] == pytest.approx(2 / 3)


def test_list_report_without_stars_leaves_their_columns_undefined():
    report = list_report({1: [20]}, TRAIN, HELD, k=10)
    assert math.isnan(report["below_floor"]) and math.isnan(report["non_increasing"])


def test_cold_start_keeps_the_lowest_ratings_and_excludes_the_rest():
    inputs, rest = cold_start_inputs(TRAIN, n=1)
    assert inputs == {1: {60: 2.0}, 2: {50: 5.0}, 3: {60: 1.0}}
    assert rest == {1: [50]}


def test_shown_lists_pass_each_persons_exclusions():
    fixed = Fixed()
    lists, stars = shown_lists(fixed, {1: {50: 4.0}}, [1, 2], k=2, exclude={1: [10]})
    assert lists == {1: [10, 20], 2: [10, 20]} and stars[1] == [3.0, 3.0]
    assert fixed.asked == [{50: 4.0}, {}]
