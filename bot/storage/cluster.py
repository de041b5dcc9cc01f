"""Coordination between the bot processes on one database: the training lock, schedule slots.

Several replicas (webhook mode, one PostgreSQL database, one shared models directory) must
train one model at a time between them, and a scheduled run must happen once per tick, not
once per replica. Both are decided here, where the drivers live (the lock on changes to the
models directory, held for seconds rather than a whole run, is bot.storage.models_lock's):

- The training lock (`training_lock`, chosen from the database URL). On PostgreSQL it is a
  session-level advisory lock held by a connection of its own for the whole run: when the
  process dies its connection closes and the server drops the lock, so nobody has to clean
  up after a crash (TCP keepalives set on that connection bound how long a vanished machine
  keeps it). With SQLite every process is on one machine, and an ``flock`` on a file beside
  the database does the same: the kernel drops it when the process ends, however it ends.
  A hold says whether it was lost: a PostgreSQL session can end under a run (a restarted
  server, pg_terminate_backend), and then another replica may be training already.
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


class Hold:
    """What `TrainingLock.try_hold` yields: true when the lock was taken, and whether it has
    been lost since (its session ended), so a run can refuse to publish after that."""

    def __init__(self, held: bool) -> None:
        self._held = held
        self._lost = False

    def __bool__(self) -> bool:
        return self._held

    @property
    def lost(self) -> bool:
        """True once the lock, taken, stopped being this process's before the hold ended."""
        return self._lost

    def mark_lost(self, _conn: object = None) -> None:
        """The lock's connection closed (a termination listener): another may take it now."""
        if self._held and not self._lost:
            self._lost = True
            log.warning(
                "the connection holding the training lock closed before the run ended: another"
                " replica may start a run meanwhile, and this run will not publish its model"
            )


class TrainingLock(Protocol):
    """One training run at a time across every process that shares the database."""

    def try_hold(self) -> AbstractAsyncContextManager[Hold]:
        """``async with lock.try_hold() as held``: true when this process now holds the lock
        (released when the block ends), false at once when another one holds it."""
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
    async def try_hold(self) -> AsyncIterator[Hold]:
        """Never lost: only this process's end drops its flock, and that ends the run too."""
        fd = open_lock_file(self.path, "training")
        try:
            yield Hold(try_flock(fd))
        finally:
            os.close(fd)  # closing the file drops the lock


def open_lock_file(path: Path, what: str) -> int:
    """The descriptor of the lock file at ``path`` (made when missing), for `try_flock`."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise StorageError(f"cannot open the {what} lock file {path}: {error}") from error


def try_flock(fd: int) -> bool:
    """Take the exclusive flock of ``fd`` without waiting: False when another file has it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


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
    async def try_hold(self) -> AsyncIterator[Hold]:
        """Lost when the connection closes mid-hold: the server dropped the lock with it."""
        conn = await lock_session(self.url, "training")
        try:
            if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", self.key):
                yield Hold(False)
                return
            hold = Hold(True)
            conn.add_termination_listener(hold.mark_lost)
            try:
                yield hold
            finally:
                conn.remove_termination_listener(hold.mark_lost)
            with contextlib.suppress(Exception):  # closing the session below drops it anyway
                await conn.fetchval("SELECT pg_advisory_unlock($1)", self.key)
        finally:
            await close_session(conn)  # the server drops whatever the session still holds


async def lock_session(url: str, what: str, **settings: str) -> Any:
    """A connection of its own for a session-level lock, named ``moviebot <what> lock`` in
    pg_stat_activity; ``settings`` are more server settings (lock_timeout)."""
    asyncpg = asyncpg_driver()
    try:
        return await asyncpg.connect(
            url,
            timeout=CONNECT_TIMEOUT_S,
            server_settings={"application_name": f"moviebot {what} lock", **KEEPALIVE, **settings},
        )
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        raise StorageError(f"cannot reach PostgreSQL for the {what} lock: {error}") from error


def training_lock(database: DatabaseUrl | str | Path) -> TrainingLock:
    """The lock for a database (its DatabaseUrl, a DATABASE_URL, or a SQLite file's path): on
    PostgreSQL the advisory lock; with SQLite the flock on ``<database>.training.lock``."""
    url = as_url(database)
    if url.path is None:
        return PostgresLock(url.dsn)
    return FileLock(url.path.with_name(url.path.name + ".training.lock"))


def as_url(database: DatabaseUrl | str | Path) -> DatabaseUrl:
    """A database as the lock factories take it (a DatabaseUrl, a DATABASE_URL or a path)."""
    if isinstance(database, DatabaseUrl):
        return database
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


async def close_session(conn: Any) -> None:
    """Close a `lock_session` connection, ending its session (and every lock it held)."""
    try:
        await conn.close(timeout=CONNECT_TIMEOUT_S)
    except Exception:  # a dead connection: terminate() frees the client side at once
        conn.terminate()


def asyncpg_driver() -> Any:
    """The driver, imported on first use: SQLite deployments never need it."""
    import asyncpg  # type: ignore[import-untyped, unused-ignore]

    return asyncpg
