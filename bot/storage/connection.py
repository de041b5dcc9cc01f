"""Opening a SQLite connection with the pragmas every connection of the bot runs with."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import aiosqlite

from bot.storage.errors import StorageError

BUSY_TIMEOUT_MS = 30_000
"""How long a statement waits for another connection's write lock before giving up."""

Synchronous = Literal["FULL", "NORMAL"]

Clock = Callable[[], float]
"""Seconds since the Unix epoch, now (``time.time``; tests pass a fake)."""

Row = tuple[Any, ...]
"""A row as sqlite3 returns it: its columns have the types the schema gives them."""


async def connect(path: str | Path, synchronous: Synchronous = "FULL") -> aiosqlite.Connection:
    """Open a connection in autocommit mode (transactions are explicit) with the pragmas set.

    Keep ``synchronous`` at FULL; NORMAL exists only to measure what FULL costs.
    """
    if synchronous not in ("FULL", "NORMAL"):
        raise StorageError(f"synchronous must be FULL or NORMAL, not {synchronous!r}")
    conn = await aiosqlite.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        (mode,) = await fetch_one(conn, "PRAGMA journal_mode = WAL")
        if mode != "wal":
            raise StorageError(f"could not switch {path} to WAL journal mode (got {mode!r})")
        # FULL, not NORMAL: in WAL mode NORMAL skips the fsync at commit, so a power cut can lose
        # the last committed ratings (a killed process cannot; the OS still has the pages). FULL
        # fsyncs the WAL on every commit, so a rating that was acknowledged is on disk.
        await conn.execute(f"PRAGMA synchronous = {synchronous}")
        await conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as error:
        await conn.close()
        raise StorageError(f"{path} is not a usable SQLite database: {error}") from error
    except BaseException:
        await conn.close()
        raise
    return conn


async def fetch_all(
    conn: aiosqlite.Connection, sql: str, parameters: tuple[object, ...] = ()
) -> list[Row]:
    """Every row of a query (the connections keep the default row factory: plain tuples)."""
    return [tuple(row) for row in await conn.execute_fetchall(sql, parameters)]


async def fetch_one(
    conn: aiosqlite.Connection, sql: str, parameters: tuple[object, ...] = ()
) -> Row:
    """The first row of a query that always returns one (an aggregate, a pragma)."""
    return (await fetch_all(conn, sql, parameters))[0]
