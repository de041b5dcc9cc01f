"""Removing people from stored models: every artifact that holds one is rewritten without them.

Forgetting a person must reach the models kept on disk, not only the ratings they came from.
An artifact (recsys.artifacts) holds its users' ids (the ``users`` id map in weights.pt), one
embedding row per user (and one bias for mf_bias) and, when saved with them, every training
rating (ratings.pt). `without_users` rewrites one artifact with those rows and ratings
dropped: the remaining users keep their order (so their indices are re-packed consistently
with the id map), every checksum is recomputed, and meta.json records how many people were
removed. The others' predictions do not change; a new person's fold-in starts from the
average of the remaining users, so theirs move by a hair. What the model learned about movies
from those people's ratings (item embeddings, the watch model, per-movie counts) is left as
trained: only retraining without them takes that out.

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
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import torch

from recsys.artifact_files import (
    META,
    ArtifactError,
    read_checked,
    read_tensors,
    tensor_bytes,
    write_file,
    write_json,
)
from recsys.artifacts import DIR_MODE, HISTORY, TRAINING, WEIGHTS, free_name, load, read_meta
from recsys.models import build_model
from recsys.pointers import CURRENT, PREVIOUS, TMP_PREFIX, fsync_dir, point, target
from recsys.state import MODEL_PREFIX

__all__ = ["LEFTOVER_PREFIX", "remove_leftovers", "users_of", "without_users"]

LEFTOVER_PREFIX = f"{TMP_PREFIX}forgotten-"
"""An old copy is renamed to this prefix before it is deleted: a crash mid-delete leaves a
directory that is no artifact (nothing lists or loads it) and that `remove_leftovers` ends."""
_STAMP = re.compile(r"^\d{8}T\d{6}Z")
"""The save time an artifact's name starts with (recsys.artifacts)."""


def users_of(path: str | Path) -> np.ndarray:
    """Every user id the artifact at ``path`` holds (its id map and, when saved, its training
    ratings): sorted, unique, int64.

    Cheap: the tensors are memory-mapped and only the ids are read. Checksums are not
    checked here (`without_users` checks them before rewriting anything); a file torch cannot
    map is read and checked instead, so damage is an ArtifactError naming the file.
    """
    folder = Path(path)
    meta = read_meta(folder)
    found = [_ids(folder / WEIGHTS, meta, "users")]
    if TRAINING in meta["files"]:
        found.append(_ids(folder / TRAINING, meta, "userId"))
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
    tensors = read_tensors(folder / WEIGHTS, meta)
    keep = ~np.isin(_column(tensors, "users", folder / WEIGHTS), gone)
    training = read_tensors(folder / TRAINING, meta) if TRAINING in meta["files"] else None
    keep_rows = None
    if training is not None:
        keep_rows = ~np.isin(_column(training, "userId", folder / TRAINING), gone)
    if keep.all() and (keep_rows is None or keep_rows.all()):
        return None

    weights = tensor_bytes(_drop_users(tensors, keep, meta, folder))
    files: dict[str, bytes] = {WEIGHTS: weights}
    if training is not None and keep_rows is not None:
        rows = torch.from_numpy(keep_rows)
        files[TRAINING] = tensor_bytes({name: value[rows] for name, value in training.items()})
    for name in meta["files"]:  # titles and any other extra: the same bytes, checked
        if name not in files:
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


@lru_cache(maxsize=16)
def user_tensors(kind: str, dim: int) -> frozenset[str]:
    """The weights.pt names of a `kind` model's per-user tensors (one row per user): those
    whose shape follows the number of users."""
    one = build_model(kind, 1, 1, dim).state_dict()
    two = build_model(kind, 2, 1, dim).state_dict()
    return frozenset(f"{MODEL_PREFIX}{k}" for k in one if one[k].shape != two[k].shape)


def _drop_users(
    tensors: dict[str, torch.Tensor], keep: np.ndarray, meta: dict[str, Any], folder: Path
) -> dict[str, torch.Tensor]:
    state = meta["state"]
    try:
        names = user_tensors(str(state["kind"]), int(state["dim"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ArtifactError(f"{folder / META}: corrupt state ({exc})") from exc
    rows = torch.from_numpy(keep)
    out = dict(tensors)
    for name in sorted(names | {"users"}):
        value = tensors.get(name)
        if value is None or value.ndim == 0 or value.shape[0] != keep.size:
            raise ArtifactError(f"{folder / WEIGHTS}: {name!r} does not have one row per user")
        out[name] = value[rows].clone()
    return out


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
        tensors = torch.load(file, map_location="cpu", weights_only=True, mmap=True)
        return np.asarray(tensors[key].numpy(), dtype=np.int64).copy()
    except Exception:  # torch raises several unrelated types; the checked read names the fault
        return _column(read_tensors(file, meta), key, file)


def _column(tensors: dict[str, torch.Tensor], key: str, file: Path) -> np.ndarray:
    value = tensors.get(key)
    if value is None or value.ndim != 1:
        raise ArtifactError(f"{file}: no one-dimensional {key!r} tensor")
    return value.numpy().astype(np.int64)
