"""Bringing a PostgreSQL database's schema up to date, by the rules SQLite's runner follows.

The files are ``migrations/postgresql/NNN_name.sql`` (see bot.storage.migrations), numbered
like SQLite's and checked by the same `load_migrations`. Each is applied in its own
transaction together with the new version in the one-row ``schema_version`` table (SQLite's
``PRAGMA user_version`` has no PostgreSQL twin), so the recorded version and the schema never
disagree: PostgreSQL's DDL is transactional, and a failing file leaves the previous version.

Several replicas may start at once: every step takes the transaction-scoped advisory lock
MIGRATION_LOCK first, then re-reads the version, so one applies a file and the others find it
applied. A database at a version above the files' last is refused with SchemaTooNew.
"""

from __future__ import annotations

from pathlib import Path

import asyncpg

from bot.storage.migrations import dialect_folder, failed, load_migrations, refuse_newer

MIGRATION_LOCK = 0x6D6F7669  # "movi": the advisory lock key that serialises migrations
_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version integer NOT NULL CHECK (version >= 0),"
    " only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row))"
)


async def schema_version(conn: asyncpg.Connection) -> int:
    """The version the database records (0 for a database the bot never migrated)."""
    exists = await conn.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
    if not exists:
        return 0
    version = await conn.fetchval("SELECT version FROM schema_version")
    return int(version or 0)


async def migrate(conn: asyncpg.Connection, folder: Path | None = None) -> int:
    """Apply the migrations the database lacks, in order; return the resulting version.

    ``folder`` is the migrations folder (its ``postgresql/`` sub-folder holds these files;
    default: the package's own).
    """
    migrations = load_migrations(dialect_folder(folder, "postgresql"))
    latest = migrations[-1].version
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await conn.execute(_VERSION_TABLE)
        await conn.execute("INSERT INTO schema_version (version) VALUES (0) ON CONFLICT DO NOTHING")
    refuse_newer(await schema_version(conn), latest)
    for migration in migrations:
        if migration.version <= await schema_version(conn):
            continue
        try:
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
                version = await schema_version(conn)
                refuse_newer(version, latest)
                if version < migration.version:
                    await conn.execute(migration.sql)  # a script: several statements at once
                    await conn.execute("UPDATE schema_version SET version = $1", migration.version)
        except asyncpg.PostgresError as error:
            raise failed(migration, error) from error
    return await schema_version(conn)
