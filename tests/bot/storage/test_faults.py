"""Storage faults are loud: a lost file refuses writes instead of swallowing them, a read-only
file fails at start-up, and a foreign write lock means "busy" within seconds, not silence.

SQLite only: these are faults of the database file and of SQLite's write lock
(test_pg_storage has PostgreSQL's lock timeout)."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from pathlib import Path

import pytest

from bot.storage import DatabaseBusy, DatabaseLost, Storage, StorageError
from bot.storage.connection import WRITE_BUSY_TIMEOUT_MS
from bot.storage.health import FileGuard
from tests.bot.storage.faults import (
    database_file,
    delete_keeping,
    made_read_only,
    stored_rating,
    write_locked,
)

WAIT_S = WRITE_BUSY_TIMEOUT_MS / 1000


@pytest.fixture
def backend() -> str:
    """The file's faults: SQLite only (see the module docstring)."""
    return "sqlite"


def storage_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_deleted_database_refuses_every_write_and_says_so_once(
    storage: Storage, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await storage.record_rating(1, 2, 4.0)
    delete_keeping(database_file(storage), tmp_path / "kept.db")

    for attempt in range(3):
        with pytest.raises(DatabaseLost, match="deleted"):
            await storage.record_rating(2, 2, 5.0 - attempt)
    with pytest.raises(DatabaseLost):
        await storage.forget_person(1)

    assert [r.movie_id for r in await storage.ratings_of(1)] == [2]  # reads go on
    await storage.close()
    assert stored_rating(tmp_path / "kept.db", 1, 2) == 4.0
    assert stored_rating(tmp_path / "kept.db", 2, 2) is None  # nothing went into the lost file
    [error] = storage_errors(caplog)
    assert "was deleted" in error and "put the right database file back" in error


async def test_a_replaced_database_refuses_writes_to_either_file(
    storage: Storage, tmp_path: Path, small_movielens: Path
) -> None:
    other = tmp_path / "other.db"
    async with await Storage.open(other) as replacement:
        await replacement.import_movielens(small_movielens)
    delete_keeping(database_file(storage), tmp_path / "kept.db")
    os.replace(other, storage.path)

    with pytest.raises(DatabaseLost, match="replaced"):
        await storage.record_rating(3, 2, 4.5)

    await storage.close()
    assert stored_rating(database_file(storage), 3, 2) is None
    assert stored_rating(tmp_path / "kept.db", 3, 2) is None


async def test_a_file_made_read_only_while_running_refuses_writes(storage: Storage) -> None:
    with made_read_only(database_file(storage)), pytest.raises(DatabaseLost, match="read-only"):
        await storage.record_rating(4, 2, 4.0)
    with pytest.raises(DatabaseLost):  # lost stays lost: restart with a writable file
        await storage.record_rating(4, 2, 4.0)


async def test_a_read_only_file_fails_at_open_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    await (await Storage.open(path)).close()

    with made_read_only(path), pytest.raises(StorageError) as refused:
        await Storage.open(path)

    message = str(refused.value)
    assert "cannot be written" in message and "read-only" in message
    assert "\n" not in message


@pytest.mark.parametrize("existing", [True, False], ids=["existing", "new"])
async def test_a_database_in_a_read_only_folder_fails_at_open_in_one_line(
    tmp_path: Path, existing: bool
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    if existing:  # closed cleanly: no -wal or -shm left, so opening must create them
        await (await Storage.open(folder / "bot.db")).close()

    with made_read_only(folder), pytest.raises(StorageError) as refused:
        await Storage.open(folder / "bot.db")

    assert "create files in its folder" in str(refused.value)
    assert "\n" not in str(refused.value)


async def test_a_database_sqlite_itself_considers_read_only_fails_at_open(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    await (await Storage.open(path)).close()
    with path.open("r+b") as file:  # the header's write version: above 2, SQLite won't write
        file.seek(18)
        file.write(bytes([3]))

    with pytest.raises(StorageError, match=r"cannot be written: it is read-only"):
        await Storage.open(path)


async def test_a_foreign_write_lock_means_busy_within_seconds_while_reads_answer(
    storage: Storage,
) -> None:
    with write_locked(database_file(storage)):
        started = time.monotonic()
        write = asyncio.create_task(storage.record_rating(5, 2, 4.0))
        await asyncio.sleep(0.5)  # the write is waiting for the lock now
        read_started = time.monotonic()
        assert await storage.popular_movies(3)
        assert await storage.ratings_of(5) == []
        read_s = time.monotonic() - read_started
        with pytest.raises(DatabaseBusy, match="write lock"):
            await write
        busy_s = time.monotonic() - started

    assert busy_s < WAIT_S + 3
    assert read_s < 1.0  # reads never wait for a writer (WAL), nor for the writer's queue


async def test_writes_queued_behind_a_busy_one_do_not_wait_a_second_round(
    storage: Storage,
) -> None:
    async def rate_after(delay: float, telegram_id: int) -> float:
        await asyncio.sleep(delay)
        with pytest.raises(DatabaseBusy):
            await storage.record_rating(telegram_id, 2, 4.0)
        return time.monotonic()

    with write_locked(database_file(storage), "BEGIN IMMEDIATE"):
        started = time.monotonic()
        ended = await asyncio.gather(*(rate_after(0.4 * i, 60 + i) for i in range(5)))

    assert max(ended) - started < 2 * WAIT_S - 0.5  # one wait for all, not one after another


async def test_while_the_lock_is_known_taken_writes_fail_fast_then_save_again(
    storage: Storage,
) -> None:
    with write_locked(database_file(storage)):
        with pytest.raises(DatabaseBusy):
            await storage.record_rating(7, 2, 4.0)
        started = time.monotonic()
        with pytest.raises(DatabaseBusy):
            await storage.record_rating(7, 2, 4.5)
        again_s = time.monotonic() - started

    await storage.record_rating(7, 2, 3.5)

    assert again_s < WAIT_S / 2
    assert [r.rating for r in await storage.ratings_of(7)] == [3.5]


async def test_the_movielens_import_waits_longer_than_a_person(
    tmp_path: Path, small_movielens: Path
) -> None:
    async with await Storage.open(tmp_path / "bot.db") as store:
        with write_locked(database_file(store)):
            importing = asyncio.create_task(store.import_movielens(small_movielens))
            await asyncio.sleep(WAIT_S + 1)  # past a person's wait, the import still waits
            assert not importing.done()
        result = await importing

    assert result.movies > 0


def test_an_sqlite_error_meaning_unwritable_loses_the_file(tmp_path: Path) -> None:
    path = tmp_path / "any.db"
    path.touch()
    guard = FileGuard(path)
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = sqlite3.SQLITE_FULL
    other = sqlite3.IntegrityError("UNIQUE constraint failed")
    other.sqlite_errorcode = sqlite3.SQLITE_CONSTRAINT

    assert guard.classify(other) is None
    assert isinstance(guard.classify(full), DatabaseLost)
    assert guard.lost is not None and "disk is full" in guard.lost
    with pytest.raises(DatabaseLost):
        guard.check()


def test_the_file_check_costs_microseconds(tmp_path: Path) -> None:
    """Not a timing assertion: prints what the check before each COMMIT costs (run with -s)."""
    path = tmp_path / "any.db"
    path.touch()
    guard, rounds = FileGuard(path), 20_000
    started = time.perf_counter()
    for _ in range(rounds):
        guard.check()
    print(f"FileGuard.check: {(time.perf_counter() - started) / rounds * 1e6:.2f} µs")
    assert guard.lost is None
