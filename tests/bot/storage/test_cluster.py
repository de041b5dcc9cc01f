"""The training lock and schedule slots shared by replicas, on SQLite and on PostgreSQL.

The PostgreSQL cases run on a fresh database of the test server (tests/support/postgres.py)
and fail when it cannot be reached.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncpg
import pytest

from bot.storage import Storage
from bot.storage.cluster import (
    KEEP_SLOTS_S,
    FileLock,
    PostgresLock,
    claim_slot,
    training_lock,
)
from bot.storage.connection import SqliteConnection, connect
from bot.storage.errors import StorageError
from bot.storage.migrations import migrate
from bot.storage.postgres import PgConnection
from tests.support.data import REPO
from tests.support.postgres import fresh_database

PG_MIGRATION = REPO / "migrations" / "postgresql" / "007_cluster.sql"
RELEASE_WITHIN_S = 10.0


@pytest.fixture
def database(database_url: str) -> str:
    """The DATABASE_URL of an empty database, SQLite's or PostgreSQL's (conftest.py)."""
    return database_url


async def test_a_second_holder_is_refused_until_the_first_lets_go(database: str) -> None:
    first, second = training_lock(database), training_lock(database)
    async with first.try_hold() as held:
        assert held
        async with second.try_hold() as again:
            assert not again
        async with first.try_hold() as same_object_again:  # one hold per try, whoever asks
            assert not same_object_again
    async with second.try_hold() as held:
        assert held


async def test_a_holder_that_raises_lets_go(database: str) -> None:
    lock = training_lock(database)
    with pytest.raises(RuntimeError):
        async with lock.try_hold() as held:
            assert held
            raise RuntimeError("the run broke")
    async with training_lock(database).try_hold() as held:
        assert held


async def test_a_holder_killed_with_sigkill_releases_the_lock(database: str) -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.bot.storage.cluster_child", database],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(child.stdout.readline), 60)
        assert line.strip() == "held"
        async with training_lock(database).try_hold() as held:
            assert not held
        child.send_signal(signal.SIGKILL)
        await asyncio.to_thread(child.wait)
        assert await eventually_held(database)
    finally:
        child.kill()
        child.wait()


async def eventually_held(database: str) -> bool:
    """Whether the lock can be taken within RELEASE_WITHIN_S (a server notices a dead
    client's connection a moment after the kernel closed it)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + RELEASE_WITHIN_S
    while True:
        async with training_lock(database).try_hold() as held:
            if held or loop.time() > deadline:
                return bool(held)
        await asyncio.sleep(0.1)


async def test_a_hold_whose_session_ends_says_it_was_lost() -> None:
    """pg_terminate_backend stands for a restarted server or a dropped connection mid-run."""
    async with fresh_database() as url, training_lock(url).try_hold() as hold:
        assert hold and not hold.lost
        await terminate_lock_sessions(url)
        assert await eventually_held(url)  # the server let go: another replica may train
        assert await eventually(lambda: hold.lost)


async def test_a_file_lock_is_never_lost(tmp_path: Path) -> None:
    """Only the holder's own end drops its flock, and that ends its run too."""
    database = tmp_path / "moviebot.db"
    first, second = training_lock(database), training_lock(database)
    async with first.try_hold() as hold, second.try_hold() as refused:
        assert (bool(hold), hold.lost, bool(refused), refused.lost) == (True, False, False, False)


async def eventually(condition: Callable[[], bool]) -> bool:
    """Whether `condition` holds within RELEASE_WITHIN_S (the client reads the server's
    goodbye a moment after the session ended)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + RELEASE_WITHIN_S
    while not condition():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def terminate_lock_sessions(url: str) -> None:
    """End the sessions holding the training lock on the database at `url`, as the server
    does when it restarts (found by the name the lock gives its connection)."""
    conn = await asyncpg.connect(url)
    try:
        ended = await conn.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = 'moviebot training lock' AND datname = current_database()"
        )
    finally:
        await conn.close()
    assert ended == 1


def test_the_lock_is_chosen_from_the_database(tmp_path: Path) -> None:
    database = tmp_path / "moviebot.db"
    beside = tmp_path / "moviebot.db.training.lock"
    for given in (database, str(database), f"sqlite:///{database}"):
        lock = training_lock(given)
        assert isinstance(lock, FileLock) and lock.path == beside
    for url in ("postgresql://bot:secret@db:5432/moviebot", "postgres://bot@db/moviebot"):
        lock = training_lock(url)
        assert isinstance(lock, PostgresLock) and lock.url == url


async def test_an_unreachable_server_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match="cannot reach PostgreSQL"):
        async with training_lock("postgresql://postgres@127.0.0.1:1/nothing").try_hold():
            pass


# --- schedule slots ------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
async def claims(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[list]:
    """Four connections to one migrated database, as four replicas have."""
    if request.param == "sqlite":
        raw = [await connect(tmp_path / "moviebot.db") for _ in range(4)]
        await migrate(raw[0])
        yield [SqliteConnection(conn) for conn in raw]
        for conn in raw:
            await conn.close()
        return
    async with fresh_database() as url:
        raw = [await asyncpg.connect(url) for _ in range(4)]
        await raw[0].execute(PG_MIGRATION.read_text(encoding="utf-8"))
        yield [PgConnection(conn) for conn in raw]
        for conn in raw:
            await conn.close()


async def test_one_claim_of_a_slot_wins(claims: list) -> None:
    first, second = claims[:2]
    slot = "retrain@2026-12-02T12:00:00Z"
    assert await claim_slot(first, slot, "a:1", 1000.0)
    assert not await claim_slot(second, slot, "b:2", 1000.5)
    assert not await claim_slot(first, slot, "a:1", 1001.0)
    assert await claim_slot(second, "retrain@2026-12-02T18:00:00Z", "b:2", 1002.0)


async def test_claims_at_the_same_moment_have_one_winner(claims: list) -> None:
    results = await asyncio.gather(
        *(claim_slot(conn, "retrain@x", f"r:{i}", 5.0) for i, conn in enumerate(claims))
    )
    assert sorted(results) == [False, False, False, True]


async def test_old_claims_are_deleted_as_new_ones_are_made(claims: list) -> None:
    conn = claims[0]
    assert await claim_slot(conn, "retrain@old", "a:1", 100.0)
    assert await claim_slot(conn, "retrain@new", "a:1", 100.0 + KEEP_SLOTS_S + 1)
    assert await claim_slot(conn, "retrain@old", "a:1", 100.0 + KEEP_SLOTS_S + 2)


async def test_two_processes_storages_claim_a_tick_once(database_url: str) -> None:
    """Storage.claim_schedule_slot, as two replicas' storages on one database call it."""
    first, second = await Storage.connect(database_url), await Storage.connect(database_url)
    try:
        assert await first.claim_schedule_slot("retrain@2026-12-02T12:00:00Z")
        assert not await second.claim_schedule_slot("retrain@2026-12-02T12:00:00Z")
        assert await second.claim_schedule_slot("retrain@2026-12-02T18:00:00Z")
    finally:
        await first.close()
        await second.close()
