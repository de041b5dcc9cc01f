"""Removing people from stored models: every artifact that holds one is rewritten without them.

Forgetting a person must reach the models kept on disk, not only the ratings they came from.
An artifact (recsys.artifacts) holds its users' ids (the ``users`` id map in its weights), one
embedding row per user (and one bias for mf_bias) and, when saved with them, every training
rating. `without_users` rewrites one artifact with those rows and ratings
dropped: the remaining users keep their order (so their indices are re-packed consistently
with the id map), every checksum is recomputed, and meta.json records how many people were
removed. The copy is always written in the current format (a format-1 artifact comes out
as weights.npz and ratings.npz). The others' predictions do not change; a new person's
fold-in starts from the average of the remaining users, so theirs move by a hair. What the
model learned about movies from those people's ratings (item embeddings, the watch model,
per-movie counts) is left as trained: only retraining without them takes that out.

Crash safety follows `artifacts.save`: the new copy is written and loaded under a temporary
name, renamed into place under a new name (the same save-time prefix, so it keeps its place
among the versions), the ``current``/``previous`` pointers that named the old copy are
switched to it, and only then is the old directory renamed away and deleted. A crash at any
step leaves every pointer on a complete artifact; at worst the old copy is still there, and
forgetting the same people again finishes the job.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from recsys import training_table
from recsys.artifact_files import (
    META,
    ArtifactError,
    array_bytes,
    read_arrays,
    read_checked,
    write_file,
    write_json,
)
from recsys.artifacts import (
    DIR_MODE,
    FORMAT,
    HISTORY,
    LEGACY_TRAINING,
    LEGACY_WEIGHTS,
    TRAINING,
    WEIGHTS,
    free_name,
    load,
    read_meta,
    training_name,
    weights_name,
)
from recsys.pointers import CURRENT, PREVIOUS, TMP_PREFIX, fsync_dir, point, target
from recsys.state import user_arrays

__all__ = ["LEFTOVER_PREFIX", "remove_leftovers", "users_of", "without_users"]

LEFTOVER_PREFIX = f"{TMP_PREFIX}forgotten-"
"""An old copy is renamed to this prefix before it is deleted: a crash mid-delete leaves a
directory that is no artifact (nothing lists or loads it) and that `remove_leftovers` ends."""
_STAMP = re.compile(r"^\d{8}T\d{6}Z")
"""The save time an artifact's name starts with (recsys.artifacts)."""


def users_of(path: str | Path) -> np.ndarray:
    """Every user id the artifact at ``path`` holds (its id map and, when saved, its training
    ratings): sorted, unique, int64.

    Cheap: only the id arrays are read out of the .npz files (a format-1 file is read whole).
    Checksums are not checked here (`without_users` checks them before rewriting anything);
    a file that cannot be read so is read and checked instead, so damage is an
    ArtifactError naming the file.
    """
    folder = Path(path)
    meta = read_meta(folder)
    found = [_ids(folder / weights_name(meta), meta, "users")]
    training = training_name(meta)
    if training is not None:
        found.append(_ids(folder / training, meta, "userId"))
    return np.unique(np.concatenate(found))


def without_users(path: str | Path, user_ids: Iterable[int]) -> Path | None:
    """Rewrite the artifact at ``path`` without ``user_ids``; the new artifact's path, or None
    when it held none of them (then nothing is written).

    The new artifact replaces the old one under a new name in the same models directory
    (pointers follow it) and the old directory is deleted. Raises ArtifactError when the
    artifact is damaged (nothing is changed then).
    """
    folder = Path(path).resolve()
    root = folder.parent
    gone = np.unique(np.fromiter((int(u) for u in user_ids), dtype=np.int64))
    meta = read_meta(folder)
    weights_file = folder / weights_name(meta)
    arrays = read_arrays(weights_file, meta)
    keep = ~np.isin(_column(arrays, "users", weights_file), gone)
    training_file = training_name(meta)
    training = None
    if training_file is not None:
        training = _training(folder / training_file, meta)
    keep_rows = None if training is None else ~training["userId"].isin(gone).to_numpy()
    if keep.all() and (keep_rows is None or keep_rows.all()):
        return None

    files: dict[str, bytes] = {WEIGHTS: array_bytes(_drop_users(arrays, keep, meta, folder))}
    if training is not None and keep_rows is not None:
        files[TRAINING] = array_bytes(training_table.pack(training[keep_rows]))
    for name in meta["files"]:  # titles and any other extra: the same bytes, checked
        if name not in files and name not in (LEGACY_WEIGHTS, LEGACY_TRAINING):
            files[name] = read_checked(folder / name, meta)
    removed = (int((~keep).sum()), 0 if keep_rows is None else int((~keep_rows).sum()))
    return _replace(folder, root, meta, files, removed)


