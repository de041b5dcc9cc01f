"""Who is using a database file: an advisory lock on ``<database>.lock`` beside it.

Every ``Storage`` (so every running bot) and every backup holds a shared lock on that file for
as long as it has the database open; a restore takes it exclusively. The kernel drops a lock
when its process ends, however it ends (SIGKILL and OOM kills included), so a lock is never
left behind by a crash and nothing has to clean up a stale one. SQLite's own locks cannot tell
this: between transactions a bot holds none of them.

The lock file is never deleted: a process that opened it just before it was deleted would lock
a file that nobody else sees.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from types import TracebackType

from bot.storage.errors import DatabaseInUse, StorageError


def lock_path(database: Path) -> Path:
    """The lock file of a database: ``moviebot.db.lock`` beside ``moviebot.db``."""
    return database.with_name(database.name + ".lock")


class UseLock:
    """A held lock on a database's lock file; ``release`` (or leaving ``with``) drops it."""

    def __init__(self, fd: int, path: Path) -> None:
        self._fd: int | None = fd
        self.path = path
        """The lock file."""

    @classmethod
    def shared(cls, database: Path) -> UseLock:
        """Using the database (a bot, a backup): StorageError while a restore is replacing it."""
        lock = cls._open(database)
        if not lock._take(fcntl.LOCK_SH):
            raise StorageError(
                f"the database {database} is being restored (`moviebot restore` holds"
                f" {lock.path}); start again when the restore has finished"
            )
        return lock

    @classmethod
    def exclusive(cls, database: Path) -> UseLock:
        """Replacing the database (a restore): DatabaseInUse while anyone else uses it."""
        lock = cls._open(database)
        if not lock._take(fcntl.LOCK_EX):
            raise DatabaseInUse(
                f"the database {database} is in use: a running bot (or a backup) holds"
                f" {lock.path}; stop the bot first"
            )
        return lock

    @classmethod
    def _open(cls, database: Path) -> UseLock:
        path = lock_path(database)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except PermissionError:
            try:  # a lock file made by another user: locking needs only a read handle
                fd = os.open(path, os.O_RDONLY)
            except OSError as error:
                raise StorageError(_cannot_open(path, error)) from error
        except OSError as error:
            raise StorageError(_cannot_open(path, error)) from error
        return cls(fd, path)

    def _take(self, kind: int) -> bool:
        """Lock without waiting; False (and the file closed) when another holder prevents it."""
        assert self._fd is not None
        try:
            fcntl.flock(self._fd, kind | fcntl.LOCK_NB)
        except BlockingIOError:
            self.release()
            return False
        return True

    def release(self) -> None:
        """Drop the lock (closing the file drops it); harmless when already released."""
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)

    def __enter__(self) -> UseLock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


def _cannot_open(path: Path, error: OSError) -> str:
    return (
        f"cannot open the lock file {path} ({error.strerror or error}): the bot's user must be"
        " able to write the database and to create files in its folder"
    )
