"""Trained models on disk: one directory per model, a `current` pointer, a `previous` one.

Layout under ``models_dir``::

    20261127T211500Z-mf_bias-1a2b3c4d/   one artifact; its name is the model's version
        weights.npz    numpy arrays by name (np.savez; read with allow_pickle=False)
        meta.json      format, version, created/saved time, code version, data counts, config,
                       metrics, SHA-256 and size of every other file, the recommender's state
        history.json   per-epoch training history (epoch, train_loss, val_rmse, seconds)
        ratings.npz    optional: the training ratings, compact (recsys.training_table)
        titles.json    optional: {movieId: title}
    current -> 20261127T211500Z-...      relative symlink, replaced atomically
    previous -> 20261126T...             the model `current` pointed to before, for rollback()

Why this shape: a bot restarting mid-write must never find half an artifact, so a model is
written under a dot-prefixed temporary name and renamed into place, and pointers are
switched with ``os.replace`` (see recsys.pointers). Arrays are stored without pickle, and
the checksums in meta.json catch a truncated or swapped file before any array reaches the
model. Format 2 needs no torch to load an mf or mf_bias model (`recsys recommend` starts in
about 1 s instead of 3-5); format 1 (weights.pt and ratings.pt, torch.save) still loads.
Every failure to read an artifact is an ``ArtifactError`` whose message starts with the file
at fault. What the arrays and meta mean is recsys.state's; listing and pruning the
artifacts of a models directory is recsys.versions' (both names are offered here too);
rewriting an artifact without some of its users (a person who asked to be forgotten) is
recsys.forgetting's.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from recsys import training_table
from recsys.artifact_files import (
    META,
    ArtifactError,
    array_bytes,
    jsonable,
    read_arrays,
    read_checked,
    write_file,
    write_json,
)
from recsys.pointers import CURRENT, PREVIOUS, TMP_PREFIX, fsync_dir, switch, target
from recsys.state import from_state, to_state
from recsys.trained import TrainedRecommender
from recsys.versions import list_versions, prune

__all__ = [
    "ArtifactError",
    "activate",
    "code_version",
    "current_path",
    "list_versions",
    "load",
    "load_current",
    "load_training",
    "previous_path",
    "prune",
    "read_history",
    "read_meta",
    "read_titles",
    "resolve",
    "rollback",
    "save",
    "verify",
]

FORMAT = 2
WEIGHTS = "weights.npz"
TRAINING = "ratings.npz"
LEGACY_WEIGHTS = "weights.pt"
LEGACY_TRAINING = "ratings.pt"
"""Format 1's names (torch.save files); read, never written."""
HISTORY = "history.json"
TITLES = "titles.json"
DIR_MODE = 0o755
"""An artifact directory's permissions: mkdtemp's 0700 would hide the model from a bot
running as another user."""
GIT_TIMEOUT_SECONDS = 5


