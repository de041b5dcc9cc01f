"""Opening the SQLite database and bringing its schema up to date.

Migrations are the numbered plain-SQL files in ``migrations/`` (``NNN_name.sql``). Each is
applied in its own transaction together with ``PRAGMA user_version = NNN``, so the recorded
version and the schema can never disagree, and a crash mid-migration leaves the previous version.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

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


async def connect(path: str | Path) -> aiosqlite.Connection:
    """Open a connection in autocommit mode (transactions are explicit) with the pragmas set."""
    conn = await aiosqlite.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        (mode,) = (await conn.execute_fetchall("PRAGMA journal_mode = WAL"))[0]
        if mode != "wal":
            raise StorageError(f"could not switch {path} to WAL journal mode (got {mode!r})")
        # FULL, not NORMAL: in WAL mode NORMAL skips the fsync at commit, so a power cut can lose
        # the last committed ratings (a killed process cannot; the OS still has the pages). FULL
        # fsyncs the WAL on every commit, so a rating that was acknowledged is on disk.
        await conn.execute("PRAGMA synchronous = FULL")
        await conn.execute("PRAGMA foreign_keys = ON")
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
