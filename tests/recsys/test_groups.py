"""Least misery: a group's list ranks by its least happy member's predicted rating."""

from __future__ import annotations

import pytest

from recsys.groups import POOL, least_misery
from recsys.results import half_stars
from recsys.trained import TrainedRecommender
from tests.support.synthetic import Synthetic


def members(synthetic: Synthetic, count: int = 2) -> list[dict[int, float]]:
    """The ratings ({movieId: stars}) of the first `count` dataset users, each a member."""
    ratings = synthetic.ratings
    users = sorted(ratings.userId.unique())[:count]
    return [
        dict(zip(mine.movieId.tolist(), mine.rating.tolist(), strict=True))
        for mine in (ratings[ratings.userId == user] for user in users)
    ]


def test_each_movie_shows_its_lowest_members_prediction_and_ranks_by_it(
    mf_bias: TrainedRecommender, synthetic: Synthetic
) -> None:
    group = members(synthetic)

    picks = least_misery(mf_bias, group, 10, floor=0.5)

    assert len(picks) == 10
    for pick in picks:
        each = [
            float(half_stars(mf_bias.predict_for(rated, [pick.movie_id])[0])) for rated in group
        ]
        assert pick.member_stars == pytest.approx(each)
        assert pick.stars == min(each)
    assert [p.stars for p in picks] == sorted((p.stars for p in picks), reverse=True)


def test_nothing_anyone_rated_or_the_group_hid_is_picked(
    mf_bias: TrainedRecommender, synthetic: Synthetic
) -> None:
    group = members(synthetic, 3)
    first = least_misery(mf_bias, group, 10, floor=0.5)
    hidden = {first[0].movie_id}

    picks = least_misery(mf_bias, group, 10, exclude=hidden, floor=0.5)

    rated = set().union(*group)
    assert not {p.movie_id for p in picks} & (rated | hidden)


def test_a_movie_someone_is_predicted_to_dislike_is_left_out(
    mf_bias: TrainedRecommender, synthetic: Synthetic
) -> None:
    group = members(synthetic)

    picks = least_misery(mf_bias, group, 50, floor=3.5)

    assert all(stars >= 3.5 for p in picks for stars in p.member_stars)


def test_a_group_of_one_picks_from_that_persons_own_recommendations(
    mf_bias: TrainedRecommender, synthetic: Synthetic
) -> None:
    (mine,) = members(synthetic, 1)

    picks = least_misery(mf_bias, [mine], 10, floor=0.5)

    own = {r.movie_id: r.predicted_rating for r in mf_bias.recommend(mine, POOL).items}
    assert picks and all(own[p.movie_id] == p.stars for p in picks)


def test_no_members_no_list(mf_bias: TrainedRecommender) -> None:
    assert least_misery(mf_bias, [], 10) == []
