"""The cluster-wide lock on changes to the shared models directory.

Replicas share one models directory, and four things change it: publishing a trained model
(activate, prune), /rollback, /forget's rewrite of every artifact, and the start-up sweep.
Interleaved across replicas they undo each other (a /forget re-points ``current`` at its
rewrite of the old model after another replica activated a new one; a prune deletes what a
sweep is rewriting), so each holds this lock for its few seconds. It is not the training
lock (bot.storage.cluster), which a run holds for minutes: /forget must not wait for that.

Unlike the training lock it waits, for at most ``wait_s`` (MODELS_LOCK_WAIT_S): nobody holds
it longer than a rewrite of every kept artifact takes, so a longer wait means something is
stuck, and the caller is told (`ModelsLockUnavailable`) instead of hanging. On PostgreSQL it
is ``pg_advisory_lock`` under the server's ``lock_timeout`` on a connection of its own, so a
dead holder's lock goes with its session; with SQLite, an ``flock`` on
``<database>.models.lock``, polled (a blocking flock in a thread could not be given up).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Protocol

from bot.storage.cluster import (
    as_url,
    asyncpg_driver,
    close_session,
    lock_session,
    open_lock_file,
    try_flock,
)
from bot.storage.errors import StorageError
from bot.storage.url import DatabaseUrl

MODELS_LOCK_KEY = int.from_bytes(b"mbmodels", "big")
"""The advisory lock key of the models directory: not the training lock's."""
MODELS_LOCK_WAIT_S = 60.0
POLL_S = 0.05
"""How often a waiting flock is tried again: a wait ends within 50 ms of the release."""


class ModelsLockUnavailable(StorageError):
    """The models lock was not taken: held elsewhere past the wait, or not reachable."""


class ModelsLock(Protocol):
    """One change to the models directory at a time across the processes sharing it."""

    def hold(self) -> AbstractAsyncContextManager[None]:
        """``async with lock.hold():`` waits for the lock (released when the block ends);
        ModelsLockUnavailable when it cannot be had within the wait."""
        ...


class FileModelsLock:
    """The single-machine models lock (SQLite deployments): a polled ``flock`` on a file."""

    def __init__(self, path: Path, wait_s: float = MODELS_LOCK_WAIT_S) -> None:
        self.path = path
        self.wait_s = wait_s

    @contextlib.asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        with _unavailable():
            fd = open_lock_file(self.path, "models")
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.wait_s
            while not try_flock(fd):
                if loop.time() >= deadline:
                    raise ModelsLockUnavailable(_busy(self.wait_s))
                await asyncio.sleep(POLL_S)
            yield
        finally:
            os.close(fd)  # closing the file drops the lock


class PostgresModelsLock:
    """The cluster-wide models lock: ``pg_advisory_lock`` on a connection opened per hold
    (a few ms next to the seconds of what it guards)."""

    def __init__(
        self, url: str, wait_s: float = MODELS_LOCK_WAIT_S, key: int = MODELS_LOCK_KEY
    ) -> None:
        self.url = url
        self.wait_s = wait_s
        self.key = key

    @contextlib.asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        asyncpg = asyncpg_driver()
        timeout_ms = str(max(1, round(self.wait_s * 1000)))
        with _unavailable():
            conn = await lock_session(self.url, "models", lock_timeout=timeout_ms)
        try:
            try:
                await conn.fetchval("SELECT pg_advisory_lock($1)", self.key)
            except asyncpg.LockNotAvailableError as error:
                raise ModelsLockUnavailable(_busy(self.wait_s)) from error
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                message = f"the models lock could not be asked: {error}"
                raise ModelsLockUnavailable(message) from error
            yield
            with contextlib.suppress(Exception):  # closing the session below drops it anyway
                await conn.fetchval("SELECT pg_advisory_unlock($1)", self.key)
        finally:
            await close_session(conn)


def models_lock(
    database: DatabaseUrl | str | Path, wait_s: float = MODELS_LOCK_WAIT_S
) -> ModelsLock:
    """The models lock for a database, as `training_lock` chooses: on PostgreSQL the advisory
    lock; with SQLite the flock on ``<database>.models.lock``."""
    url = as_url(database)
    if url.path is None:
        return PostgresModelsLock(url.dsn, wait_s)
    return FileModelsLock(url.path.with_name(url.path.name + ".models.lock"), wait_s)


@contextlib.contextmanager
def _unavailable() -> Iterator[None]:
    """The lock's file or server cannot be reached: the caller is told as for a busy lock."""
    try:
        yield
    except ModelsLockUnavailable:
        raise
    except StorageError as error:
        raise ModelsLockUnavailable(str(error)) from error


def _busy(wait_s: float) -> str:
    return f"another replica has been changing the models directory for over {wait_s:g} s"
