"""The artifacts a models directory holds: listed oldest first, and pruned to the newest few.

Part of recsys.artifacts' public face (``artifacts.list_versions``, ``artifacts.prune``),
kept apart because it is housekeeping over directory names and timestamps, not about what
an artifact holds.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from recsys.artifact_files import META
from recsys.pointers import CURRENT, PREVIOUS, TMP_PREFIX, target

KEEP_VERSIONS = 5
"""Artifacts `prune` keeps by default (current and previous are kept on top of these)."""
STALE_AFTER_SECONDS = 3600.0
"""A temporary left by a save is only deleted once this old: a younger one may belong to a
save still running in another process."""
_TIMESTAMP_CHARS = len("20261127T211500Z")
"""An artifact name starts with its save time to the second, in this many characters."""


def list_versions(models_dir: str | Path) -> list[Path]:
    """Every artifact directory under ``models_dir``, oldest first.

    Names start with the save time to the second; meta.json's finer ``saved_at`` orders
    models saved within the same second.
    """
    root = Path(models_dir)
    if not root.is_dir():
        return []
    found = [
        p
        for p in root.iterdir()
        if p.is_dir() and not p.is_symlink() and not p.name.startswith(".") and (p / META).exists()
    ]
    return sorted(found, key=lambda p: (p.name[:_TIMESTAMP_CHARS], _saved_at(p), p.name))


def prune(
    models_dir: str | Path, keep: int = KEEP_VERSIONS, stale_after: float = STALE_AFTER_SECONDS
) -> list[Path]:
    """Delete all but the newest ``keep`` artifacts, never current or previous; returns them.

    Also removes temporaries that a killed save left behind, once older than ``stale_after``
    seconds (younger ones may belong to a save still running in another process).
    """
    root = Path(models_dir)
    pointed = (target(root, CURRENT), target(root, PREVIOUS))
    pinned = {p.resolve() for p in pointed if p is not None}
    versions = list_versions(root)
    doomed = [p for p in versions[: max(len(versions) - keep, 0)] if p.resolve() not in pinned]
    cutoff = time.time() - stale_after
    doomed += [
        p
        for p in (root.glob(f"{TMP_PREFIX}*") if root.is_dir() else ())
        if p.lstat().st_mtime < cutoff
    ]
    for path in doomed:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    return doomed


def _saved_at(path: Path) -> str:
    try:
        return str(json.loads((path / META).read_text(encoding="utf-8")).get("saved_at", ""))
    except (OSError, ValueError, AttributeError):
        return ""
