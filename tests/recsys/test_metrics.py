"""Metric values checked against hand-computed ones."""

from __future__ import annotations

import math

import numpy as np
import pytest

from recsys import metrics


def test_rmse_and_mae():
    assert metrics.rmse(np.array([3.0, 4.0]), np.array([4.0, 2.0])) == pytest.approx(math.sqrt(2.5))
    assert metrics.mae(np.array([3.0, 4.0]), np.array([4.0, 2.0])) == pytest.approx(1.5)


def test_precision_recall_ndcg_by_hand():
    recommended, relevant = [5, 1, 7, 2], {1, 2, 9}
    assert metrics.precision_at_k(recommended, relevant, k=4) == pytest.approx(0.5)
    assert metrics.recall_at_k(recommended, relevant, k=4) == pytest.approx(2 / 3)
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert metrics.ndcg_at_k(recommended, relevant, k=4) == pytest.approx(dcg / ideal)


def test_perfect_list_has_ndcg_one():
    assert metrics.ndcg_at_k([3, 4], {3, 4}, k=10) == pytest.approx(1.0)


def test_relevance_threshold_and_report_skip_users_without_relevant_movies():
    relevant = metrics.relevant_by_user(
        np.array([1, 1, 2]), np.array([10, 11, 10]), np.array([4.0, 3.5, 2.0])
    )
    assert relevant == {1: {10}}
    report = metrics.ranking_report({1: [10, 12], 2: [13]}, relevant, k=2)
    assert report["users"] == 1 and report["precision@2"] == pytest.approx(0.5)


def test_coverage_and_support():
    lists = [[1, 2], [2, 3]]
    assert metrics.coverage(lists, n_catalogue=10) == pytest.approx(0.3)
    assert metrics.support(lists, {1: 5, 2: 50, 3: 7}) == pytest.approx(28.5)


def test_graded_ndcg_counts_a_disliked_movie_against_the_list():
    held = {1: 5.0, 2: 4.0, 3: 1.0}  # gains 2, 1, -2
    ideal = 2 + 1 / math.log2(3)
    assert metrics.graded_ndcg_at_k([1, 2, 9], held, k=3) == pytest.approx(1.0)
    assert metrics.graded_ndcg_at_k([3, 1], held, k=3) == pytest.approx(
        (-2 + 2 / math.log2(3)) / ideal
    )
    assert metrics.graded_ndcg_at_k([3], held, k=3) < 0


def test_graded_ndcg_is_undefined_without_a_positive_gain():
    assert math.isnan(metrics.graded_ndcg_at_k([1], {1: 3.0, 2: 2.0}, k=10))


def test_disappointment_rate_pools_the_rated_recommendations():
    lists = {1: [10, 11, 12], 2: [10, 13]}
    held = {1: {10: 2.5, 11: 4.0}, 2: {13: 1.0, 99: 5.0}}
    assert metrics.disappointment_rate(lists, held, k=10) == pytest.approx(2 / 3)
    assert metrics.disappointment_rate(lists, held, k=1) == pytest.approx(1.0)  # only 10, by 1
    assert math.isnan(metrics.disappointment_rate({1: [12]}, held))


def test_shares_of_stars_below_the_floor_and_of_lists_that_never_rise():
    stars = [[4.5, 4.0, 4.0], [3.9, 2.9], [3.0, 3.5]]
    assert metrics.share_below(stars, 3.0) == pytest.approx(1 / 7)
    assert metrics.share_non_increasing(stars) == pytest.approx(2 / 3)
    assert metrics.non_increasing([]) and not metrics.non_increasing([1.0, 1.5])
    assert math.isnan(metrics.share_below([], 3.0))
