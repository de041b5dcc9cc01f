"""The trained recommender: fold-in, filters, fallbacks, reasons (serialisation: test_state)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from recsys.popularity import PopularityRecommender
from recsys.results import half_stars
from recsys.state import to_state
from recsys.train import TrainConfig, fit
from tests.support.synthetic import FAST, ratings_of


def test_folding_in_a_users_own_ratings_reproduces_their_predictions(synthetic, trained):
    user = 1003
    mine = ratings_of(synthetic, user)
    recs = trained.recommend(mine, k=len(trained.items))
    movies = [r.movie_id for r in recs.items]
    folded = np.array([r.predicted_rating for r in recs.items])
    trained_for_user = trained.predict([user] * len(movies), movies)
    tolerance = 0.35 if trained.kind == "ncf" else 0.15
    assert recs.path == "personal"
    assert np.mean(np.abs(folded - trained_for_user)) < tolerance


def test_recommendations_skip_rated_and_excluded_movies(synthetic, mf_bias):
    mine = ratings_of(synthetic, 1010)
    excluded = [m for m in mf_bias.items.ids.tolist() if m not in mine][:5]
    recs = mf_bias.recommend(mine, k=30, exclude=excluded)
    shown = {r.movie_id for r in recs.items}
    assert len(recs.items) == 30
    assert not shown & (set(mine) | set(excluded))


def test_predicted_ratings_are_on_the_star_scale_and_reasons_are_rated_movies(synthetic, trained):
    mine = ratings_of(synthetic, 1020)
    recs = trained.recommend(mine, k=10)
    assert all(0.5 <= r.predicted_rating <= 5.0 for r in recs.items)
    assert all(r.because is not None and r.because[0] in mine for r in recs.items)
    assert all(mine[r.because[0]] == pytest.approx(r.because[1]) for r in recs.items)


def test_a_personal_list_is_in_order_of_predicted_stars(synthetic, mf_bias):
    stars = [r.predicted_rating for r in mf_bias.recommend(ratings_of(synthetic, 1030), k=10).items]
    assert len(stars) == 10 and stars == sorted(stars, reverse=True)


def test_genre_filters_restrict_and_exclude(synthetic, mf_bias):
    genres = dict(zip(synthetic.movies["movieId"], synthetic.movies["genres"], strict=True))
    mine = ratings_of(synthetic, 1040)
    only = mf_bias.recommend(mine, k=10, genres=["comedy"]).items
    without = mf_bias.recommend(mine, k=10, exclude_genres=["Comedy", "Drama"]).items
    assert only and all("Comedy" in genres[r.movie_id] for r in only)
    assert without and all(not {"Comedy", "Drama"} & set(genres[r.movie_id]) for r in without)


def test_unknown_genre_is_a_clear_error(synthetic, mf_bias):
    with pytest.raises(ValueError, match="unknown genre 'Westernn'"):
        mf_bias.recommend(ratings_of(synthetic, 1040), genres=["Westernn"])


def test_no_known_ratings_falls_back_to_popularity_and_counts_unknown_ids(mf_bias):
    recs = mf_bias.recommend({999_999: 4.0, 888_888: 2.5}, k=5)
    counts = dict(zip(mf_bias.items.ids.tolist(), mf_bias.item_count.tolist(), strict=True))
    assert recs.path == "popular" and recs.ignored_movies == 2
    assert [counts[r.movie_id] for r in recs.items] == sorted(counts.values(), reverse=True)[:5]


def test_low_support_movies_are_never_recommended(synthetic):
    config = TrainConfig(**FAST, serve=dataclasses.replace(TrainConfig().serve, min_support=40))
    rec = fit(synthetic.ratings, config, synthetic.movies).recommender
    counts = dict(zip(rec.items.ids.tolist(), rec.item_count.tolist(), strict=True))
    recs = rec.recommend(ratings_of(synthetic, 1050), k=len(rec.items)).items
    assert recs and min(counts[r.movie_id] for r in recs) >= 40


def test_similar_returns_other_known_movies(mf_bias):
    movie = int(mf_bias.items.ids[0])
    similar = mf_bias.similar(movie, k=5)
    assert len(similar) == 5 and movie not in [m for m, _ in similar]
    assert [s for _, s in similar] == sorted((s for _, s in similar), reverse=True)
    assert mf_bias.similar(123_456_789) == []


def test_predict_uses_documented_fallbacks_for_unknown_ids(mf_bias):
    movie, known_user = int(mf_bias.items.ids[0]), int(mf_bias.users.ids[0])
    unknown_user, unknown_movie, both = mf_bias.predict(
        [999_999, known_user, 999_999], [movie, 777_777, 777_777]
    )
    mean = mf_bias.model.mean
    item_bias, user_bias = float(mf_bias.model.item_bias[0]), float(mf_bias.model.user_bias[0])
    assert unknown_user == pytest.approx(np.clip(mean + item_bias, 0.5, 5.0), abs=1e-5)
    assert unknown_movie == pytest.approx(np.clip(mean + user_bias, 0.5, 5.0), abs=1e-5)
    assert both == pytest.approx(mean, abs=1e-5)


def test_with_info_changes_only_the_copy(mf_bias):
    versioned = mf_bias.with_info(version="20260101T000000Z-mf_bias")
    assert versioned.info.version == "20260101T000000Z-mf_bias"
    assert mf_bias.info.version == ""
    assert isinstance(to_state(versioned)[0]["items"], np.ndarray)


def test_popularity_recommender_without_a_model(synthetic):
    popular = PopularityRecommender.from_ratings(synthetic.ratings, synthetic.movies)
    counts = synthetic.ratings["movieId"].value_counts()
    top = counts.index[0]
    recs = popular.recommend({int(top): 5.0, 424242: 3.0}, k=3, exclude_genres=["Horror"])
    assert recs.path == "popular" and recs.ignored_movies == 1
    assert top not in [r.movie_id for r in recs.items] and len(recs.items) == 3
    assert all(0.5 <= r.predicted_rating <= 5.0 for r in recs.items)
    assert popular.knows_movie(int(top)) and not popular.knows_movie(424242)


def test_predict_for_matches_recommend_and_falls_back_for_unknown_movies(synthetic, mf_bias):
    mine = ratings_of(synthetic, 1070)
    first = mf_bias.recommend(mine, k=3).items
    predicted = mf_bias.predict_for(mine, [r.movie_id for r in first] + [555_555])
    assert half_stars(predicted[:3]).tolist() == [r.predicted_rating for r in first]
    assert predicted[3] == pytest.approx(mf_bias.model.mean, abs=1e-5)


@pytest.mark.parametrize("bad", [5.5, 0.0, float("nan")])
def test_ratings_off_the_star_scale_are_refused(synthetic, mf_bias, bad):
    mine = {**ratings_of(synthetic, 1080), 7: bad}
    with pytest.raises(ValueError, match=r"for movie 7 is outside 0\.5-5\.0"):
        mf_bias.recommend(mine)


def test_a_negative_k_is_refused_on_every_path(synthetic, mf_bias):
    # A slice [:k] with k = -1 returned every movie but one on the popularity path,
    # while the personal path returned none; both now refuse it.
    popular = PopularityRecommender.from_ratings(synthetic.ratings, synthetic.movies)
    for recommend, mine in [
        (mf_bias.recommend, {}),
        (mf_bias.recommend, ratings_of(synthetic, 1080)),
        (popular.recommend, {}),
    ]:
        with pytest.raises(ValueError, match="k must be"):
            recommend(mine, -1)
        assert recommend(mine, 0).items == []
