"""Consistent copies of the live database (backup), and putting one back (restore).

Copying ``moviebot.db`` with ``cp`` while the bot runs is unsafe: in WAL mode the latest commits
live in ``moviebot.db-wal``, and a file copied during a checkpoint is torn. A backup here reads
the database through SQLite's online backup API in one step, which is one read transaction: a
snapshot as of its start, holding every commit made before it, while the bot goes on writing
(WAL readers never block the writer). The copy goes to a temporary file beside the target, is
checked (SQLite's integrity check, a schema version this code knows), synced and renamed into
place, so the target is either what it was or a complete, checked copy. A backup is one
self-contained file (rollback journal mode, no -wal beside it).

A restore refuses while the database is in use (see bot.storage.in_use), copies and checks the
backup beside the database, moves the current database and its -wal/-shm aside as
``<name>.before-restore-<UTC time>`` (never deleting them) and renames the copy into place.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from bot.storage.connection import BUSY_TIMEOUT_MS
from bot.storage.errors import BadBackup, StorageError
from bot.storage.in_use import UseLock
from bot.storage.migrations import default_migrations_dir, load_migrations

SIDE_FILES = ("-wal", "-shm", "-journal")
"""What SQLite keeps beside a database file; they belong to it and move with it."""
_STAMP = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class BackupReport:
    """A checked copy of the database, as written."""

    path: Path
    size_bytes: int
    ratings: int
    """Every rating it holds (MovieLens and Telegram people alike)."""
    schema_version: int
    seconds: float
    """From the start of the backup until the copy was in place."""

    def summary(self) -> str:
        """ "4.8 MB, 100,836 ratings, schema version 6, in 0.12 s" """
        return (
            f"{describe_size(self.size_bytes)}, {self.ratings:,} ratings, schema version"
            f" {self.schema_version}, in {self.seconds:.2f} s"
        )


@dataclass(frozen=True)
class RestoreReport:
    """A backup put back in place of the database."""

    database: Path
    ratings: int
    schema_version: int
    previous: Path | None
    """Where the database that was there before went (None: there was none)."""
    seconds: float

    def summary(self) -> str:
        """ "100,836 ratings, schema version 6, in 0.12 s" """
        return (
            f"{self.ratings:,} ratings, schema version {self.schema_version},"
            f" in {self.seconds:.2f} s"
        )


def known_version(migrations: Path | None = None) -> int:
    """The newest schema version this code knows: the last migration file's number."""
    return load_migrations(migrations or default_migrations_dir())[-1].version


def backup(database: Path, target: Path, *, latest: int) -> BackupReport:
    """Write a consistent, checked copy of ``database`` to the file ``target``, while the bot
    may go on writing to it; ``latest`` is the newest schema version this code knows.

    Raises StorageError (one line) when there is no database, a restore is replacing it, or
    the copy fails its checks (BadBackup); nothing is left at ``target`` then.
    """
    started = time.perf_counter()
    database, target = database.absolute(), target.absolute()
    if not database.is_file():
        raise StorageError(f"no database at {database} (is DATABASE_PATH right?)")
    if target.exists() and os.path.samefile(database, target):
        raise StorageError(f"the backup {target} would overwrite the database itself")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    with UseLock.shared(database):
        try:
            _copy(database, partial, live=True)
            version, ratings = check(partial, latest, name=f"the copy of {database}")
            _sync(partial)
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    _sync(target.parent)
    seconds = time.perf_counter() - started
    return BackupReport(target, target.stat().st_size, ratings, version, seconds)


def backup_into(
    database: Path, folder: Path, keep: int, *, latest: int, now: float
) -> BackupReport:
    """A backup named ``<stem>-<UTC time>.db`` (see ``backup_name``) in ``folder``; then only
    the newest ``keep`` of that database's backups there stay (other files are left alone)."""
    report = backup(database, folder / backup_name(database, now), latest=latest)
    prune(folder, database, keep)
    return report


def backup_name(database: Path, now: float) -> str:
    """``moviebot-20250101T120000Z.db`` for ``moviebot.db`` at ``now`` (seconds since the
    epoch): names sort by time."""
    return f"{database.stem}-{_stamp(now)}.db"


