"""The shipped defaults on the real ml-latest-small, notebook split (fails without the data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from recsys.data import load_movielens
from recsys.evaluation import evaluate
from recsys.splits import notebook_split
from recsys.train import TrainConfig, fit

pytestmark = pytest.mark.realdata


def test_default_mf_bias_meets_the_rmse_bound_and_ranks_well(real_movielens_dir: Path):
    data = load_movielens(real_movielens_dir)
    train, test = notebook_split(data.ratings)
    recommender = fit(train, TrainConfig(), data.movies).recommender
    result = evaluate(recommender, train, test)
    assert result["pairs"] == 19_591
    assert result["rmse"] <= 0.835
    # implicit's ALS (64 factors) reaches about 0.24 here; benchmarks/accuracy.py compares.
    assert result["ndcg@10"] >= 0.24
