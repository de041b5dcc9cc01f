"""The training data read from PostgreSQL by the training process, streamed in chunks.

One REPEATABLE READ, READ ONLY transaction: the ratings and the movies are one instant, as
the SQLite reader's transaction gives under WAL, while the replicas go on writing. The
ratings come through a server-side cursor CHUNK rows at a time, each chunk turned into a
float64 array at once, so the process never holds every rating as Python objects (tens of
millions of them would need gigabytes); the movies are few and come whole.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import numpy as np

from bot.storage.catalogue import ALL_MOVIES
from bot.storage.errors import StorageError
from bot.storage.sql import Row
from bot.storage.url import DatabaseUrl

CHUNK = 50_000
"""Ratings fetched per round trip and converted per array."""
CONNECT_TIMEOUT_S = 10.0
_RATINGS = (  # ALL_RATINGS, with every column as the float64 the frame is built from
    "SELECT person_id::float8, movie_id::float8, rating, rated_at FROM ratings"
    " ORDER BY person_id, movie_id"
)


def read_postgres(url: DatabaseUrl) -> tuple[np.ndarray, list[Row]]:
    """(ratings as an (n, 4) float64 array of ALL_RATINGS's columns, ALL_MOVIES rows);
    StorageError (one line, without the password) when the database cannot be read."""
    try:
        return asyncio.run(_read(url))
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as err:
        raise StorageError(f"cannot read the training data from {url}: {err}") from None


async def _read(url: DatabaseUrl) -> tuple[np.ndarray, list[Row]]:
    conn: Any = await asyncpg.connect(
        url.dsn,
        timeout=CONNECT_TIMEOUT_S,
        server_settings={"application_name": "moviebot training"},
    )
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            chunks = [np.zeros((0, 4), dtype=np.float64)]
            cursor = await conn.cursor(_RATINGS)
            while rows := await cursor.fetch(CHUNK):
                chunks.append(np.array([tuple(row) for row in rows], dtype=np.float64))
            movies = [tuple(row) for row in await conn.fetch(ALL_MOVIES)]
    finally:
        await conn.close()
    return np.concatenate(chunks), movies
