"""The training snapshot as files: written by the bot, read by the training process.

Ratings go as .npz and movies as JSON records, so nothing is pickled and the SQL stays in
bot/storage.py (the worker never opens the database).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

_RATING_COLUMNS = {"userId": np.int64, "movieId": np.int64, "rating": np.float32}


def write_snapshot(folder: Path, ratings: pd.DataFrame, movies: pd.DataFrame) -> dict[str, Path]:
    """Writes the parent's snapshot: ratings as .npz (no pickle), movies as JSON records."""
    paths = {"ratings": folder / "ratings.npz", "movies": folder / "movies.json"}
    columns = {c: ratings[c].to_numpy(dtype=t) for c, t in _RATING_COLUMNS.items()}
    columns["timestamp"] = ratings["timestamp"].to_numpy(dtype=np.int64)
    np.savez(paths["ratings"], **columns)
    records = [
        {
            "movieId": int(m),
            "title": str(t),
            "year": None if pd.isna(y) else int(y),
            "genres": list(g),
        }
        for m, t, y, g in zip(
            movies["movieId"], movies["title"], movies["year"], movies["genres"], strict=True
        )
    ]
    paths["movies"].write_text(json.dumps(records), encoding="utf-8")
    return paths


def read_snapshot(ratings_path: Path, movies_path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ratings, movies) in the recsys formats, as `write_snapshot` wrote them."""
    with np.load(ratings_path, allow_pickle=False) as data:
        ratings = pd.DataFrame({c: data[c] for c in (*_RATING_COLUMNS, "timestamp")})
    movies = pd.DataFrame(json.loads(movies_path.read_text(encoding="utf-8")))
    if movies.empty:
        movies = pd.DataFrame(columns=["movieId", "title", "year", "genres"])
    movies["year"] = movies["year"].astype("Int64")
    return ratings, movies
