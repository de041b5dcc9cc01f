"""The contract of recsys.interface.Recommender, one suite run by every recommender: the
three trained kinds and the popularity fallback (lkpy style)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from recsys import artifacts, metrics
from recsys.interface import Recommender
from recsys.popularity import PopularityRecommender
from recsys.results import half_stars
from recsys.train import TrainConfig, fit
from tests.support.synthetic import FAST, Synthetic, ratings_of

TRAINED_KINDS = ("mf", "mf_bias", "ncf")
KINDS = (*TRAINED_KINDS, "popularity")
UNKNOWN_USER, UNKNOWN_MOVIE = 999_999, 777_777
PERSON = 1010
"""A training user whose ratings stand for a new person's."""


def build(kind: str, synthetic: Synthetic, **config: Any) -> Recommender:
    if kind == "popularity":
        return PopularityRecommender.from_ratings(synthetic.ratings, synthetic.movies)
    settings = TrainConfig(model=kind, **{**FAST, **config})
    return fit(synthetic.ratings, settings, synthetic.movies).recommender


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def recommender(kind: str, fitted, synthetic: Synthetic) -> Recommender:
    if kind == "popularity":
        return build(kind, synthetic)
    return fitted(kind)


def known_movie(recommender: Recommender, synthetic: Synthetic) -> int:
    movie = int(synthetic.ratings["movieId"].value_counts().index[0])
    assert recommender.knows_movie(movie)
    return movie


def test_it_is_a_recommender_and_says_what_it_is(recommender, kind):
    assert isinstance(recommender, Recommender)
    assert (recommender.info.kind, recommender.info.version) == (kind, "")


def test_the_same_data_and_seed_give_the_same_answers(kind, synthetic):
    first, second = (build(kind, synthetic, epochs=3, seed=11) for _ in range(2))
    users, movies = synthetic.ratings["userId"][:50], synthetic.ratings["movieId"][:50]
    mine = ratings_of(synthetic, PERSON)
    assert first.recommend(mine, k=10) == second.recommend(mine, k=10)
    assert np.array_equal(first.predict(users, movies), second.predict(users, movies))


def test_a_person_with_only_unknown_movies_gets_the_popular_path(recommender):
    recs = recommender.recommend({UNKNOWN_MOVIE: 4.0}, k=5)
    assert (recs.path, recs.ignored_movies, len(recs.items)) == ("popular", 1, 5)
    assert all(r.because is None for r in recs.items)


def test_unknown_users_and_movies_get_a_rating_on_the_star_scale(recommender, synthetic):
    movie, user = known_movie(recommender, synthetic), int(synthetic.ratings["userId"][0])
    predicted = recommender.predict(
        [UNKNOWN_USER, user, UNKNOWN_USER], [movie, UNKNOWN_MOVIE, UNKNOWN_MOVIE]
    )
    assert predicted.shape == (3,) and np.all((predicted >= 0.5) & (predicted <= 5.0))
    assert not recommender.knows_movie(UNKNOWN_MOVIE)
    assert recommender.similar(UNKNOWN_MOVIE) == []


def test_rated_and_excluded_movies_are_never_recommended(recommender, synthetic):
    mine = ratings_of(synthetic, PERSON)
    unrated = [m for m in synthetic.movies["movieId"].tolist() if m not in mine]
    recs = recommender.recommend(mine, k=len(unrated), exclude=unrated[:5])
    shown = {r.movie_id for r in recs.items}
    assert shown and not shown & (set(mine) | set(unrated[:5]))


def test_lists_agree_with_themselves(recommender, synthetic):
    mine = ratings_of(synthetic, PERSON)
    recs = recommender.recommend(mine, k=10)
    stars = [r.predicted_rating for r in recs.items]
    assert len(recs.items) == 10 and not recs.weak
    assert all(0.5 <= s <= 5.0 for s in stars)
    if recs.path == "personal":
        assert stars == sorted(stars, reverse=True) and min(stars) >= 3.0
        reasons = [r.because for r in recs.items if r.because is not None]
        assert reasons and all(mine[m] == pytest.approx(v) and v >= 3.5 for m, v in reasons)
    else:
        scores = [r.score for r in recs.items]
        assert scores == sorted(scores, reverse=True)
        assert all(r.because is None for r in recs.items)


