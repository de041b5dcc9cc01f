"""read_training_data: the training process reads its snapshot itself, read-only and consistent."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bot.storage import Storage, StorageError, read_training_data, snapshot


async def test_it_reads_what_training_snapshot_and_all_movies_give(storage: Storage) -> None:
    await storage.record_rating(1, 2, 1.5)  # a Telegram person's rating beside MovieLens ones

    ratings, movies = await asyncio.to_thread(read_training_data, storage.path)

    pd.testing.assert_frame_equal(ratings, await storage.training_snapshot())
    pd.testing.assert_frame_equal(movies, await storage.all_movies())


async def test_it_reads_a_closed_database_without_changing_it(
    tmp_path: Path, small_movielens: Path
) -> None:
    async with await Storage.open(tmp_path / "bot.db") as store:
        await store.import_movielens(small_movielens)
        expected = (await store.training_snapshot(), await store.all_movies())
    before = (tmp_path / "bot.db").read_bytes()

    ratings, movies = read_training_data(tmp_path / "bot.db")

    pd.testing.assert_frame_equal(ratings, expected[0])
    pd.testing.assert_frame_equal(movies, expected[1])
    assert (tmp_path / "bot.db").read_bytes() == before


def test_a_missing_database_is_an_error_and_is_not_created(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no database to read the training data from"):
        read_training_data(tmp_path / "bot.db")

    assert list(tmp_path.iterdir()) == []


def test_a_file_that_is_no_database_is_an_error_and_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    path.write_bytes(b"not a database at all, " * 100)

    with pytest.raises(StorageError, match="cannot read the training data from"):
        read_training_data(path)

    assert path.read_bytes() == b"not a database at all, " * 100


@pytest.mark.parametrize("backend", ["sqlite"])  # SQLite's reader; test_pg_storage has PG's
async def test_ratings_and_movies_come_from_one_instant(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write committed between the two reads is seen by neither: one read transaction."""
    original = (await storage.all_movies()).set_index("movieId").loc[1, "title"]
    assert isinstance(original, str)
    connect = sqlite3.connect

    class WriteMidway:
        """The reader's connection; right after the ratings query, another process commits."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self._conn = connect(*args, **kwargs)

        def execute(self, sql: str) -> sqlite3.Cursor:
            cursor = self._conn.execute(sql)
            if "FROM ratings" in sql:
                other = connect(storage.path, isolation_level=None)
                other.execute("UPDATE movies SET title = 'Renamed meanwhile' WHERE movie_id = 1")
                other.close()
            return cursor

        def close(self) -> None:
            self._conn.close()

    monkeypatch.setattr(snapshot.sqlite3, "connect", WriteMidway)
    _, during = await asyncio.to_thread(read_training_data, storage.path)
    monkeypatch.undo()
    _, after = await asyncio.to_thread(read_training_data, storage.path)

    assert during.set_index("movieId").loc[1, "title"] == original
    assert after.set_index("movieId").loc[1, "title"] == "Renamed meanwhile"
