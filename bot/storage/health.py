"""Noticing that the database file can no longer take the bot's writes, before anyone hears "Saved".

SQLite goes on writing to the file it opened even when that file was deleted or replaced at its
path (the writes land in an inode nobody opens again: after a restart they are gone), and an
open file stays writable after a chmod. So the storage proves at start-up that the file takes a
real write transaction (``probe_write``), and the writer asks its ``FileGuard`` right before
each COMMIT whether the path still names the file it opened and that file is still writable
(a ``stat`` and an ``access``: a few microseconds). Once the file is lost for writing, every
write is refused with DatabaseLost, and one ERROR line says what happened and what to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
from pathlib import Path

import aiosqlite

from bot.storage.connection import fetch_one, primary_code
from bot.storage.errors import DatabaseLost, StorageError

log = logging.getLogger(__name__)

RESTORE = (
    "stop the bot, put the right database file back at that path (restore a backup), then"
    " start it"  # in that order: a stopping bot deletes the -wal file named after the path
)
WRITABLE = "make the file and its folder writable for the bot's user and restart the bot"
_UNWRITABLE = {
    sqlite3.SQLITE_READONLY: ("is read-only", WRITABLE),
    sqlite3.SQLITE_FULL: ("cannot grow: the disk is full", "free disk space and restart the bot"),
    sqlite3.SQLITE_IOERR: ("failed with an I/O error", "check the disk and restart the bot"),
    sqlite3.SQLITE_CANTOPEN: ("cannot open a file beside it (-wal, -shm)", RESTORE),
}
"""SQLite's primary result codes that mean the file cannot take writes: (what, what to do)."""


async def probe_write(conn: aiosqlite.Connection, path: Path) -> None:
    """Commit one real write transaction, or raise a one-line StorageError saying why not.

    The write rewrites the schema version with its own value: harmless, yet it takes the
    write lock, appends a page to the WAL and syncs it, so a read-only file or folder or a
    full disk fails here, at start-up, instead of at the first person's rating.
    """
    try:
        await conn.execute("BEGIN IMMEDIATE")
        (version,) = await fetch_one(conn, "PRAGMA user_version")
        await conn.execute(f"PRAGMA user_version = {int(version)}")
        await conn.execute("COMMIT")
    except sqlite3.Error as error:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                await conn.execute("ROLLBACK")
        what, todo = _UNWRITABLE.get(primary_code(error) or 0, ("refused a write", WRITABLE))
        if primary_code(error) == sqlite3.SQLITE_BUSY:
            what, todo = "is locked by another process", "stop whatever holds it and start again"
        raise StorageError(
            f"the database {path} cannot be written: it {what} ({error}); {todo}"
        ) from error


READ_TIMEOUT_S = 2.0
SQLITE_HEADER = b"SQLite format 3\x00"
"""How long the health check's read may take before the database counts as not answering."""


async def probe_read(path: Path, timeout_s: float = READ_TIMEOUT_S) -> None:
    """Open and read the file afresh, then in a fresh read-only connection, or raise a
    one-line StorageError.

    Afresh, not through the bot's connections: an open file goes on reading after it was made
    unreadable or deleted, and the bot's reader may be busy with a long read. The file is
    opened by the system first, because SQLite hands a new connection a descriptor that an
    earlier one of this process left open. The reads (the header, the schema's first page)
    run in a thread; past ``timeout_s`` they count as no answer.
    """
    try:
        await asyncio.wait_for(asyncio.to_thread(_read, path, timeout_s), timeout_s)
    except TimeoutError:
        raise StorageError(
            f"cannot read the database {path}: no answer in {timeout_s:g} s"
        ) from None
    except (OSError, sqlite3.Error) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise StorageError(f"cannot read the database {path}: {reason}") from error


def _read(path: Path, timeout_s: float) -> None:
    with path.open("rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise sqlite3.DatabaseError("file is not a database")
    uri = path.absolute().as_uri() + "?mode=ro"  # ro: never creates a missing file
    with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=timeout_s)) as conn:
        conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()


class FileGuard:
    """Whether the database file the storage opened still takes writes; once not, refuse them.

    Made right after the file was opened, it remembers that file's identity (device and inode).
    The verdict is final: a file lost once stays lost until the bot restarts, so no write is
    ever acknowledged that is not in the file a restart will open.
    """

    def __init__(self, path: Path) -> None:
        self.path = path.absolute()
        self._where = os.fspath(self.path)  # a str: os.stat takes a Path ~1 µs slower
        opened = os.stat(self._where)
        self._opened = (opened.st_dev, opened.st_ino)
        self._lost: str | None = None

    @property
    def lost(self) -> str | None:
        """What happened to the file (None while it takes writes)."""
        return self._lost

    def refuse_if_lost(self) -> None:
        """Raise DatabaseLost if the file was found lost before (no system call)."""
        if self._lost is not None:
            raise self._refusal(self._lost)

    def check(self) -> None:
        """Raise DatabaseLost unless the path still names the opened file and it is writable."""
        if self._lost is None:
            found = self._what_changed()
            if found is not None:
                self.lose(*found)
        self.refuse_if_lost()

    def lose(self, what: str, todo: str) -> None:
        """Refuse every write from now on; the first call logs the one ERROR line."""
        if self._lost is not None:
            return
        self._lost = what
        log.error(
            "the database %s %s: refusing every write from now on (reads go on), so that"
            " nothing is saved where a restart would not find it; %s",
            self.path,
            what,
            todo,
        )

    def classify(self, error: BaseException) -> DatabaseLost | None:
        """For an SQLite error during a write: DatabaseLost (and the file lost) when the error
        means the file cannot take writes; None for any other error."""
        found = _UNWRITABLE.get(primary_code(error) or 0)
        if found is None:
            return None
        what, todo = found
        self.lose(f"{what} ({error})", todo)
        return self._refusal(self._lost or what)

    def _refusal(self, lost: str) -> DatabaseLost:
        return DatabaseLost(
            f"the database {self.path} {lost}; no write is saved until the bot restarts"
        )

    def _what_changed(self) -> tuple[str, str] | None:
        try:
            now = os.stat(self._where)
        except FileNotFoundError:
            return "was deleted while the bot was running", RESTORE
        except OSError as error:
            return f"cannot be found any more ({error})", RESTORE
        if (now.st_dev, now.st_ino) != self._opened:
            return "was replaced by another file while the bot was running", RESTORE
        if not os.access(self._where, os.W_OK):
            return "was made read-only while the bot was running", WRITABLE
        return None
