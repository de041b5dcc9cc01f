"""What the Storage facade needs of a database, whichever it is: the `Backend` protocol.

bot.storage.sqlite_backend (one file: the group-commit writer, a reader connection, the file
guard, the in-use lock) and bot.storage.pg_backend (an asyncpg pool) implement it; Storage
names the operations and hands the repositories the backend's `writes` and `reader`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from bot.storage.backup import BackupReport
from bot.storage.sql import Connection, Writes


class Backend(Protocol):
    """An open database: where writes go, where reads go, and its file-level operations."""

    @property
    def writes(self) -> Writes:
        """Every write, each in a committed transaction."""
        ...

    @property
    def reader(self) -> Connection:
        """Reads (never waiting for a write)."""
        ...

    @property
    def location(self) -> str:
        """The database for a message or another process: the SQLite file's path, or the
        PostgreSQL URL without its password."""
        ...

    @property
    def schema_version(self) -> int:
        """The schema version the database was brought to at open."""
        ...

    async def close(self) -> None: ...

    async def check_health(self, timeout_s: float) -> None:
        """Raise a one-line StorageError unless the database answers a real read within
        ``timeout_s`` and still takes writes."""
        ...

    async def backup_into(self, folder: Path, keep: int, now: float) -> BackupReport:
        """A consistent copy in ``folder`` (keeping the newest ``keep``), or a StorageError
        saying what to use instead where the database has no such copies."""
        ...
