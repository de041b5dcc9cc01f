"""Bringing a database's schema up to date from the numbered SQL files in ``migrations/``.

The top-level ``migrations/`` folder is the source; pyproject.toml ships it inside the package
as ``bot/storage/migrations_sql`` (package data), so an installed bot (``pip install .``, the
Docker image) finds its migrations without being told where they are.

Migrations are plain-SQL files named ``NNN_name.sql``. Each is applied in its own transaction
together with ``PRAGMA user_version = NNN``, so the recorded version and the schema can never
disagree, and a crash mid-migration leaves the previous version.

The files at the top of the folder are SQLite's; ``postgresql/`` beside them holds the same
schema, version for version, in PostgreSQL's dialect (`dialect_folder`), applied by the same
rules by bot.storage.pg_migrations.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import aiosqlite

from bot.storage.connection import fetch_one
from bot.storage.errors import SchemaTooNew, StorageError

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
PACKAGED = "migrations_sql"
"""The folder inside ``bot.storage`` that an installed package holds the migrations in."""
POSTGRESQL_FOLDER = "postgresql"
"""The sub-folder of a migrations folder with the PostgreSQL files."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def default_migrations_dir() -> Path:
    """The migrations installed with the package, else the checkout's ``migrations/``.

    An installed package (a wheel: ``pip install .``, the Docker image) carries them as
    package data in ``bot/storage/migrations_sql``; a checkout, and an editable install
    (which runs the checkout's code), reads the top-level ``migrations/`` folder itself.
    ``MIGRATIONS_DIR`` (read by the bot's settings, passed to ``Storage.open``) overrides both.
    """
    packaged = resources.files("bot.storage").joinpath(PACKAGED)
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "migrations"


def dialect_folder(folder: Path | None, dialect: str) -> Path:
    """The folder of one dialect's files: ``folder`` (default: `default_migrations_dir`)
    itself for SQLite, its ``postgresql/`` sub-folder for PostgreSQL."""
    base = folder or default_migrations_dir()
    return base / POSTGRESQL_FOLDER if dialect == "postgresql" else base


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
    statements: list[str] = []
    current = ""
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


async def schema_version(conn: aiosqlite.Connection) -> int:
    """The version the database records (0 for a new file)."""
    (version,) = await fetch_one(conn, "PRAGMA user_version")
    return int(version)


async def migrate(conn: aiosqlite.Connection, folder: Path | None = None) -> int:
    """Apply the migrations the database lacks, in order; return the resulting version.

    ``folder`` defaults to ``default_migrations_dir()``. Safe to run from several processes at
    once: each step re-reads the version after taking the write lock (BEGIN IMMEDIATE) and
    skips what another process applied meanwhile.
    """
    migrations = load_migrations(folder or default_migrations_dir())
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
            raise failed(migration, error) from error
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
    return await schema_version(conn)


async def _refuse_newer(conn: aiosqlite.Connection, latest: int) -> None:
    refuse_newer(await schema_version(conn), latest)


def refuse_newer(version: int, latest: int) -> None:
    """SchemaTooNew when the database's ``version`` is above the ``latest`` this code knows."""
    if version > latest:
        raise SchemaTooNew(
            f"the database is at schema version {version} but this code only knows up to "
            f"{latest}: it was written by a newer release; upgrade the code (or restore a backup)"
        )


def failed(migration: Migration, error: BaseException) -> StorageError:
    """The error of a migration that was rolled back (the same words for either dialect)."""
    return StorageError(
        f"migration {migration.name} failed and was rolled back, leaving the database at"
        f" version {migration.version - 1}: {error}"
    )
