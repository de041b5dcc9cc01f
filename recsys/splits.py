"""Train/hold-out splits of a ratings frame."""

from __future__ import annotations

import numpy as np
import pandas as pd


def notebook_split(ratings: pd.DataFrame, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The seed notebook's random 80/20 split (np.random.seed(3); np.random.rand(n) < 0.8),
    kept bit-for-bit so numbers compare with it. Uses the legacy global generator on purpose."""
    np.random.seed(seed)
    mask = np.random.rand(len(ratings)) < 0.8
    return ratings[mask].reset_index(drop=True), ratings[~mask].reset_index(drop=True)


def temporal_split(
    ratings: pd.DataFrame, fraction: float = 0.2
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each user's latest `fraction` of ratings (by timestamp) held out, at least one kept.

    Users with a single rating stay entirely in training. Ties in time are broken by
    movieId so the split is deterministic.
    """
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must be between 0 and 1, got {fraction}")
    ordered = ratings.sort_values(["userId", "timestamp", "movieId"], kind="stable")
    rank = ordered.groupby("userId").cumcount().to_numpy()
    size = ordered.groupby("userId")["userId"].transform("size").to_numpy()
    n_test = np.floor(size * fraction).astype(np.int64)
    test = rank >= size - n_test
    return (
        ordered[~test].reset_index(drop=True),
        ordered[test].reset_index(drop=True),
    )
