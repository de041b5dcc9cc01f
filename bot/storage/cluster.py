"""Coordination between the bot processes on one database: the training lock, schedule slots.

Several replicas (webhook mode, one PostgreSQL database, one shared models directory) must
train one model at a time between them, and a scheduled run must happen once per tick, not
once per replica. Both are decided here, where the drivers live:

- The training lock (`training_lock`, chosen from the database URL). On PostgreSQL it is a
  session-level advisory lock held by a connection of its own for the whole run: when the
  process dies its connection closes and the server drops the lock, so nobody has to clean
  up after a crash (TCP keepalives set on that connection bound how long a vanished machine
  keeps it). With SQLite every process is on one machine, and an ``flock`` on a file beside
  the database does the same: the kernel drops it when the process ends, however it ends.
- Schedule slots (`claim_slot`): the first replica to insert a tick's row into
  ``scheduled_runs`` (migration 007) runs it; the others see that the insert did nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, Protocol

from bot.storage.errors import StorageError
from bot.storage.sql import Connection
from bot.storage.url import DatabaseUrl, is_url, parse_database_url

log = logging.getLogger(__name__)

TRAINING_LOCK_KEY = int.from_bytes(b"moviebot", "big")
"""The advisory lock key of training runs: one fixed 64-bit number per database."""
CONNECT_TIMEOUT_S = 10.0
KEEPALIVE = {
    "tcp_keepalives_idle": "30",
    "tcp_keepalives_interval": "10",
    "tcp_keepalives_count": "3",
}
"""On the lock's connection: the server notices a replica whose machine vanished (no FIN
ever comes) within about a minute instead of the kernel's default two hours."""
KEEP_SLOTS_S = 30 * 86400.0
"""Claims older than this are deleted as new ones are made: only the recent ones matter."""


class TrainingLock(Protocol):
    """One training run at a time across every process that shares the database."""

    def try_hold(self) -> AbstractAsyncContextManager[bool]:
        """``async with lock.try_hold() as held``: True when this process now holds the lock
        (released when the block ends), False at once when another one holds it."""
        ...


class FileLock:
    """The single-machine lock (SQLite deployments): an exclusive ``flock`` on a file.

    flock locks belong to an open file, so two holders in one process refuse each other too,
    as two processes do. The file is never deleted (a process that opened it just before
    would lock a file that nobody else sees).
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextlib.asynccontextmanager
    async def try_hold(self) -> AsyncIterator[bool]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise StorageError(
                f"cannot open the training lock file {self.path}: {error}"
            ) from error
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)  # closing the file drops the lock


class PostgresLock:
    """The cluster-wide lock: ``pg_try_advisory_lock`` on a connection opened for the hold.

    Not a pooled connection: a session-level lock stays with its connection, and a pool would
    hand that connection (and the lock) to other work. One connection per run costs nothing
    next to a training run.
    """

    def __init__(self, url: str, key: int = TRAINING_LOCK_KEY) -> None:
        self.url = url
        self.key = key

    @contextlib.asynccontextmanager
    async def try_hold(self) -> AsyncIterator[bool]:
        asyncpg = _asyncpg()
        try:
            conn = await asyncpg.connect(
                self.url,
                timeout=CONNECT_TIMEOUT_S,
                server_settings={"application_name": "moviebot training lock", **KEEPALIVE},
            )
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            raise StorageError(f"cannot reach PostgreSQL for the training lock: {error}") from error
        try:
            if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", self.key):
                yield False
                return
            conn.add_termination_listener(_lost)
            try:
                yield True
            finally:
                conn.remove_termination_listener(_lost)
            with contextlib.suppress(Exception):  # closing the session below drops it anyway
                await conn.fetchval("SELECT pg_advisory_unlock($1)", self.key)
        finally:
            await _close(conn)  # ends the session: the server drops whatever it still holds


def training_lock(database: DatabaseUrl | str | Path) -> TrainingLock:
    """The lock for a database (its DatabaseUrl, a DATABASE_URL, or a SQLite file's path): on
    PostgreSQL the advisory lock; with SQLite the flock on ``<database>.training.lock``."""
    url = database if isinstance(database, DatabaseUrl) else _as_url(database)
    if url.path is None:
        return PostgresLock(url.dsn)
    return FileLock(url.path.with_name(url.path.name + ".training.lock"))


def _as_url(database: str | Path) -> DatabaseUrl:
    text = str(database)
    return parse_database_url(text) if is_url(text) else DatabaseUrl.sqlite(text)


def replica_id() -> str:
    """Who this process is, for the records it leaves (``claimed_by``): host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


async def claim_slot(conn: Connection, slot: str, claimed_by: str, now: float) -> bool:
    """Claim a schedule tick, as a write operation (either dialect: ``ON CONFLICT DO NOTHING``
    is both SQLite's and PostgreSQL's); True for the one claim that inserted the row, False
    for every later one."""
    inserted = await conn.execute(
        "INSERT INTO scheduled_runs (slot, claimed_by, claimed_at) VALUES (?, ?, ?)"
        " ON CONFLICT (slot) DO NOTHING",
        (slot, claimed_by, now),
    )
    await conn.execute("DELETE FROM scheduled_runs WHERE claimed_at < ?", (now - KEEP_SLOTS_S,))
    return inserted == 1


def _lost(_conn: object) -> None:
    log.warning(
        "the connection holding the training lock closed before the run ended: another"
        " replica may start a run meanwhile"
    )


async def _close(conn: Any) -> None:
    try:
        await conn.close(timeout=CONNECT_TIMEOUT_S)
    except Exception:  # a dead connection: terminate() frees the client side at once
        conn.terminate()


def _asyncpg() -> Any:
    """The driver, imported on first use: SQLite deployments never need it."""
    import asyncpg  # type: ignore[import-untyped, unused-ignore]

    return asyncpg