def test_dismissed_movies_are_never_recommended(recommender, synthetic):
    mine = ratings_of(synthetic, PERSON)
    first = [r.movie_id for r in recommender.recommend(mine, k=5).items]
    again = recommender.recommend(mine, k=10, dismissed=first).items
    popular = recommender.recommend({}, k=10, dismissed=first[:2]).items
    assert again and not {r.movie_id for r in again} & set(first)
    assert popular and not {r.movie_id for r in popular} & set(first[:2])


def test_predict_for_gives_the_stars_the_list_shows(recommender, synthetic):
    mine = ratings_of(synthetic, PERSON)
    shown = recommender.recommend(mine, k=5).items
    predicted = recommender.predict_for(mine, [r.movie_id for r in shown] + [UNKNOWN_MOVIE])
    # The list shows the same prediction, on the half-star scale people rate on.
    assert list(half_stars(predicted[:5])) == [r.predicted_rating for r in shown]
    assert predicted.dtype == np.float64 and 0.5 <= predicted[5] <= 5.0
    assert recommender.predict_for({}, [known_movie(recommender, synthetic)]).shape == (1,)


def test_genre_filters_include_and_exclude(recommender, synthetic):
    genres = dict(zip(synthetic.movies["movieId"], synthetic.movies["genres"], strict=True))
    mine = ratings_of(synthetic, PERSON)
    only = recommender.recommend(mine, k=10, genres=["comedy"]).items
    without = recommender.recommend(mine, k=10, exclude_genres=["Comedy", "Drama"]).items
    assert only and all("Comedy" in genres[r.movie_id] for r in only)
    assert without and all(not {"Comedy", "Drama"} & set(genres[r.movie_id]) for r in without)
    assert sorted(recommender.genres()) == ["Action", "Comedy", "Drama", "Horror"]
    with pytest.raises(ValueError, match="unknown genre 'Westernn'"):
        recommender.recommend(mine, genres=["Westernn"])


def test_a_negative_k_is_refused_and_zero_is_empty(recommender, synthetic):
    for mine in ({}, ratings_of(synthetic, PERSON)):
        with pytest.raises(ValueError, match="k must be"):
            recommender.recommend(mine, -1)
        assert recommender.recommend(mine, 0).items == []


def test_similar_movies_exclude_the_movie_and_are_ordered(recommender, synthetic):
    movie = known_movie(recommender, synthetic)
    similar = recommender.similar(movie, k=5)
    assert len(similar) <= 5 and movie not in [m for m, _ in similar]
    assert [s for _, s in similar] == sorted((s for _, s in similar), reverse=True)
    hidden = [m for m, _ in similar[:2]]
    assert not set(hidden) & {m for m, _ in recommender.similar(movie, k=5, exclude=hidden)}


@pytest.mark.parametrize("trained_kind", TRAINED_KINDS)
def test_save_and_load_give_the_same_answers(trained_kind, fitted, synthetic, tmp_path: Path):
    """Trained kinds only: the popularity fallback has no artifact (the bot rebuilds it)."""
    recommender = fitted(trained_kind)
    path = artifacts.save(recommender, tmp_path)
    loaded = artifacts.load(path)
    mine = ratings_of(synthetic, PERSON)
    users, movies = synthetic.true["userId"][::7], synthetic.true["movieId"][::7]
    assert loaded.recommend(mine, k=10) == recommender.recommend(mine, k=10)
    assert np.array_equal(loaded.predict(users, movies), recommender.predict(users, movies))
    assert loaded.info.version == path.name


def test_it_beats_the_global_mean_on_pairs_nobody_rated(recommender, synthetic):
    observed = pd.MultiIndex.from_frame(synthetic.ratings[["userId", "movieId"]])
    pairs = pd.MultiIndex.from_frame(synthetic.true[["userId", "movieId"]])
    unseen = synthetic.true[~pairs.isin(observed)]
    truth = unseen["rating"].to_numpy()
    mean = float(synthetic.ratings["rating"].mean())
    error = metrics.rmse(recommender.predict(unseen["userId"], unseen["movieId"]), truth)
    assert error < 0.9 * metrics.rmse(np.full(len(truth), mean), truth)
