"""How a personal list is put together: the floor, the order by stars, the fill, the reasons."""

from __future__ import annotations

import itertools

import numpy as np

from recsys.lists import best_in_order, choose, reasons

SCORE = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
PREDICTED = np.array([3.2, 4.5, 2.0, 4.0, 3.6, 2.5])
EVERYTHING = np.ones(6, dtype=bool)


def test_the_chosen_movies_are_shown_by_predicted_rating_and_none_below_the_floor():
    top, weak = choose(SCORE, PREDICTED, EVERYTHING, 3, floor=3.0, pool=3, fill=False)
    assert top.tolist() == [1, 3, 0]  # the best three by score above the floor, by stars
    assert not weak


def test_without_genres_a_list_is_shorter_rather_than_below_the_floor():
    top, weak = choose(SCORE, PREDICTED, EVERYTHING, 6, floor=3.0, pool=6, fill=False)
    assert sorted(top.tolist()) == [0, 1, 3, 4] and not weak
    assert (PREDICTED[top] >= 3.0).all()


def test_a_genre_list_is_filled_below_the_floor_and_says_it_is_weak():
    top, weak = choose(SCORE, PREDICTED, EVERYTHING, 5, floor=3.0, pool=5, fill=True)
    stars = PREDICTED[top].tolist()
    assert weak and len(top) == 5 and stars == sorted(stars, reverse=True)
    assert stars[-1] == 2.5  # the best below the floor comes last


def test_a_list_that_needs_no_filling_is_not_weak():
    _, weak = choose(SCORE, PREDICTED, EVERYTHING, 2, floor=3.0, pool=2, fill=True)
    assert not weak


def test_disallowed_and_unscorable_movies_are_never_chosen():
    allowed = EVERYTHING.copy()
    allowed[1] = False
    score = SCORE.copy()
    score[3] = -np.inf
    top, _ = choose(score, PREDICTED, allowed, 6, floor=0.0, pool=6, fill=True)
    assert not {1, 3} & set(top.tolist())


def test_best_in_order_matches_brute_force():
    rng = np.random.default_rng(3)
    value = rng.random(9)
    discount = 1 / np.log2(np.arange(4) + 2)
    best = max(itertools.combinations(range(9), 4), key=lambda c: value[list(c)] @ discount)
    assert best_in_order(value, 4).tolist() == list(best)
    assert best_in_order(value[:3], 4).tolist() == [0, 1, 2]


def test_a_pool_lets_a_likelier_movie_replace_a_weak_one_high_in_the_list():
    score = np.array([0.05, 1.0, 0.9, 0.8])
    predicted = np.array([4.9, 4.0, 3.9, 3.8])
    top, _ = choose(score, predicted, np.ones(4, dtype=bool), 3, floor=3.0, pool=4, fill=False)
    assert top.tolist() == [1, 2, 3]


def test_a_reason_is_the_liked_movie_that_raised_the_score_most_or_none():
    contributions = np.array([[0.5, 0.9, 0.1], [-0.2, 0.8, -0.1], [0.3, 0.0, 0.4]])
    values = np.array([4.0, 2.0, 5.0])  # the second movie was disliked: never a reason
    assert reasons(contributions, values) == [0, None, 2]
    assert reasons(np.zeros((2, 0)), np.zeros(0)) == [None, None]


def test_k_zero_is_an_empty_list():
    assert choose(SCORE, PREDICTED, EVERYTHING, 0, floor=3.0, pool=3, fill=True)[0].size == 0
