"""The fixed held-out slice: same pairs whatever else is in the snapshot."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bot.training.holdout import holdout_mask, split


def ratings(n_users: int, n_movies: int) -> pd.DataFrame:
    users, movies = np.meshgrid(np.arange(1, n_users + 1), np.arange(1, n_movies + 1))
    return pd.DataFrame(
        {"userId": users.ravel(), "movieId": movies.ravel(), "rating": 3.0, "timestamp": 0}
    )


def test_about_the_asked_share_is_held_out() -> None:
    data = ratings(200, 200)
    share = holdout_mask(data["userId"].to_numpy(), data["movieId"].to_numpy(), 0.1).mean()
    assert 0.09 < share < 0.11


def test_a_pair_stays_in_or_out_when_the_snapshot_grows() -> None:
    small, big = ratings(50, 50), ratings(80, 120)
    held_small = set(map(tuple, split(small, 0.1)[1][["userId", "movieId"]].to_numpy()))
    held_big = set(map(tuple, split(big, 0.1)[1][["userId", "movieId"]].to_numpy()))
    assert held_small and held_small <= held_big
    assert held_big & set(map(tuple, small[["userId", "movieId"]].to_numpy())) == held_small
