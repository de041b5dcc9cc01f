"""The PostgreSQL backend: an asyncpg pool shared by reads and writes (bot.storage.postgres).

Many bot processes (replicas in webhook mode) may share the database: PostgreSQL runs their
transactions concurrently, so there is no single writer, no file to guard and no in-use lock.
What only makes sense for a file refuses with a StorageError that says what to use instead
(pg_dump for backups).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import asyncpg

from bot.storage import pg_migrations
from bot.storage.backup import BackupReport
from bot.storage.errors import StorageError
from bot.storage.postgres import PgConnection, PoolWrites
from bot.storage.url import DatabaseUrl, without_password

CONNECT_TIMEOUT_S = 10.0
"""How long opening a connection may take before the server counts as unreachable."""
POOL_SIZE = (1, 10)
"""The fewest and most connections each bot process keeps to the server."""
CLOSE_TIMEOUT_S = 5.0
NO_BACKUP = (
    "the bot's own backups are SQLite files; back a PostgreSQL database up with the server's"
    " tools instead: pg_dump -Fc -f moviebot.dump <DATABASE_URL> (and pg_restore to put it"
    " back), or the managed service's snapshots"
)


class PgBackend:
    """An open PostgreSQL database (see the module); create with ``await PgBackend.open``."""

    def __init__(self, pool: asyncpg.Pool, url: DatabaseUrl, schema_version: int) -> None:
        self._pool = pool
        self.url = url
        self._writes = PoolWrites(pool, url.redacted)
        self._reader = PgConnection(pool)
        self._schema_version = schema_version

    @classmethod
    async def open(cls, url: DatabaseUrl, *, migrations: Path | None) -> PgBackend:
        """Connect a pool, apply missing migrations (several processes may do so at once) and
        prove that the database takes a write; a one-line StorageError saying why not."""
        try:
            pool = await asyncpg.create_pool(
                url.dsn,
                min_size=POOL_SIZE[0],
                max_size=POOL_SIZE[1],
                timeout=CONNECT_TIMEOUT_S,
                server_settings={"application_name": "moviebot"},
            )
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            raise StorageError(f"cannot connect to the database {url}: {error}") from None
        try:
            conn: Any
            async with pool.acquire() as conn:
                version = await pg_migrations.migrate(conn, migrations)
                await _probe_write(conn, url)
        except BaseException:
            await _close(pool)
            raise
        return cls(pool, url, version)

    @property
    def writes(self) -> PoolWrites:
        return self._writes

    @property
    def reader(self) -> PgConnection:
        return self._reader

    @property
    def location(self) -> str:
        return without_password(self.url)

    @property
    def schema_version(self) -> int:
        return self._schema_version

    async def close(self) -> None:
        await _close(self._pool)

    async def check_health(self, timeout_s: float) -> None:
        """A real read on a pooled connection within ``timeout_s``, on a server that takes
        writes (not a standby in recovery, not read-only)."""
        try:
            row = await asyncio.wait_for(
                self._pool.fetchrow(
                    "SELECT pg_is_in_recovery(), current_setting('transaction_read_only'),"
                    " (SELECT version FROM schema_version)"
                ),
                timeout_s,
            )
        except TimeoutError:
            raise StorageError(
                f"cannot read the database {self.url}: no answer in {timeout_s:g} s"
            ) from None
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            raise StorageError(f"cannot read the database {self.url}: {error}") from None
        if row is None or row[0] or row[1] == "on":
            raise StorageError(f"the database {self.url} is read-only (a standby?)")

    async def backup_into(self, folder: Path, keep: int, now: float) -> BackupReport:
        raise StorageError(NO_BACKUP)


async def _probe_write(conn: Any, url: DatabaseUrl) -> None:
    """Commit one real write (the schema version rewritten with its own value), so a
    read-only server or a user without write rights fails at start-up, not at the first
    rating."""
    try:
        async with conn.transaction():
            await conn.execute("UPDATE schema_version SET version = version")
    except asyncpg.PostgresError as error:
        raise StorageError(f"the database {url} cannot be written: {error}") from None


async def _close(pool: asyncpg.Pool) -> None:
    try:
        await asyncio.wait_for(pool.close(), CLOSE_TIMEOUT_S)
    except (TimeoutError, OSError, asyncpg.InterfaceError):
        pool.terminate()
