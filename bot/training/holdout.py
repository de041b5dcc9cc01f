"""The held-out ratings every training run is judged on: a fixed slice of (person, movie) pairs.

Fairness. The gate compares a new model with the serving one on the same ratings, and that is
only fair if neither trained on them. A fresh random split per run cannot promise it: most
ratings held out now were training data for the serving model last time, which flatters it.
So the held-out part is a fixed slice of rating *pairs*, chosen by a hash of (person, movie):
every model this pipeline trains leaves the same pairs out, whatever the snapshot, so no model
has seen any of them. A new rating joins the slice exactly when its pair hashes into it, so the
slice grows with the data and keeps looking like it (bot people included). The cost: served
models never train on those pairs (~10%); fold-in still uses all of a person's own ratings, so
their recommendations do see them. A model trained elsewhere on everything (e.g. `recsys train`)
may have seen the slice; the comparison then favours the serving model, so the gate errs on the
side of keeping it. Re-training the serving model's recipe on this split to score it was
rejected: it would double every run.

The scores on this slice come from recsys.evaluation.heldout_scores, the same module the CLI and
the benchmarks use.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.hashing import splitmix64

SCALE = 1_000_000
"""The hash is compared against fraction * SCALE: shares are exact to one in a million."""


def holdout_mask(users: np.ndarray, movies: np.ndarray, fraction: float) -> np.ndarray:
    """True for the (user, movie) pairs in the held-out slice; the same pairs on every call."""
    key = (np.asarray(users, dtype=np.int64).astype(np.uint64) << np.uint64(32)) ^ np.asarray(
        movies, dtype=np.int64
    ).astype(np.uint64)
    return splitmix64(key) % np.uint64(SCALE) < np.uint64(round(fraction * SCALE))


def split(ratings: pd.DataFrame, fraction: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, held_out) by `holdout_mask` alone: nothing else about the snapshot decides it."""
    mask = holdout_mask(ratings["userId"].to_numpy(), ratings["movieId"].to_numpy(), fraction)
    return ratings[~mask].reset_index(drop=True), ratings[mask].reset_index(drop=True)
