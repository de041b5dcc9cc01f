"""What people tell the recommender besides good ratings: dislikes, "not interested", genre
requests with little to offer. A dislike steers away from similar movies; nothing shown is
predicted below the floor; the list says when a genre had too little."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from recsys.trained import TrainedRecommender
from tests.support.synthetic import Synthetic, ratings_of

PERSON = 1010


def most_rated(synthetic: Synthetic, n: int) -> list[int]:
    return [int(m) for m in synthetic.ratings["movieId"].value_counts().index[:n]]


def score_rank(
    rec: TrainedRecommender, ratings: dict[int, float], movies: list[int], **kw
) -> float:
    """Mean position of `movies` when every recommendable movie is ordered by the ranking
    score (a movie not listed counts as last)."""
    items = rec.recommend(ratings, k=len(rec.items), **kw).items
    order = [r.movie_id for r in sorted(items, key=lambda r: -r.score)]
    return float(np.mean([order.index(m) if m in order else len(order) for m in movies]))


def neighbours(rec: TrainedRecommender, movie: int, ratings: dict[int, float]) -> list[int]:
    return [m for m, _ in rec.similar(movie, k=5, exclude=ratings)]


def test_a_person_with_only_dislikes_gets_a_list_of_movies_predicted_to_please(synthetic, trained):
    dislikes = dict.fromkeys(most_rated(synthetic, 5), 1.0)
    recs = trained.recommend(dislikes, k=10)
    stars = [r.predicted_rating for r in recs.items]
    # The default model (mf_bias) has movies to offer; the others may honestly have none.
    assert recs.path == "personal" and (stars or trained.kind != "mf_bias") and not recs.weak
    assert all(s >= 3.0 for s in stars) and stars == sorted(stars, reverse=True)
    assert all(r.because is None for r in recs.items)  # nothing they liked explains them


def test_five_low_ratings_pull_the_person_down_only_part_of_the_way(synthetic, mf_bias):
    dislikes = dict.fromkeys(most_rated(synthetic, 5), 1.0)
    loose = mf_bias.configured(
        serve=dataclasses.replace(mf_bias.serve, fold_in_bias_prior=0.0, fold_in_vector_prior=0.0)
    )
    shrunk = mf_bias.predict_for(dislikes, mf_bias.items.ids)
    unshrunk = loose.predict_for(dislikes, mf_bias.items.ids)
    average = mf_bias.predict_for({}, mf_bias.items.ids)  # an unknown person's fallback
    assert np.median(unshrunk) < np.median(shrunk) < np.median(average)
    assert (shrunk >= 3.0).sum() > (unshrunk >= 3.0).sum()


def alike_in_taste(synthetic: Synthetic, movie: int, n: int = 5) -> list[int]:
    """The n movies whose true ratings correlate most with `movie`'s across all users."""
    table = synthetic.true.pivot(index="userId", columns="movieId", values="rating")
    return table.corrwith(table[movie]).drop(movie).nlargest(n).index.tolist()


def test_a_dislike_pushes_movies_alike_in_taste_down_where_it_used_to_pull_up(synthetic, mf_bias):
    liked = {m: 4.5 for m in most_rated(synthetic, 12)[6:9]}
    disliked = most_rated(synthetic, 1)[0]
    near = [m for m in alike_in_taste(synthetic, disliked, 8) if m not in liked][:5]
    with_dislike = {**liked, disliked: 1.0}
    old = mf_bias.configured(watch=dataclasses.replace(mf_bias.watch.config, dislike_weight=0.0))
    assert score_rank(mf_bias, with_dislike, near) > score_rank(old, with_dislike, near)
    stars = mf_bias.predict_for(with_dislike, near).mean()
    assert stars < mf_bias.predict_for(liked, near).mean()


def test_not_interested_is_never_shown_and_pushes_similar_movies_down(synthetic, mf_bias):
    mine = ratings_of(synthetic, PERSON)
    first = mf_bias.recommend(mine, k=10).items[0].movie_id
    near = neighbours(mf_bias, first, mine)
    shown = [r.movie_id for r in mf_bias.recommend(mine, k=30, dismissed=[first]).items]
    assert first not in shown
    before = score_rank(mf_bias, mine, near, exclude=[first])
    assert score_rank(mf_bias, mine, near, dismissed=[first]) > before


def test_a_genre_with_too_little_above_the_floor_is_filled_and_marked_weak(synthetic, mf_bias):
    mine = ratings_of(synthetic, PERSON)
    horror = synthetic.movies[synthetic.movies["genres"].map(lambda g: "Horror" in g)]
    unseen = [m for m in horror["movieId"].tolist() if m not in mine]
    third, fourth = np.sort(mf_bias.predict_for(mine, unseen))[::-1][2:4]
    floor = float((third + fourth) / 2)  # three unseen horror movies reach it
    strict = mf_bias.configured(serve=dataclasses.replace(mf_bias.serve, min_predicted=floor))
    asked = strict.recommend(mine, k=10, genres=["Horror"])
    stars = [r.predicted_rating for r in asked.items]
    unasked = strict.recommend(mine, k=10, exclude_genres=["Comedy"])
    assert asked.weak and len(stars) == 10 and stars == sorted(stars, reverse=True)
    raw = strict.predict_for(mine, [r.movie_id for r in asked.items])  # stars are half stars
    assert sum(raw >= floor) == 3
    assert not unasked.weak and len(unasked.items) < 10
    assert min(strict.predict_for(mine, [r.movie_id for r in unasked.items])) >= floor


def test_reasons_are_movies_the_person_liked(synthetic, trained):
    mine = ratings_of(synthetic, 1020)
    recs = trained.recommend(mine, k=10).items
    assert all(r.because is None or mine[r.because[0]] >= 3.5 for r in recs)


@pytest.mark.parametrize("rating", [1.0, 4.5])
def test_predict_for_moves_with_what_the_person_said(synthetic, mf_bias, rating):
    movies = most_rated(synthetic, 20)
    base = mf_bias.predict_for({movies[0]: 3.5}, movies[1:])
    said = mf_bias.predict_for({movies[0]: rating}, movies[1:])
    assert (np.mean(said) > np.mean(base)) == (rating > 3.5)
