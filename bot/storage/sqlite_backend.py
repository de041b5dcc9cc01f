"""The SQLite backend: one database file, a group-commit writer and a reader connection.

All writes go through one connection (the Writer: writes that arrive together share a
transaction, each in its own savepoint) and return only after COMMIT, so a rating that was
acknowledged survives a crash. Reads use a second connection, so a long read (the training
snapshot) never waits for a write and vice versa. Until closed the file counts as in use
(bot.storage.in_use), and the FileGuard refuses writes once the file is lost.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiosqlite

from bot.storage import backup
from bot.storage.backup import BackupReport
from bot.storage.connection import SqliteConnection, Synchronous, connect
from bot.storage.errors import StorageError
from bot.storage.health import FileGuard, probe_read, probe_write
from bot.storage.in_use import UseLock
from bot.storage.migrations import migrate
from bot.storage.writer import Writer


class SqliteBackend:
    """An open SQLite database (see the module); create with ``await SqliteBackend.open``."""

    def __init__(
        self,
        writer: Writer,
        reader: aiosqlite.Connection,
        path: Path,
        *,
        in_use: UseLock,
        schema_version: int,
    ) -> None:
        self._writer = writer
        self._raw_reader = reader
        self._reader = SqliteConnection(reader)
        self.path = path
        self._in_use = in_use  # held until close: a restore refuses meanwhile
        self._schema_version = schema_version

    @classmethod
    async def open(
        cls, path: str | Path, *, migrations: Path | None, synchronous: Synchronous = "FULL"
    ) -> SqliteBackend:
        """Connect (creating the file and its folder if needed), prove that the file takes a
        write (else a StorageError saying why) and apply missing migrations."""
        if str(path) == ":memory:":
            raise StorageError("the storage needs a file: its reader and writer share it")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        in_use = UseLock.shared(Path(path))
        try:
            # Opened with the long busy timeout: the probe and the migrations may wait for
            # another process's lock; the Writer then waits only as long as a person should.
            writer = await connect(path, synchronous)
        except BaseException:
            in_use.release()
            raise
        try:
            guard = FileGuard(Path(path))
            await probe_write(writer, Path(path))
            version = await migrate(writer, migrations)
            reader = await connect(path, synchronous)
        except BaseException:
            await writer.close()
            in_use.release()
            raise
        await reader.execute("PRAGMA query_only = ON")
        return cls(Writer(writer, guard), reader, Path(path), in_use=in_use, schema_version=version)

    @property
    def writes(self) -> Writer:
        return self._writer

    @property
    def reader(self) -> SqliteConnection:
        return self._reader

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def schema_version(self) -> int:
        return self._schema_version

    async def close(self) -> None:
        await self._writer.close()
        await self._raw_reader.close()
        self._in_use.release()

    async def check_health(self, timeout_s: float) -> None:
        """The file read afresh (see bot.storage.health), and the writer's file guard."""
        await probe_read(self.path, timeout_s)
        self._writer.check_file()

    async def backup_into(self, folder: Path, keep: int, now: float) -> BackupReport:
        """In a thread on a connection of its own (bot.storage.backup): the bot goes on
        answering and writing meanwhile, and every write committed before the call is in it."""
        return await asyncio.to_thread(
            backup.backup_into, self.path, folder, keep, latest=self._schema_version, now=now
        )
