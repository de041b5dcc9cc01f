"""The real MovieLens folder the real-data tests read, and smaller samples cut from it."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[2]


def movielens_dir() -> Path:
    """MOVIELENS_DIR or the shared copy beside the checkout; raises when it is missing.

    Real-data tests must fail, never skip, without it (CI has the data), so fixtures turn
    this error into a test failure.
    """
    folder = Path(
        os.environ.get("MOVIELENS_DIR") or REPO.parent / "shared" / "datasets" / "ml-latest-small"
    )
    if not (folder / "ratings.csv").is_file() or not (folder / "movies.csv").is_file():
        raise FileNotFoundError(f"MovieLens data not found in {folder} (set MOVIELENS_DIR)")
    return folder


def write_subset(
    source: Path, dest: Path, n_movies: int = 600, max_user: int | None = None
) -> Path:
    """The ``n_movies`` most-rated movies with their ratings, as a MovieLens folder.

    All users stay unless ``max_user`` cuts them to user ids up to it: the model still sees
    diverse tastes while training and import take a fraction of the full dataset's time.
    """
    ratings = pd.read_csv(source / "ratings.csv")
    movies = pd.read_csv(source / "movies.csv")
    top = ratings["movieId"].value_counts().head(n_movies).index
    keep = ratings["movieId"].isin(top)
    if max_user is not None:
        keep &= ratings["userId"] <= max_user
    dest.mkdir(parents=True, exist_ok=True)
    ratings[keep].to_csv(dest / "ratings.csv", index=False)
    movies[movies["movieId"].isin(top)].to_csv(dest / "movies.csv", index=False)
    return dest
