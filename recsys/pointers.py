"""The ``current`` and ``previous`` pointers of a models directory, switched atomically.

A pointer is a relative symlink to a sibling directory (so the whole models directory can
be moved or mounted elsewhere). It is switched by creating a fresh symlink under a
temporary name and ``os.replace``-ing it over the old one: a reader sees the old target or
the new one, never a missing or half-written pointer.
"""

from __future__ import annotations

import os
from pathlib import Path

CURRENT = "current"
PREVIOUS = "previous"
TMP_PREFIX = ".tmp-"


def target(root: Path, name: str) -> Path | None:
    """The directory ``root/name`` points to, or None when unset or dangling."""
    link = root / name
    if not link.is_symlink():
        return None
    path = root / os.readlink(link)
    return path if path.is_dir() else None


def switch(root: Path, new_name: str) -> None:
    """Make ``root/new_name`` current, recording the old current as previous.

    ``previous`` is written first: a crash between the two steps leaves both pointing at the
    old model, which is still a consistent state.
    """
    old = target(root, CURRENT)
    if old is not None and old.resolve().name != new_name:
        point(root, PREVIOUS, old.resolve().name)
    point(root, CURRENT, new_name)


def point(root: Path, name: str, target_name: str) -> None:
    """Atomically (re)point ``root/name`` at the sibling ``target_name``."""
    tmp = root / f"{TMP_PREFIX}{name}-{os.getpid()}-{os.urandom(4).hex()}"
    os.symlink(target_name, tmp)
    try:
        os.replace(tmp, root / name)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(root)


def fsync_dir(path: Path) -> None:
    """Make a rename durable; some filesystems refuse to open directories, which is fine."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
