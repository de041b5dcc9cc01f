"""The popularity fallback: its own predictions and what it says about itself (the rest of
the interface is in test_contract.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.popularity import POPULARITY_KIND, PRIOR_WEIGHT, PopularityRecommender
from recsys.results import half_stars


def small() -> PopularityRecommender:
    ratings = pd.DataFrame(
        {"userId": [1, 2, 3, 1], "movieId": [10, 10, 10, 20], "rating": [5.0, 4.0, 3.0, 1.0]}
    )
    movies = pd.DataFrame({"movieId": [10, 20, 30], "genres": [["Drama"], ["Comedy"], []]})
    return PopularityRecommender.from_ratings(ratings, movies)


def test_predicts_each_movies_shrunk_mean_for_anyone():
    mean = 13.0 / 4  # the four ratings
    by_movie = {
        10: (12.0 + PRIOR_WEIGHT * mean) / (3 + PRIOR_WEIGHT),
        20: (1.0 + PRIOR_WEIGHT * mean) / (1 + PRIOR_WEIGHT),
    }
    predicted = small().predict([1, 99, 2], [10, 10, 20])
    assert predicted.tolist() == pytest.approx([by_movie[10], by_movie[10], by_movie[20]])


def test_a_movie_without_ratings_is_predicted_the_global_mean():
    assert small().predict([1, 1], [30, 555]).tolist() == pytest.approx([13.0 / 4] * 2)


def test_the_list_shows_what_predict_says():
    popular = small()
    items = popular.recommend({}, k=2).items
    shown = [r.predicted_rating for r in items]
    assert shown == half_stars(popular.predict([0, 0], [r.movie_id for r in items])).tolist()


def test_pairs_of_unequal_length_are_refused():
    with pytest.raises(ValueError, match="same length"):
        small().predict([1, 2], [10])


def test_it_describes_itself_as_the_unsaved_popularity_model():
    info = small().info
    assert (info.kind, info.version) == (POPULARITY_KIND, "")
    assert (info.n_ratings, info.n_users, info.n_movies) == (4, 3, 2)


def test_it_knows_no_similar_movies():
    assert small().similar(10, k=5) == []


def test_it_predicts_float64_ratings():
    assert small().predict(np.array([1]), np.array([10])).dtype == np.float64
