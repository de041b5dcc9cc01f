"""Every rating as one training frame: on the bot's reader, or read by the training process.

userId is the internal person id, so MovieLens and Telegram people never collide. The
training process reads the data itself (`read_training_data`), from the SQLite file opened
read-only or from PostgreSQL over a connection of its own (bot.storage.pg_snapshot); either
way the frames are the same as the bot's reader gives.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd

from bot.storage.catalogue import ALL_MOVIES, movies_frame
from bot.storage.connection import BUSY_TIMEOUT_MS
from bot.storage.errors import StorageError
from bot.storage.sql import Connection, Row
from bot.storage.url import is_url, with_password

ALL_RATINGS = (
    "SELECT person_id, movie_id, rating, rated_at FROM ratings ORDER BY person_id, movie_id"
)
"""What `ratings_frame` reads. In key order: both databases give the same frame, row for row
(SQLite stores the table in that order, so it costs nothing there)."""


async def training_snapshot(reader: Connection) -> pd.DataFrame:
    """Every rating (MovieLens and Telegram people alike) as of one instant.

    The training process reads its data with `read_training_data` instead, so that this
    GIL-holding work stays out of the bot's process during a run.
    """
    rows = await reader.fetch_all(ALL_RATINGS)
    return await asyncio.to_thread(ratings_frame, rows)  # ~0.1 s: not on the event loop


def read_training_data(database: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ratings, movies) as training_snapshot() and all_movies() give them, read synchronously.

    ``database`` is what Storage.location gives: a SQLite file's path (or ``sqlite:///``
    URL), or a ``postgresql://`` URL (its password, when it has none, from DATABASE_URL in
    the environment, PGPASSWORD or ~/.pgpass). For the training process: it reads the data
    itself, so the bot's process (and its GIL) does none of the work during a run. Both
    tables are read in one transaction (one instant, however the bot writes meanwhile); the
    database is never created or migrated. Raises StorageError when it cannot be read.
    """
    text = str(database)
    if is_url(text):
        url = with_password(text)
        if url.path is None:
            from bot.storage.pg_snapshot import read_postgres  # only PostgreSQL needs asyncpg

            ratings, movies = read_postgres(url)
            return ratings_frame_from(ratings), movies_frame(movies)
        database = url.path
    return _read_sqlite(Path(database))


def _read_sqlite(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The file is opened read-only: one consistent instant under WAL."""
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
    return ratings_frame_from(np.array(rows, dtype=np.float64).reshape(-1, 4))


def ratings_frame_from(table: np.ndarray) -> pd.DataFrame:
    """The ratings frame from ALL_RATINGS's columns as one float64 array of shape (n, 4)."""
    return pd.DataFrame(
        {
            "userId": table[:, 0].astype(np.int64),
            "movieId": table[:, 1].astype(np.int64),
            "rating": table[:, 2].astype(np.float32),
            "timestamp": np.floor(table[:, 3]).astype(np.int64),
        }
    )
