"""The notebook's random split and the per-user temporal hold-out."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.splits import notebook_split, temporal_split


def frame(n_users: int = 5, per_user: int = 10) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    users = np.repeat(np.arange(n_users), per_user)
    return pd.DataFrame(
        {
            "userId": users,
            "movieId": rng.permutation(users.size),
            "rating": rng.integers(1, 11, users.size) / 2,
            "timestamp": rng.integers(0, 1_000, users.size),
        }
    )


def test_notebook_split_matches_the_notebooks_mask():
    ratings = frame()
    train, test = notebook_split(ratings)
    np.random.seed(3)
    mask = np.random.rand(len(ratings)) < 0.8
    assert train["movieId"].tolist() == ratings["movieId"][mask].tolist()
    assert test["movieId"].tolist() == ratings["movieId"][~mask].tolist()


def test_temporal_split_holds_out_each_users_latest_fifth():
    ratings = frame(per_user=10)
    train, test = temporal_split(ratings)
    assert test.groupby("userId").size().tolist() == [2] * 5
    latest_train = train.groupby("userId")["timestamp"].max()
    earliest_test = test.groupby("userId")["timestamp"].min()
    assert (latest_train <= earliest_test).all()


def test_temporal_split_keeps_users_with_one_rating_in_training():
    ratings = frame(n_users=3, per_user=1)
    train, test = temporal_split(ratings)
    assert len(train) == 3 and test.empty