def remove_leftovers(models_dir: str | Path) -> list[Path]:
    """Delete old copies a crash left half-deleted under ``models_dir``; returns them."""
    root = Path(models_dir)
    found = sorted(root.glob(f"{LEFTOVER_PREFIX}*")) if root.is_dir() else []
    for path in found:
        shutil.rmtree(path, ignore_errors=True)
    return found


def _drop_users(
    arrays: dict[str, np.ndarray], keep: np.ndarray, meta: dict[str, Any], folder: Path
) -> dict[str, np.ndarray]:
    try:
        names = user_arrays(str(meta["state"]["kind"]))
    except (KeyError, TypeError) as exc:
        raise ArtifactError(f"{folder / META}: corrupt state ({exc})") from exc
    out = dict(arrays)
    for name in sorted({*names, "users"}):
        value = arrays.get(name)
        if value is None or value.ndim == 0 or value.shape[0] != keep.size:
            raise ArtifactError(
                f"{folder / weights_name(meta)}: {name!r} does not have one row per user"
            )
        out[name] = value[keep]
    return out


def _training(file: Path, meta: dict[str, Any]) -> pd.DataFrame:
    try:
        return training_table.unpack(read_arrays(file, meta))
    except (KeyError, ValueError) as exc:
        raise ArtifactError(f"{file}: not a ratings table ({exc})") from exc


def _replace(
    folder: Path,
    root: Path,
    meta: dict[str, Any],
    files: dict[str, bytes],
    removed: tuple[int, int],
) -> Path:
    """Write the new copy, switch the pointers to it, delete the old one."""
    now = datetime.now(UTC)
    tmp = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=root))
    try:
        tmp.chmod(DIR_MODE)
        entries = {name: write_file(tmp / name, data) for name, data in files.items()}
        version = free_name(root, _new_name(folder.name, meta, entries[WEIGHTS]["sha256"], now))
        new_meta = _new_meta(meta, version, entries, removed, now)
        write_json(tmp / META, new_meta)
        if (folder / HISTORY).is_file():
            shutil.copyfile(folder / HISTORY, tmp / HISTORY)
        fsync_dir(tmp)
        load(tmp)  # the copy must serve before anything points at it
        final = root / version
        os.rename(tmp, final)
        fsync_dir(root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for name in (PREVIOUS, CURRENT):  # previous first, as recsys.pointers.switch does
        pointed = target(root, name)
        if pointed is not None and pointed.resolve() == folder:
            point(root, name, version)
    retired = root / f"{LEFTOVER_PREFIX}{folder.name}-{os.urandom(4).hex()}"
    os.rename(folder, retired)
    fsync_dir(root)
    shutil.rmtree(retired, ignore_errors=True)
    return final


def _new_meta(
    meta: dict[str, Any],
    version: str,
    files: dict[str, dict[str, Any]],
    removed: tuple[int, int],
    now: datetime,
) -> dict[str, Any]:
    """meta.json of the new copy: the same model, its new name and files, and a running count
    of the people (and their training ratings) forgotten since it was trained."""
    new = copy.deepcopy(meta)
    new["format"] = FORMAT
    new["version"] = version
    new["files"] = files
    new["info"]["version"] = version
    if isinstance(new["state"].get("info"), dict):
        new["state"]["info"]["version"] = version
    earlier = new.get("forgotten")
    if not isinstance(earlier, dict):
        earlier = {}
    new["forgotten"] = {
        "users": int(earlier.get("users", 0)) + removed[0],
        "training_ratings": int(earlier.get("training_ratings", 0)) + removed[1],
        "at": now.isoformat(timespec="seconds"),
    }
    return new


def _new_name(old: str, meta: dict[str, Any], weights_sha: str, now: datetime) -> str:
    """The old name's save time (so versions keep their order), kind, new weights' checksum."""
    found = _STAMP.match(old)
    stamp = found.group(0) if found else f"{now:%Y%m%dT%H%M%SZ}"
    return f"{stamp}-{meta['info'].get('kind', 'model')}-{weights_sha[:8]}"


def _ids(file: Path, meta: dict[str, Any], key: str) -> np.ndarray:
    try:
        if file.suffix != ".npz":
            raise ValueError("only .npz files are read member by member")
        with np.load(file, allow_pickle=False) as stored:
            return np.asarray(stored[key], dtype=np.int64)
    except Exception:  # numpy/zipfile raise several types; the checked read names the fault
        return _column(read_arrays(file, meta), key, file)


def _column(arrays: dict[str, np.ndarray], key: str, file: Path) -> np.ndarray:
    value = arrays.get(key)
    if value is None or value.ndim != 1:
        raise ArtifactError(f"{file}: no one-dimensional {key!r} array")
    return value.astype(np.int64)
