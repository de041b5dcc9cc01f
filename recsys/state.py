"""A TrainedRecommender as arrays plus JSON-able metadata, and back (used by recsys.artifacts;
nothing here touches files, and nothing imports torch unless the model is the neural one).

- `to_state(recommender) -> (arrays, meta)`: `arrays` maps names to numpy arrays (the
  model's parameters under "model.<name>", their torch state_dict names, then "users",
  "items" (external ids, int64),
  "item_count" (int64), "item_mean" (float32), "item_genres" (uint8, items x genres) and,
  when a watch model was trained, its `to_arrays()`: "watch.items" and, for EASE,
  "watch.weights" (and "watch.dislikes" with a dislike model), for iALS
  "watch.item_factors"); `meta` is JSON-able
  (format, kind, dim, info, genres vocabulary, serve settings, watch settings).
- `from_state(arrays, meta) -> TrainedRecommender` rebuilds it and raises ValueError naming
  the key when an array is missing, extra or has the wrong shape, or meta is wrong.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

from recsys.factors import factors_from_arrays
from recsys.ids import IdMap
from recsys.item_side import ServedModel
from recsys.kinds import MODEL_KINDS
from recsys.results import ModelInfo
from recsys.settings import ServeSettings
from recsys.trained import TrainedRecommender
from recsys.watch import watch_from_arrays

STATE_FORMAT = 1
FIXED_KEYS = ("users", "items", "item_count", "item_mean", "item_genres")
MODEL_PREFIX = "model."


def to_state(recommender: TrainedRecommender) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Every array as numpy, everything else JSON-able."""
    arrays = {f"{MODEL_PREFIX}{k}": v for k, v in recommender.model.arrays().items()}
    arrays["users"] = recommender.users.ids
    arrays["items"] = recommender.items.ids
    arrays["item_count"] = recommender.item_count
    arrays["item_mean"] = recommender.item_mean
    arrays["item_genres"] = recommender.item_genres.astype(np.uint8)
    if recommender.watch is not None:
        arrays.update(recommender.watch.to_arrays())
    meta = {
        "format": STATE_FORMAT,
        "kind": recommender.kind,
        "dim": recommender.dim,
        "info": dataclasses.asdict(recommender.info),
        "genres": list(recommender.genre_names),
        "serve": dataclasses.asdict(recommender.serve),
        "watch": recommender.watch.settings() if recommender.watch is not None else None,
    }
    return arrays, meta


def from_state(tensors: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> TrainedRecommender:
    """Rebuilds a recommender from to_state()'s output; ValueError (naming the key) on
    anything inconsistent."""
    if meta.get("format") != STATE_FORMAT:
        raise ValueError(f"meta 'format' is {meta.get('format')!r}, expected {STATE_FORMAT}")
    kind = meta.get("kind")
    if not isinstance(kind, str) or kind not in MODEL_KINDS:
        raise ValueError(f"meta 'kind' is {kind!r}, expected one of {', '.join(MODEL_KINDS)}")
    dim = meta.get("dim")
    if not isinstance(dim, int) or dim <= 0:
        raise ValueError(f"meta 'dim' is {dim!r}, expected a positive integer")
    for key in FIXED_KEYS:
        if key not in tensors:
            raise ValueError(f"tensor {key!r} is missing")
    users = _ids(tensors, "users")
    items = _ids(tensors, "items")
    n_items = len(items)
    _check_shape(tensors, "item_count", (n_items,))
    _check_shape(tensors, "item_mean", (n_items,))
    genre_names = meta.get("genres")
    if not isinstance(genre_names, list) or not all(isinstance(g, str) for g in genre_names):
        raise ValueError("meta 'genres' must be a list of strings")
    _check_shape(tensors, "item_genres", (n_items, len(genre_names)))

    model_arrays = {
        k[len(MODEL_PREFIX) :]: v for k, v in tensors.items() if k.startswith(MODEL_PREFIX)
    }
    model = served_from_arrays(kind, model_arrays, len(users), n_items, dim)

    watch = watch_from_arrays(tensors, meta.get("watch"), n_items)
    known = set(FIXED_KEYS) | {f"{MODEL_PREFIX}{k}" for k in model_arrays}
    if watch is not None:
        known |= set(watch.to_arrays())
    unexpected = sorted(set(tensors) - known)
    if unexpected:
        raise ValueError(f"unexpected tensors {unexpected}")
    try:
        info = ModelInfo(**meta["info"])
        serve = ServeSettings(**meta.get("serve", {}))
    except (KeyError, TypeError) as exc:
        raise ValueError(f"meta 'info' or 'serve' is malformed: {exc}") from None
    return TrainedRecommender(
        model,
        kind,
        users,
        items,
        item_count=tensors["item_count"],
        item_mean=tensors["item_mean"],
        item_genres=tensors["item_genres"].astype(bool),
        genre_names=genre_names,
        info=info,
        dim=dim,
        watch=watch,
        serve=serve,
    )


def served_from_arrays(
    kind: str, arrays: Mapping[str, np.ndarray], n_users: int, n_items: int, dim: int
) -> ServedModel:
    """The rating model of an artifact from its "model." arrays (prefix removed); ValueError
    naming the array when one is missing, extra or misshapen. Only ncf imports torch."""
    if kind == "ncf":
        from recsys.ncf import neural_from_arrays

        return neural_from_arrays(arrays, n_users, n_items, dim)
    return factors_from_arrays(kind, arrays, n_users, n_items, dim)


def user_arrays(kind: str) -> tuple[str, ...]:
    """The names of a `kind` model's per-user arrays (one row per user), prefix included:
    what forgetting a person removes."""
    names = ("user_emb.weight", "user_bias.weight") if kind == "mf_bias" else ("user_emb.weight",)
    return tuple(f"{MODEL_PREFIX}{name}" for name in names)


def _check_shape(tensors: Mapping[str, np.ndarray], key: str, shape: tuple[int, ...]) -> None:
    if key not in tensors:
        raise ValueError(f"tensor {key!r} is missing")
    got = tuple(tensors[key].shape)
    if got != shape:
        raise ValueError(f"tensor {key!r} has shape {got}, expected {shape}")


def _ids(tensors: Mapping[str, np.ndarray], key: str) -> IdMap:
    value = tensors[key]
    if value.ndim != 1:
        raise ValueError(f"tensor {key!r} must be one-dimensional, got shape {tuple(value.shape)}")
    try:
        return IdMap(np.asarray(value, dtype=np.int64))
    except ValueError as exc:
        raise ValueError(f"tensor {key!r}: {exc}") from None