def prune(folder: Path, database: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups named by ``backup_name`` in ``folder``;
    returns those deleted."""
    if keep < 1:
        raise ValueError(f"keep must be 1 or more, not {keep}")
    named = re.compile(rf"{re.escape(database.stem)}-\d{{8}}T\d{{6}}Z\.db")
    found = sorted(
        (path for path in folder.iterdir() if named.fullmatch(path.name) and path.is_file()),
        key=lambda path: path.name,
        reverse=True,
    )
    for old in found[keep:]:
        for suffix in ("", *SIDE_FILES):
            Path(f"{old}{suffix}").unlink(missing_ok=True)
    return found[keep:]


def restore(source: Path, database: Path, *, latest: int, now: float) -> RestoreReport:
    """Put the backup ``source`` in place of ``database``; ``latest`` is the newest schema
    version this code knows, ``now`` names the previous database's new place.

    Raises DatabaseInUse while a bot (or a backup) has the database open, BadBackup when the
    backup fails its checks (damaged, not SQLite, from a newer release), StorageError for the
    rest; in every such case the database is left as it was.
    """
    started = time.perf_counter()
    source, database = source.absolute(), database.absolute()
    if not source.is_file():
        raise BadBackup(f"no backup at {source}")
    if database.exists() and os.path.samefile(source, database):
        raise StorageError(f"{source} is the database itself, not a backup of it")
    database.parent.mkdir(parents=True, exist_ok=True)
    incoming = database.with_name(f".{database.name}.restoring")
    with UseLock.exclusive(database):
        try:
            _copy(source, incoming, live=False)
            version, ratings = check(incoming, latest, name=str(source))
            _same_owner(incoming, database)
            _sync(incoming)
            previous = _move_aside(database, now)
            os.replace(incoming, database)
        except BaseException:
            incoming.unlink(missing_ok=True)
            raise
        _sync(database.parent)
    return RestoreReport(database, ratings, version, previous, time.perf_counter() - started)


def check(path: Path, latest: int, *, name: str) -> tuple[int, int]:
    """(schema version, ratings) of the database file at ``path`` (called ``name`` in errors)
    once it passed SQLite's integrity check; BadBackup when it does not, or when its schema
    version is not one this code knows (0: not a moviebot database; above ``latest``)."""
    try:
        with contextlib.closing(_read_only(path)) as conn:
            problems = [str(row[0]) for row in conn.execute("PRAGMA integrity_check(3)")]
            if problems != ["ok"]:
                raise BadBackup(f"{name} is damaged: {'; '.join(problems)}")
            (version,) = conn.execute("PRAGMA user_version").fetchone()
            if version == 0:
                raise BadBackup(f"{name} is not a moviebot database (it has no schema version)")
            if version > latest:
                raise BadBackup(
                    f"{name} is at schema version {version} but this code only knows up to"
                    f" {latest}: it was written by a newer release"
                )
            (ratings,) = conn.execute("SELECT count(*) FROM ratings").fetchone()
    except sqlite3.DatabaseError as error:
        raise BadBackup(f"{name} is not a usable moviebot database: {error}") from error
    return int(version), int(ratings)


def describe_size(size_bytes: int) -> str:
    """ "812 B", "4.8 MB", "1.2 GB" (powers of 1000, as ``ls -h --si`` shows them)."""
    size = float(size_bytes)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def _copy(source: Path, dest: Path, *, live: bool) -> None:
    """Copy the database ``source`` to a new file ``dest``, as of one instant, never writing
    to ``source``. ``live``: the bot's database (else a backup, opened read-only)."""
    dest.unlink(missing_ok=True)
    try:
        with (
            contextlib.closing(_reading(source) if live else _read_only(source)) as reading,
            contextlib.closing(sqlite3.connect(dest)) as writing,
        ):
            # pages=-1 (all in one step): one read transaction, so one consistent snapshot. In
            # steps, every commit of the bot's between two steps would restart the copy.
            reading.backup(writing, pages=-1)
            # The copied header says WAL; a backup is one file, without -wal and -shm beside it.
            writing.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.Error as error:
        raise StorageError(f"cannot copy {source}: {error}") from error


def _read_only(path: Path) -> sqlite3.Connection:
    uri = f"{path.absolute().as_uri()}?mode=ro"  # as_uri escapes "?" and "#" in the name
    return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)


def _reading(database: Path) -> sqlite3.Connection:
    """A connection to the live database that only reads. Not mode=ro: when it is the last
    connection to close (no bot running) it removes the -wal and -shm it made, as the bot does;
    mode=rw never creates a missing file, and falls back to reading a write-protected one."""
    uri = f"{database.absolute().as_uri()}?mode=rw"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("PRAGMA query_only = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def _move_aside(database: Path, now: float) -> Path | None:
    """Move the database and its side files to ``<name>.before-restore-<UTC time>``; returns
    that path (None when there was nothing to move)."""
    present = [suffix for suffix in ("", *SIDE_FILES) if Path(f"{database}{suffix}").exists()]
    if not present:
        return None
    aside = database.with_name(f"{database.name}.before-restore-{_stamp(now)}")
    for n in range(2, 1000):
        if not any(Path(f"{aside}{suffix}").exists() for suffix in ("", *SIDE_FILES)):
            break
        aside = database.with_name(f"{database.name}.before-restore-{_stamp(now)}-{n}")
    # A hard link first keeps the path naming a database until the restored one replaces it.
    linked = False
    if "" in present:
        with contextlib.suppress(OSError):  # a filesystem without hard links: renamed below
            os.link(database, aside)
            linked = True
    # The side files before the restored file lands: SQLite would replay a -wal left at the
    # path into it, and the -wal holds the current database's last commits.
    for suffix in SIDE_FILES:
        if suffix in present:
            os.replace(f"{database}{suffix}", f"{aside}{suffix}")
    if "" in present and not linked:
        os.replace(database, aside)
    return aside


def _same_owner(restored: Path, database: Path) -> None:
    """Give the restored file the current database's mode and, where allowed, its owner: a
    restore run as root must not leave the bot a file it cannot write."""
    try:
        current = os.stat(database)
    except FileNotFoundError:
        return
    os.chmod(restored, stat.S_IMODE(current.st_mode))
    if (current.st_uid, current.st_gid) != (os.getuid(), os.getgid()):
        with contextlib.suppress(PermissionError):  # only root may give a file away
            os.chown(restored, current.st_uid, current.st_gid)


def _stamp(now: float) -> str:
    return time.strftime(_STAMP, time.gmtime(now))


def _sync(path: Path) -> None:
    """fsync a file or a folder (a folder: so that a rename in it survives a power cut)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
