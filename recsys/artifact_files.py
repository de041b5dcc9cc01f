"""The files inside one artifact directory: written with a checksum, read only if it matches.

Kept apart from recsys.artifacts (which decides what an artifact holds and how models are
switched) because this part is about bytes: a flipped bit, a truncated copy or a file from
another model must surface as an ``ArtifactError`` naming the file, before numpy or a JSON
parser sees it. Arrays are stored as ``.npz`` (numpy's zip of ``.npy`` files, read with
``allow_pickle=False``: no code runs on load, and no torch is needed to read a model).
Artifacts of format 1 hold ``.pt`` files (``torch.save``); they are still read, with
``torch.load(weights_only=True)``, importing torch only then.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

META = "meta.json"


class ArtifactError(Exception):
    """An artifact is missing, corrupt, truncated or does not fit this code."""


def read_arrays(file: Path, meta: dict[str, Any]) -> dict[str, np.ndarray]:
    """The {name: array} dict stored in ``file`` (.npz, or a format-1 .pt), checksum first."""
    data = read_checked(file, meta)
    if file.suffix == ".pt":
        return _read_torch(file, data)
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            return {name: stored[name] for name in stored.files}
    except Exception as exc:  # zipfile and numpy raise several unrelated types
        raise ArtifactError(f"{file}: cannot be read ({type(exc).__name__})") from exc


def array_bytes(arrays: Mapping[str, Any]) -> bytes:
    """The .npz bytes of {name: numpy array}; TypeError for anything else (a torch tensor
    left in by mistake would be pickled into an object array)."""
    plain = {}
    for name, value in arrays.items():
        if not isinstance(value, np.ndarray | np.generic) or value.dtype == object:
            raise TypeError(f"{name!r} is a {type(value).__name__}, not a numpy array")
        plain[name] = np.asarray(value, order="C")  # ascontiguousarray would make 0-d 1-d
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **plain)
    return buffer.getvalue()


def _read_torch(file: Path, data: bytes) -> dict[str, np.ndarray]:
    import torch

    try:
        tensors = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several unrelated types for a bad file
        raise ArtifactError(f"{file}: cannot be read ({type(exc).__name__})") from exc
    if not isinstance(tensors, dict) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in tensors.items()
    ):
        raise ArtifactError(f"{file}: not a {{name: tensor}} dict")
    return {name: value.numpy() for name, value in tensors.items()}


def read_checked(file: Path, meta: dict[str, Any]) -> bytes:
    """The file's bytes, read once, after its size and SHA-256 matched meta.json."""
    expected = meta["files"].get(file.name)
    if not isinstance(expected, dict) or not isinstance(expected.get("sha256"), str):
        raise ArtifactError(f"{file.parent / META}: no checksum recorded for {file.name}")
    try:
        data = file.read_bytes()
    except FileNotFoundError as exc:
        raise ArtifactError(f"{file}: missing") from exc
    except OSError as exc:
        raise ArtifactError(f"{file}: cannot be read ({exc})") from exc
    if isinstance(expected.get("bytes"), int) and len(data) != expected["bytes"]:
        raise ArtifactError(
            f"{file}: truncated or replaced ({len(data)} bytes, expected {expected['bytes']})"
        )
    digest = hashlib.sha256(data).hexdigest()
    if digest != expected["sha256"]:
        raise ArtifactError(
            f"{file}: checksum mismatch (expected {expected['sha256']}, got {digest})"
        )
    return data


def write_file(path: Path, data: bytes) -> dict[str, Any]:
    """Write and fsync ``data``; returns its meta.json entry (checksum and size)."""
    with path.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def write_json(path: Path, value: Any) -> None:
    text = json.dumps(value, indent=2, sort_keys=True, allow_nan=False, ensure_ascii=False)
    write_file(path, (text + "\n").encode("utf-8"))


def jsonable(value: Any) -> Any:
    """Plain JSON types: numpy scalars/arrays and tuples converted, NaN/inf as null."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars, 0-d tensors
        return jsonable(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value
