"""The swap decision: relative margin on RMSE and NDCG@10, judged on the same held-out part."""

from __future__ import annotations

import math

from bot.training.gate import gate

CURRENT = {"rmse": 0.90, "ndcg@10": 0.20}


def test_better_model_is_accepted() -> None:
    assert gate({"rmse": 0.85, "ndcg@10": 0.25}, CURRENT, 0.02).accept


def test_slightly_worse_within_the_margin_is_accepted() -> None:
    assert gate({"rmse": 0.91, "ndcg@10": 0.197}, CURRENT, 0.02).accept


def test_rmse_worse_beyond_the_margin_is_rejected_with_the_numbers() -> None:
    decision = gate({"rmse": 0.95, "ndcg@10": 0.25}, CURRENT, 0.02)
    assert not decision.accept
    assert "RMSE 0.9500" in decision.reason and "0.9000" in decision.reason


def test_ndcg_worse_beyond_the_margin_is_rejected() -> None:
    decision = gate({"rmse": 0.85, "ndcg@10": 0.10}, CURRENT, 0.02)
    assert not decision.accept and "NDCG@10" in decision.reason


def test_without_a_current_model_a_valid_new_one_is_accepted() -> None:
    assert gate({"rmse": 1.5, "ndcg@10": 0.01}, None, 0.02).accept


def test_a_new_model_without_finite_scores_is_rejected() -> None:
    assert not gate({"rmse": math.nan, "ndcg@10": 0.3}, CURRENT, 0.02).accept
    assert not gate({"rmse": 0.8}, None, 0.02).accept


def test_a_current_metric_that_is_missing_is_not_compared() -> None:
    assert gate({"rmse": 0.99, "ndcg@10": 0.3}, {"ndcg@10": 0.2}, 0.0).accept
