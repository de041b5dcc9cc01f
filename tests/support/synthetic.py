"""Small generated datasets with a known answer: a low-rank rating matrix plus noise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

GENRES = ("Action", "Comedy", "Drama", "Horror")

FAST: dict[str, Any] = {
    "dim": 8,
    "l2": 0.03,
    "lr": 0.1,
    "lr_decay": 0.9,
    "batch_size": 256,
    "epochs": 40,
    "patience": 4,
}
"""TrainConfig fields that fit `low_rank()` data well in about a second."""


@dataclass(frozen=True)
class Synthetic:
    ratings: pd.DataFrame
    movies: pd.DataFrame
    true: pd.DataFrame
    """Every (userId, movieId) with its noise-free rating, observed or not."""
    noise: float


def low_rank(
    n_users: int = 150,
    n_items: int = 120,
    rank: int = 3,
    density: float = 0.35,
    noise: float = 0.3,
    seed: int = 0,
) -> Synthetic:
    """Ratings = 3.3 + user bias + item bias + U.V + N(0, noise), clipped to 0.5-5 like real
    ratings (the scale keeps clipping rare, so the best possible RMSE is about `noise`).
    Popular items are observed more often (like real data), so rating counts vary. Ids are
    offset so they differ from indices."""
    rng = np.random.default_rng(seed)
    u = rng.normal(0, 0.5, (n_users, rank))
    v = rng.normal(0, 0.5, (n_items, rank))
    true = 3.3 + rng.normal(0, 0.3, (n_users, 1)) + rng.normal(0, 0.3, (1, n_items)) + u @ v.T
    popularity = np.linspace(1.6, 0.4, n_items)
    observed = rng.random((n_users, n_items)) < density * popularity[None, :]
    users, items = np.nonzero(observed)
    values = true[users, items] + rng.normal(0, noise, users.size)
    ratings = pd.DataFrame(
        {
            "userId": (users + 1000).astype("int64"),
            "movieId": (items * 10 + 7).astype("int64"),
            "rating": np.clip(values, 0.5, 5.0).astype("float32"),
            "timestamp": rng.integers(1_000_000, 2_000_000, users.size).astype("int64"),
        }
    )
    movies = pd.DataFrame(
        {
            "movieId": (np.arange(n_items) * 10 + 7).astype("int64"),
            "title": [f"Movie {i} (20{i % 25:02d})" for i in range(n_items)],
            "genres": [
                [GENRES[i % 4]] + ([GENRES[(i + 1) % 4]] if i % 3 == 0 else [])
                for i in range(n_items)
            ],
        }
    )
    all_u, all_i = np.meshgrid(np.arange(n_users), np.arange(n_items), indexing="ij")
    truth = pd.DataFrame(
        {
            "userId": all_u.ravel() + 1000,
            "movieId": all_i.ravel() * 10 + 7,
            "rating": true.ravel(),
        }
    )
    return Synthetic(ratings, movies, truth, noise)


def holdout(ratings: pd.DataFrame, fraction: float = 0.2, seed: int = 1):
    """A random train/test split of a ratings frame."""
    rng = np.random.default_rng(seed)
    mask = rng.random(len(ratings)) >= fraction
    return ratings[mask].reset_index(drop=True), ratings[~mask].reset_index(drop=True)


def ratings_of(synthetic: Synthetic, user: int) -> dict[int, float]:
    """{movieId: rating} of one user, as a person's ratings reach recommend()."""
    rows = synthetic.ratings[synthetic.ratings["userId"] == user]
    return dict(zip(rows["movieId"].tolist(), rows["rating"].astype(float).tolist(), strict=True))
