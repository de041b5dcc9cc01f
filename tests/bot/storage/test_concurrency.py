"""Many writers at once, on one file: every write lands, none fails with "database is locked"."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Awaitable
from pathlib import Path

from bot.storage import Storage

TASKS = 50
RATINGS_PER_TASK = 200
MOVIES = list(range(101, 251))  # 150 movies: each task re-rates its first 50 once


def planned(task: int) -> list[tuple[int, float]]:
    """Task i's (movie, rating) writes in order; later writes to a movie replace earlier ones."""
    return [
        (MOVIES[j % len(MOVIES)], ((task + 3 * j) % 10 + 1) / 2) for j in range(RATINGS_PER_TASK)
    ]


async def run_writers(stores: list[Storage], tasks: int) -> dict[int, dict[int, float]]:
    """Task i rates as Telegram person 10000+i through stores[i % len(stores)]; returns what
    the database then holds for each person."""

    async def writer(task: int) -> None:
        store = stores[task % len(stores)]
        for movie_id, rating in planned(task):
            await store.record_rating(10_000 + task, movie_id, rating)

    await asyncio.gather(*(writer(task) for task in range(tasks)))
    return {
        task: {r.movie_id: r.rating for r in await stores[0].ratings_of(10_000 + task)}
        for task in range(tasks)
    }


async def test_fifty_concurrent_writers_lose_nothing(storage: Storage) -> None:
    stored = await run_writers([storage], TASKS)

    assert stored == {task: dict(planned(task)) for task in range(TASKS)}
    assert (await storage.counts()).bot_ratings == TASKS * len(MOVIES)


async def test_writers_on_two_connections_lose_nothing(
    database_url: str, small_movielens: Path
) -> None:
    # Two Storage objects stand for two processes (two replicas on PostgreSQL) contending for
    # the database (each retry sleeps in SQLite's busy handler, so this one is kept small).
    first = await Storage.connect(database_url)
    second = await Storage.connect(database_url)
    async with first, second:
        await first.import_movielens(small_movielens)
        stored = await run_writers([first, second], 6)

    assert stored == {task: dict(planned(task)) for task in range(6)}


async def test_a_write_waits_for_another_process_holding_the_lock(
    tmp_path: Path, small_movielens: Path
) -> None:
    path = tmp_path / "bot.db"
    async with await Storage.open(path) as store:
        await store.import_movielens(small_movielens)
        locked, release = threading.Event(), threading.Event()

        def hold_write_lock() -> None:
            other = sqlite3.connect(path, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            locked.set()
            release.wait(10)
            time.sleep(0.5)
            other.execute("ROLLBACK")
            other.close()

        holder = threading.Thread(target=hold_write_lock)
        holder.start()
        await asyncio.to_thread(locked.wait, 10)
        release.set()
        started = time.monotonic()
        await store.record_rating(42, 2, 4.0)  # blocks until the holder lets go
        waited = time.monotonic() - started
        holder.join()
        ratings = await store.ratings_of(42)

    assert [(r.movie_id, r.rating) for r in ratings] == [(2, 4.0)]
    assert waited >= 0.3  # it really waited for the lock instead of failing or skipping


async def test_a_refused_write_among_concurrent_ones_leaves_the_others(storage: Storage) -> None:
    await storage.record_rating(700, 2, 3.0)
    # Issued together, these are grouped into shared transactions, each with its own savepoint.
    writes: list[Awaitable[object]] = [
        storage.record_rating(500 + i, 101 + i, 4.0) for i in range(20)
    ]
    writes.insert(10, storage.record_rating(600, 999_999, 4.0))
    writes.insert(5, storage.forget_person(700))

    results = await asyncio.gather(*writes, return_exceptions=True)

    assert [r if isinstance(r, int) else type(r).__name__ for r in results if r is not None] == [
        2,
        "UnknownMovie",
    ]
    assert await storage.ratings_of(600) == await storage.ratings_of(700) == []
    stored = [await storage.ratings_of(500 + i) for i in range(20)]
    assert [[(r.movie_id, r.rating) for r in ratings] for ratings in stored] == [
        [(101 + i, 4.0)] for i in range(20)
    ]


async def test_a_write_cancelled_while_waiting_is_not_applied(storage: Storage) -> None:
    tasks = [asyncio.create_task(storage.record_rating(800 + i, 101, 4.0)) for i in range(10)]
    await asyncio.sleep(0)  # the first is committing; the other nine wait for the next batch
    tasks[5].cancel()

    results = await asyncio.gather(*tasks, return_exceptions=True)

    assert [type(r).__name__ for r in results].count("CancelledError") == 1
    assert [bool(await storage.ratings_of(800 + i)) for i in range(10)] == [
        i != 5 for i in range(10)
    ]
