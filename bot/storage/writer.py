"""SQLite's one connection that writes, with group commit: writes arriving together share one
fsync. (PostgreSQL needs none of this: see bot.storage.postgres.PoolWrites.)"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterator
from typing import Any, TypeVar

import aiosqlite

from bot.storage.connection import (
    WRITE_BUSY_TIMEOUT_MS,
    SqliteConnection,
    primary_code,
    set_busy_timeout,
)
from bot.storage.errors import DatabaseBusy, DatabaseLost, StorageError
from bot.storage.health import FileGuard
from bot.storage.sql import Operation

T = TypeVar("T")

# The queue holds operations of every result type at once, hence Any there and only there.
_Queued = tuple[Operation[Any], asyncio.Future[Any]]

BUSY_AGAIN_MS = 500
"""Once a batch found the write lock held past its wait, the next ones wait only this long,
until one gets through: the lock is known to be taken, so people hear "busy" at once."""


class Writer:
    """The one connection that writes, running each operation in a committed transaction.

    Operations that arrive while a transaction is being committed are grouped into the next
    one (group commit): each keeps its own savepoint, result and error, but they share one
    BEGIN IMMEDIATE ... COMMIT and so one fsync. Under load (many people rating at once) the
    disk's sync latency is paid per batch, not per rating. Every caller still returns only
    after the COMMIT that holds its write.

    Before each COMMIT the ``guard`` checks that the database file is still the one opened and
    writable: once it is not, every write fails with DatabaseLost, unsaved. A batch waits at
    most ``busy_timeout_ms`` for another connection's write lock, then fails with DatabaseBusy;
    until a batch gets the lock again the next ones wait only BUSY_AGAIN_MS, so no write
    waits much longer than ``busy_timeout_ms`` in all, however many are queued.
    """

    def __init__(
        self,
        conn: aiosqlite.Connection,
        guard: FileGuard,
        busy_timeout_ms: int = WRITE_BUSY_TIMEOUT_MS,
    ) -> None:
        self._conn = conn
        self._adapter = SqliteConnection(conn)  # what operations are handed
        self._guard = guard
        self._lock = asyncio.Lock()
        self._queue: list[_Queued] = []
        self._wait_ms = busy_timeout_ms
        self._patient_ms: int | None = None  # a longer wait, inside `patience`
        self._busy = False  # the last batch found the lock taken
        self._applied_ms = 0  # the connection's busy_timeout as set here (0: not yet)

    def check_file(self) -> None:
        """Raise DatabaseLost unless the file still takes writes (FileGuard.check)."""
        self._guard.check()

    async def run(self, operation: Operation[T]) -> T:
        """Run ``operation(conn)`` in a write transaction; return its result once committed.

        If it raises, its statements are undone and the exception is raised here; the other
        operations of the batch are unaffected.
        """
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append((operation, done))
        try:
            async with self._lock:
                if not done.done():  # nobody took it into their batch: lead the next one
                    batch, self._queue = self._queue, []
                    await self._commit_whole(batch)
        except asyncio.CancelledError:
            if not done.done():
                done.cancel()  # a batch not yet started skips it
            elif not done.cancelled():
                done.exception()  # retrieved: asyncio would otherwise log it as forgotten
            raise
        return done.result()

    @contextlib.contextmanager
    def patience(self, busy_timeout_ms: int) -> Iterator[None]:
        """Within the block, writes wait up to ``busy_timeout_ms`` for another connection's
        lock (for long internal work, such as the MovieLens import at first start)."""
        previous, self._patient_ms = self._patient_ms, busy_timeout_ms
        try:
            yield
        finally:
            self._patient_ms = previous

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    async def _commit_whole(self, batch: list[_Queued]) -> None:
        """Commit `batch` even when the caller leading it is cancelled meanwhile (a stop
        cancels the intake mid-write): the batch holds other callers' writes too, which would
        fail with "cancelled, nothing saved". The cancellation is passed on once the batch is
        done, milliseconds later, with the lock still held so no other batch overlaps it."""
        commit = asyncio.ensure_future(self._commit(batch))
        cancelled = False
        while not commit.done():
            try:
                await asyncio.shield(commit)
            except asyncio.CancelledError:
                cancelled = True
        if cancelled:
            commit.exception()  # retrieved: the batch's callers hear of it through their futures
            raise asyncio.CancelledError
        commit.result()

    async def _commit(self, batch: list[_Queued]) -> None:
        live = [(operation, done) for operation, done in batch if not done.cancelled()]
        if not live:
            return
        alone = len(live) == 1  # no savepoint needed: a failure rolls back the transaction
        outcomes: list[tuple[asyncio.Future[Any], Any, Exception | None]] = []
        try:
            self._guard.refuse_if_lost()
            wait_ms = self._patient_ms or (BUSY_AGAIN_MS if self._busy else self._wait_ms)
            if self._applied_ms != wait_ms:
                await set_busy_timeout(self._conn, wait_ms)
                self._applied_ms = wait_ms
            await self._conn.execute("BEGIN IMMEDIATE")
            self._busy = False
            for operation, done in live:
                outcomes.append((done, *await self._attempt(operation, savepoint=not alone)))
            failed_alone = alone and outcomes[0][2] is not None
            if not failed_alone:
                self._guard.check()  # last moment: never COMMIT into a file that is gone
            await self._conn.execute("ROLLBACK" if failed_alone else "COMMIT")
        except BaseException as error:
            if self._conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):  # a failing disk may refuse it too
                    await self._conn.execute("ROLLBACK")
            for _operation, done in live:
                if not done.done():
                    done.set_exception(self._not_saved(error))
            if primary_code(error) == sqlite3.SQLITE_BUSY:
                self._busy = True
            if not isinstance(error, Exception):
                raise
            return
        for done, result, failure in outcomes:
            if not done.done():
                if failure is None:
                    done.set_result(result)
                else:
                    done.set_exception(self._unwritable(failure) or failure)

    def _unwritable(self, error: BaseException) -> StorageError | None:
        """DatabaseBusy or DatabaseLost for an SQLite error that means one; None otherwise."""
        if primary_code(error) == sqlite3.SQLITE_BUSY:
            busy = DatabaseBusy(
                "another connection holds the database's write lock (waited"
                f" {self._applied_ms / 1000:g} s); nothing was saved"
            )
            busy.__cause__ = error
            return busy
        lost = self._guard.classify(error)
        if lost is not None:
            lost.__cause__ = error
        return lost

    def _not_saved(self, error: BaseException) -> StorageError:
        if isinstance(error, DatabaseLost | DatabaseBusy):
            return type(error)(*error.args)  # one exception object per waiting caller
        failure = self._unwritable(error)
        if failure is not None:
            return failure
        if isinstance(error, asyncio.CancelledError):
            failure = StorageError("the write was cancelled before it was committed; nothing saved")
        else:
            failure = StorageError(f"the transaction failed and nothing in it was saved: {error}")
        failure.__cause__ = error
        return failure

    async def _attempt(
        self, operation: Operation[Any], *, savepoint: bool
    ) -> tuple[Any, Exception | None]:
        if savepoint:
            await self._conn.execute("SAVEPOINT operation")
        try:
            result = await operation(self._adapter)
        except Exception as error:
            if savepoint:
                await self._conn.execute("ROLLBACK TO operation")
                await self._conn.execute("RELEASE operation")
            return None, error
        if savepoint:
            await self._conn.execute("RELEASE operation")
        return result, None
