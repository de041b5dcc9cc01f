"""Opening a SQLite connection with the pragmas every connection of the bot runs with, and
`SqliteConnection`, the adapter that gives the repositories aiosqlite behind bot.storage.sql."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

import aiosqlite

from bot.storage.errors import ConstraintViolated, StorageError
from bot.storage.sql import SQLITE, Clock, Dialect, Parameters, Row

__all__ = ["Clock", "Row", "SqliteConnection", "connect", "fetch_all", "fetch_one"]

BUSY_TIMEOUT_MS = 30_000
"""How long long-running internal work (migrations, the MovieLens import, the training
snapshot) waits for another connection's lock before giving up."""
WRITE_BUSY_TIMEOUT_MS = 3_000
"""How long one of the bot's own writes (a rating, a mark) waits for another connection's
write lock: a person pressed a button and hears "busy, try again" after this, not a minute of
silence. A write transaction of the bot's own takes milliseconds, so only a foreign lock (a
backup, a migration, a person at the sqlite3 shell) ever waits this long."""

Synchronous = Literal["FULL", "NORMAL"]


async def connect(
    path: str | Path, synchronous: Synchronous = "FULL", busy_timeout_ms: int = BUSY_TIMEOUT_MS
) -> aiosqlite.Connection:
    """Open a connection in autocommit mode (transactions are explicit) with the pragmas set.

    Keep ``synchronous`` at FULL; NORMAL exists only to measure what FULL costs.
    ``busy_timeout_ms`` is how long a statement waits for another connection's lock.
    """
    if synchronous not in ("FULL", "NORMAL"):
        raise StorageError(f"synchronous must be FULL or NORMAL, not {synchronous!r}")
    try:
        conn = await aiosqlite.connect(path, timeout=busy_timeout_ms / 1000, isolation_level=None)
    except sqlite3.Error as error:
        raise StorageError(_cannot_open(path, error)) from error
    try:
        await set_busy_timeout(conn, busy_timeout_ms)
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
        if primary_code(error) == sqlite3.SQLITE_CANTOPEN:
            raise StorageError(_cannot_open(path, error)) from error
        raise StorageError(f"{path} is not a usable SQLite database: {error}") from error
    except BaseException:
        await conn.close()
        raise
    return conn


def primary_code(error: BaseException) -> int | None:
    """SQLite's primary result code (SQLITE_BUSY, ...) of a driver error; None for others."""
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(error, sqlite3.Error) and isinstance(code, int) else None


def _cannot_open(path: str | Path, error: sqlite3.Error) -> str:
    return (
        f"cannot open the database {path} ({error}): the bot's user must be able to write it"
        " and to create files in its folder (the -wal and -shm files beside it)"
    )


async def set_busy_timeout(conn: aiosqlite.Connection, milliseconds: int) -> None:
    """How long the connection's statements wait for another connection's lock from now on."""
    await conn.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")


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


class SqliteConnection:
    """An aiosqlite connection as a bot.storage.sql `Connection` (a thin wrapper: the SQL is
    already SQLite's)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.raw = conn
        """The aiosqlite connection itself (for the transaction control of its owner)."""

    @property
    def dialect(self) -> Dialect:
        return SQLITE

    async def execute(self, sql: str, parameters: Parameters = ()) -> int:
        try:
            cursor = await self.raw.execute(sql, tuple(parameters))
        except sqlite3.IntegrityError as error:
            raise ConstraintViolated(str(error)) from error
        return max(cursor.rowcount, 0)

    async def executemany(self, sql: str, rows: Iterable[Parameters]) -> None:
        try:
            await self.raw.executemany(sql, (tuple(row) for row in rows))
        except sqlite3.IntegrityError as error:
            raise ConstraintViolated(str(error)) from error

    async def fetch_all(self, sql: str, parameters: Parameters = ()) -> list[Row]:
        try:
            return await fetch_all(self.raw, sql, tuple(parameters))
        except sqlite3.IntegrityError as error:
            raise ConstraintViolated(str(error)) from error

    async def fetch_one(self, sql: str, parameters: Parameters = ()) -> Row:
        return (await self.fetch_all(sql, parameters))[0]

    async def copy_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Parameters]
    ) -> None:
        marks = ", ".join("?" * len(columns))
        await self.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
