"""Doing to a database file what operators and other processes do to it: for the fault tests.

Shared by tests/bot/storage/test_faults.py and tests/e2e/test_storage_faults.py.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from bot.storage import Storage

SIDE_FILES = ("", "-wal", "-shm")
"""The database file and the two SQLite keeps beside it in WAL mode."""


def database_file(storage: Storage) -> Path:
    """The SQLite file behind a storage (its `path` is the URL's text on PostgreSQL)."""
    assert isinstance(storage.path, Path), f"not an SQLite database: {storage.path}"
    return storage.path


def delete_keeping(database: Path, keep: Path) -> None:
    """Delete the database (and its -wal, -shm) at its path, as `rm moviebot.db*` does, but
    keep the very same files reachable at ``keep`` (hard links), to see what went into them."""
    for suffix in SIDE_FILES:
        path = Path(f"{database}{suffix}")
        if path.exists():
            os.link(path, f"{keep}{suffix}")
            path.unlink()


def stored_rating(database: Path, telegram_id: int, movie_id: int) -> float | None:
    """What the file at ``database`` holds for one rating, read directly."""
    with contextlib.closing(sqlite3.connect(database)) as db:
        row = db.execute(
            "SELECT r.rating FROM ratings r JOIN people p USING (person_id)"
            " WHERE p.telegram_id = ? AND r.movie_id = ?",
            (telegram_id, movie_id),
        ).fetchone()
    return None if row is None else float(row[0])


@contextlib.contextmanager
def made_read_only(path: Path) -> Iterator[None]:
    """The file (or folder) read-only for this process within the block: chmod, or for root
    (whom permissions do not stop) the immutable attribute."""
    mode = path.stat().st_mode
    path.chmod(0o555 if path.is_dir() else 0o444)
    immutable = False
    try:
        if os.access(path, os.W_OK):
            done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
            immutable = done.returncode == 0
        if os.access(path, os.W_OK):
            pytest.fail(f"cannot make {path} read-only here (root, and no chattr on this disk)")
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(mode)


@contextlib.contextmanager
def write_locked(database: Path, how: str = "BEGIN EXCLUSIVE") -> Iterator[None]:
    """Another connection (as another process would) holds the write lock within the block."""
    taken, release = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    def hold() -> None:
        try:
            other = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
            try:
                other.execute(how)
                taken.set()
                release.wait(120)
                other.execute("ROLLBACK")
            finally:
                other.close()
        except BaseException as error:  # reported to the test below
            failure.append(error)
            taken.set()

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    taken.wait(30)
    if failure:
        raise failure[0]
    try:
        yield
    finally:
        release.set()
        holder.join(30)
