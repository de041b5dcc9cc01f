"""Opening the SQLite database and bringing its schema up to date.

Migrations are the numbered plain-SQL files in ``migrations/`` (``NNN_name.sql``). Each is
applied in its own transaction together with ``PRAGMA user_version = NNN``, so the recorded
version and the schema can never disagree, and a crash mid-migration leaves the previous version.
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import aiosqlite

T = TypeVar("T")
Operation = Callable[[aiosqlite.Connection], Awaitable[T]]

BUSY_TIMEOUT_MS = 30_000
"""How long a statement waits for another connection's write lock before giving up."""

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


class StorageError(Exception):
    """Base of every error the storage layer raises on purpose."""


class SchemaTooNew(StorageError):
    """The database was written by a newer version of the code than this one."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations_dir() -> Path:
    """Where the migration files live.

    ``MIGRATIONS_DIR`` wins so that a non-editable install (the Docker image) can point at a
    copied ``migrations/`` folder; otherwise the folder beside the ``bot`` package in a checkout.
    """
    configured = os.environ.get("MIGRATIONS_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parents[1] / "migrations"


def load_migrations(folder: Path) -> list[Migration]:
    """Read the migration files, insisting on versions 1, 2, 3, ... without gaps or repeats."""
    if not folder.is_dir():
        raise StorageError(f"migrations folder not found: {folder} (set MIGRATIONS_DIR)")
    found = []
    for path in sorted(folder.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise StorageError(f"migration file name must look like 001_name.sql: {path}")
        found.append(Migration(int(match.group(1)), path.stem, path.read_text(encoding="utf-8")))
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise StorageError(
                f"migrations must be numbered 1, 2, 3, ... without gaps; found {migration.name}"
                f" where version {expected} was expected in {folder}"
            )
    if not found:
        raise StorageError(f"no migration files in {folder}")
    return found


def split_statements(sql: str) -> list[str]:
    """Split a script into single statements (``execute`` takes one at a time).

    ``executescript`` is no use here: it commits any open transaction before it runs.
    ``sqlite3.complete_statement`` knows about strings, comments and trigger bodies.
    """
    statements, current = [], ""
    for piece in sql.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    leftover = current[:-1].strip()  # the ';' appended after the last piece
    if leftover and not _only_comments(leftover):
        raise StorageError(f"incomplete SQL statement at the end of a migration: {leftover[:80]}")
    return [s for s in statements if not _only_comments(s)]


def _only_comments(sql: str) -> bool:
    lines = (line.strip() for line in sql.splitlines())
    return all(not line or line.startswith("--") or line == ";" for line in lines)


async def connect(
    path: str | Path, synchronous: Literal["FULL", "NORMAL"] = "FULL"
) -> aiosqlite.Connection:
    """Open a connection in autocommit mode (transactions are explicit) with the pragmas set.

    Keep ``synchronous`` at FULL; NORMAL exists only to measure what FULL costs.
    """
    if synchronous not in ("FULL", "NORMAL"):
        raise StorageError(f"synchronous must be FULL or NORMAL, not {synchronous!r}")
    conn = await aiosqlite.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        (mode,) = (await conn.execute_fetchall("PRAGMA journal_mode = WAL"))[0]
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


async def schema_version(conn: aiosqlite.Connection) -> int:
    (version,) = (await conn.execute_fetchall("PRAGMA user_version"))[0]
    return int(version)


async def migrate(conn: aiosqlite.Connection, folder: Path | None = None) -> int:
    """Apply the migrations the database lacks, in order; return the resulting version.

    Safe to run from several processes at once: each step re-reads the version after taking
    the write lock (BEGIN IMMEDIATE) and skips what another process applied meanwhile.
    """
    migrations = load_migrations(folder or migrations_dir())
    latest = migrations[-1].version
    await _refuse_newer(conn, latest)
    for migration in migrations:
        if migration.version <= await schema_version(conn):
            continue
        await conn.execute("BEGIN IMMEDIATE")
        try:
            await _refuse_newer(conn, latest)
            if await schema_version(conn) < migration.version:
                for statement in split_statements(migration.sql):
                    await conn.execute(statement)
                await conn.execute(f"PRAGMA user_version = {migration.version}")
            await conn.execute("COMMIT")
        except sqlite3.Error as error:
            await conn.execute("ROLLBACK")
            raise StorageError(
                f"migration {migration.name} failed and was rolled back, leaving the database at"
                f" version {migration.version - 1}: {error}"
            ) from error
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
    return await schema_version(conn)


async def _refuse_newer(conn: aiosqlite.Connection, latest: int) -> None:
    version = await schema_version(conn)
    if version > latest:
        raise SchemaTooNew(
            f"the database is at schema version {version} but this code only knows up to "
            f"{latest}: it was written by a newer release; upgrade the code (or restore a backup)"
        )


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
        self._queue: list[tuple[Operation[Any], asyncio.Future[Any]]] = []

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

    async def _commit(self, batch: list[tuple[Operation[Any], asyncio.Future[Any]]]) -> None:
        live = [(operation, done) for operation, done in batch if not done.cancelled()]
        if not live:
            return
        alone = len(live) == 1  # no savepoint needed: a failure rolls back the transaction
        outcomes = []
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
        for done, result, error in outcomes:
            if not done.done():
                if error is None:
                    done.set_result(result)
                else:
                    done.set_exception(error)

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