def save(
    recommender: TrainedRecommender,
    models_dir: str | Path,
    *,
    history: Iterable[Any] | None = None,
    metrics: Mapping[str, float] | None = None,
    activate: bool = True,
    training: pd.DataFrame | None = None,
    titles: Mapping[int, str] | None = None,
) -> Path:
    """Write ``recommender`` as a new artifact under ``models_dir`` and return its path.

    ``history`` is the training history (EpochStats-like dataclasses or dicts);
    ``metrics`` replaces ``recommender.info.metrics`` in the stored meta when given. With
    ``activate`` the new model becomes ``current`` and the old current becomes ``previous``.
    Optional extras: ``training`` (userId, movieId, rating: what the model was trained on,
    so its users can be served later) and ``titles`` ({movieId: title}, for readable output).
    """
    root = Path(models_dir)
    root.mkdir(parents=True, exist_ok=True)
    arrays, state = to_state(recommender)
    info = jsonable(dataclasses.asdict(recommender.info))
    if metrics is not None:
        info["metrics"] = {str(k): float(v) for k, v in metrics.items()}
    now = datetime.now(UTC)

    tmp = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=root))
    try:
        tmp.chmod(DIR_MODE)
        files = {WEIGHTS: write_file(tmp / WEIGHTS, array_bytes(arrays))}
        if training is not None:
            packed = array_bytes(training_table.pack(training))
            files[TRAINING] = write_file(tmp / TRAINING, packed)
        if titles is not None:
            text = json.dumps({str(int(k)): str(v) for k, v in titles.items()}, ensure_ascii=False)
            files[TITLES] = write_file(tmp / TITLES, text.encode("utf-8"))
        kind = info.get("kind", "model")
        version = free_name(root, f"{now:%Y%m%dT%H%M%SZ}-{kind}-{files[WEIGHTS]['sha256'][:8]}")
        info["version"] = version
        info["created_at"] = info.get("created_at") or now.isoformat(timespec="seconds")
        state = jsonable(state)
        if isinstance(state.get("info"), dict):  # keep the recommender's own copy in step
            state["info"] = info
        meta = {
            "format": FORMAT,
            "version": version,
            "saved_at": now.isoformat(timespec="microseconds"),
            "code_version": code_version(),
            "files": files,
            "info": info,
            "state": state,
        }
        write_json(tmp / META, meta)
        write_json(tmp / HISTORY, [jsonable(_as_dict(e)) for e in (history or ())])
        fsync_dir(tmp)
        final = root / version
        os.rename(tmp, final)
        fsync_dir(root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if activate:
        _activate_checked(root, final)
    return final


def load(path: str | Path) -> TrainedRecommender:
    """Load one artifact directory (or a ``current``/``previous`` pointer to one).

    Raises ArtifactError naming the file when meta.json or the weights are missing, corrupt,
    truncated, from a newer format, or does not fit the recommender it describes.
    """
    folder = Path(path)
    meta = read_meta(folder)
    weights = folder / weights_name(meta)
    try:
        recommender = from_state(read_arrays(weights, meta), meta["state"])
    except (KeyError, ValueError, TypeError, IndexError, RuntimeError) as exc:
        raise ArtifactError(
            f"{weights}: does not match {folder / META} ({type(exc).__name__}: {exc})"
        ) from exc
    try:
        return recommender.with_info(
            version=str(meta["info"]["version"]), metrics=dict(meta["info"].get("metrics") or {})
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ArtifactError(f"{folder / META}: corrupt info ({exc})") from exc


def resolve(path: str | Path) -> Path:
    """An artifact directory from either an artifact directory or a models root.

    Lets every caller (CLI ``--model-dir``, the bot's settings) take whichever the person
    has at hand: a models root means its ``current`` model.
    """
    folder = Path(path)
    if (folder / META).is_file():
        return folder
    if (folder / CURRENT).is_symlink():
        current = current_path(folder)
        if current is None:
            raise ArtifactError(f"{folder / CURRENT}: points to a missing model")
        return current
    if not folder.is_dir():
        raise ArtifactError(f"{folder}: no such directory")
    raise ArtifactError(
        f"{folder}: neither a model artifact ({META}) nor a models root ({CURRENT})"
    )


def load_current(models_dir: str | Path) -> TrainedRecommender:
    """Load whatever ``models_dir/current`` points to; ArtifactError when there is none."""
    path = current_path(models_dir)
    if path is None:
        raise ArtifactError(f"{Path(models_dir) / CURRENT}: no current model")
    return load(path)


def load_training(path: str | Path) -> pd.DataFrame | None:
    """The training ratings saved with the artifact (userId, movieId, rating), or None."""
    folder = Path(path)
    meta = read_meta(folder)
    name = training_name(meta)
    if name is None:
        return None
    try:
        return training_table.unpack(read_arrays(folder / name, meta))
    except (KeyError, ValueError) as exc:
        raise ArtifactError(f"{folder / name}: not a ratings table ({exc})") from exc


def read_titles(path: str | Path) -> dict[int, str]:
    """{movieId: title} saved with the artifact; empty when it was saved without titles."""
    folder = Path(path)
    meta = read_meta(folder)
    if TITLES not in meta["files"]:
        return {}
    raw = read_checked(folder / TITLES, meta)
    try:
        return {int(k): str(v) for k, v in json.loads(raw.decode("utf-8")).items()}
    except (ValueError, AttributeError) as exc:
        raise ArtifactError(f"{folder / TITLES}: corrupt ({exc})") from exc


def read_meta(path: str | Path) -> dict[str, Any]:
    """The parsed meta.json of an artifact, checked for the fields this code relies on."""
    meta_file = Path(path) / META
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ArtifactError(f"{meta_file}: missing (not a model artifact?)") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"{meta_file}: corrupt ({exc})") from exc
    if not isinstance(meta, dict):
        raise ArtifactError(f"{meta_file}: corrupt (not a JSON object)")
    if not isinstance(meta.get("format"), int) or meta["format"] > FORMAT:
        raise ArtifactError(
            f"{meta_file}: artifact format {meta.get('format')!r} is not supported "
            f"(this code reads format {FORMAT})"
        )
    missing = [k for k in ("version", "files", "info", "state") if k not in meta]
    if not missing and not (
        isinstance(meta["files"], dict) and {WEIGHTS, LEGACY_WEIGHTS} & set(meta["files"])
    ):
        missing = [f"files/{WEIGHTS}"]
    if missing:
        raise ArtifactError(f"{meta_file}: corrupt (missing {', '.join(missing)})")
    return meta


def weights_name(meta: Mapping[str, Any]) -> str:
    """The weights file of a checked meta.json: weights.npz, or format 1's weights.pt."""
    return WEIGHTS if WEIGHTS in meta["files"] else LEGACY_WEIGHTS


def training_name(meta: Mapping[str, Any]) -> str | None:
    """The training-ratings file a meta.json lists (either format's), or None."""
    for name in (TRAINING, LEGACY_TRAINING):
        if name in meta["files"]:
            return name
    return None


def read_history(path: str | Path) -> list[dict[str, Any]]:
    """The training history stored with an artifact (empty when it was saved without one)."""
    history_file = Path(path) / HISTORY
    try:
        history = json.loads(history_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"{history_file}: corrupt ({exc})") from exc
    if not isinstance(history, list):
        raise ArtifactError(f"{history_file}: corrupt (not a JSON list)")
    return history


def verify(path: str | Path) -> dict[str, Any]:
    """Check meta.json and every checksummed file without building a model; returns meta."""
    folder = Path(path)
    meta = read_meta(folder)
    for name in meta["files"]:
        read_checked(folder / name, meta)
    return meta


def current_path(models_dir: str | Path) -> Path | None:
    """The artifact ``current`` points to, or None when no model was activated yet."""
    return target(Path(models_dir), CURRENT)


def previous_path(models_dir: str | Path) -> Path | None:
    """The artifact that was current before the last switch, or None."""
    return target(Path(models_dir), PREVIOUS)


def activate(models_dir: str | Path, path: str | Path) -> Path:
    """Make ``path`` (an artifact inside ``models_dir``) current; the old one becomes previous.

    The artifact is verified first, so a corrupt model is never switched in.
    """
    return _activate_checked(Path(models_dir), Path(path))


def rollback(models_dir: str | Path) -> Path:
    """Swap ``current`` and ``previous``; returns the artifact now current.

    Rolling back twice returns to where it started. ArtifactError when there is no
    previous model or it no longer verifies.
    """
    root = Path(models_dir)
    previous = previous_path(root)
    if previous is None:
        raise ArtifactError(f"{root / PREVIOUS}: no previous model to roll back to")
    return _activate_checked(root, previous)


def code_version() -> str:
    """Package version plus ``git describe`` of the checkout when there is one."""
    try:
        version = metadata.version("moviebot")
    except metadata.PackageNotFoundError:
        version = "unknown"
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--tags"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return version
    return f"{version}+git.{described}" if described else version


def _activate_checked(root: Path, path: Path) -> Path:
    resolved = path.resolve()
    if resolved.parent != root.resolve():
        raise ArtifactError(f"{path}: not an artifact directly inside {root}")
    verify(resolved)
    switch(root, resolved.name)
    return root / resolved.name


def free_name(root: Path, name: str) -> str:
    """``name``, or ``name-2``, ``name-3``... when an identical model was saved this second."""
    candidate, n = name, 1
    while (root / candidate).exists():
        n += 1
        candidate = f"{name}-{n}"
    return candidate


def _as_dict(entry: Any) -> Any:
    if dataclasses.is_dataclass(entry) and not isinstance(entry, type):
        return dataclasses.asdict(entry)
    return entry
