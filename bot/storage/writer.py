"""The one connection that writes, with group commit: writes arriving together share one fsync."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiosqlite

from bot.storage.errors import StorageError

T = TypeVar("T")
Operation = Callable[[aiosqlite.Connection], Awaitable[T]]
"""A write: statements run on the writer's connection inside a transaction it manages."""

# The queue holds operations of every result type at once, hence Any there and only there.
_Queued = tuple[Operation[Any], asyncio.Future[Any]]


class Writer:
    """The one connection that writes, running each operation in a committed transaction.

    Operations that arrive while a transaction is being committed are grouped into the next
    one (group commit): each keeps its own savepoint, result and error, but they share one
    BEGIN IMMEDIATE ... COMMIT and so one fsync. Under load (many people rating at once) the
    disk's sync latency is paid per batch, not per rating. Every caller still returns only
    after the COMMIT that holds its write.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self._queue: list[_Queued] = []

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
                    await self._commit(batch)
        except asyncio.CancelledError:
            if not done.done():
                done.cancel()  # a batch not yet started skips it
            elif not done.cancelled():
                done.exception()  # retrieved: asyncio would otherwise log it as forgotten
            raise
        return done.result()

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    async def _commit(self, batch: list[_Queued]) -> None:
        live = [(operation, done) for operation, done in batch if not done.cancelled()]
        if not live:
            return
        alone = len(live) == 1  # no savepoint needed: a failure rolls back the transaction
        outcomes: list[tuple[asyncio.Future[Any], Any, Exception | None]] = []
        try:
            await self._conn.execute("BEGIN IMMEDIATE")
            for operation, done in live:
                outcomes.append((done, *await self._attempt(operation, savepoint=not alone)))
            failed_alone = alone and outcomes[0][2] is not None
            await self._conn.execute("ROLLBACK" if failed_alone else "COMMIT")
        except BaseException as error:
            if self._conn.in_transaction:
                await self._conn.execute("ROLLBACK")
            for _operation, done in live:
                if not done.done():
                    done.set_exception(_not_saved(error))
            if not isinstance(error, Exception):
                raise
            return
        for done, result, failure in outcomes:
            if not done.done():
                if failure is None:
                    done.set_result(result)
                else:
                    done.set_exception(failure)

    async def _attempt(
        self, operation: Operation[Any], *, savepoint: bool
    ) -> tuple[Any, Exception | None]:
        if savepoint:
            await self._conn.execute("SAVEPOINT operation")
        try:
            result = await operation(self._conn)
        except Exception as error:
            if savepoint:
                await self._conn.execute("ROLLBACK TO operation")
                await self._conn.execute("RELEASE operation")
            return None, error
        if savepoint:
            await self._conn.execute("RELEASE operation")
        return result, None


def _not_saved(error: BaseException) -> StorageError:
    if isinstance(error, asyncio.CancelledError):
        failure = StorageError("the write was cancelled before it was committed; nothing saved")
    else:
        failure = StorageError(f"the transaction failed and nothing in it was saved: {error}")
    failure.__cause__ = error
    return failure
