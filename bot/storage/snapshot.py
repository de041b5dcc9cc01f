"""Every rating as one training frame: on the bot's reader, or read by the training process.

userId is the internal person id, so MovieLens and Telegram people never collide.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import aiosqlite
import numpy as np
import pandas as pd

from bot.storage.catalogue import ALL_MOVIES, movies_frame
from bot.storage.connection import BUSY_TIMEOUT_MS, Row, fetch_all
from bot.storage.errors import StorageError

ALL_RATINGS = "SELECT person_id, movie_id, rating, rated_at FROM ratings"
"""What `ratings_frame` reads."""


async def training_snapshot(reader: aiosqlite.Connection) -> pd.DataFrame:
    """Every rating (MovieLens and Telegram people alike) as of one instant.

    The training process reads its data with `read_training_data` instead, so that this
    GIL-holding work stays out of the bot's process during a run.
    """
    rows = await fetch_all(reader, ALL_RATINGS)
    return await asyncio.to_thread(ratings_frame, rows)  # ~0.1 s: not on the event loop


def read_training_data(database_path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ratings, movies) as training_snapshot() and all_movies() give them, read synchronously.

    For the training process: it reads the data itself, so the bot's process (and its GIL)
    does none of the work during a run. The file is opened read-only, never created or
    migrated, and both tables are read in one transaction: one consistent instant under WAL,
    however the bot writes meanwhile. Raises StorageError when the file cannot be read.
    """
    path = Path(database_path)
    if not path.is_file():
        raise StorageError(f"no database to read the training data from: {path}")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error as err:
        raise StorageError(f"cannot open the database {path} to read: {err}") from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("BEGIN")
        ratings = conn.execute(ALL_RATINGS).fetchall()
        movies = conn.execute(ALL_MOVIES).fetchall()
        conn.execute("COMMIT")
    except sqlite3.Error as err:
        raise StorageError(f"cannot read the training data from {path}: {err}") from None
    finally:
        conn.close()
    return ratings_frame(ratings), movies_frame(movies)


def ratings_frame(rows: list[Row]) -> pd.DataFrame:
    """The recsys ratings frame from ALL_RATINGS rows: userId, movieId, rating, timestamp."""
    table = np.array(rows, dtype=np.float64).reshape(-1, 4)
    return pd.DataFrame(
        {
            "userId": table[:, 0].astype(np.int64),
            "movieId": table[:, 1].astype(np.int64),
            "rating": table[:, 2].astype(np.float32),
            "timestamp": np.floor(table[:, 3]).astype(np.int64),
        }
    )
