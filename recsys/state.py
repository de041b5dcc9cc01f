"""A TrainedRecommender as tensors plus JSON-able metadata, and back (used by recsys.artifacts;
nothing here touches files).

- `to_state(recommender) -> (tensors, meta)`: `tensors` maps names to torch tensors (the
  model's state_dict under "model.<name>", then "users", "items" (external ids, int64),
  "item_count" (int64), "item_mean" (float32), "item_genres" (uint8, items x genres) and,
  when a watch model was trained, "watch.items", "watch.weights" and, when it has a dislike
  model, "watch.dislikes"); `meta` is JSON-able
  (format, kind, dim, info, genres vocabulary, serve settings, watch settings).
- `from_state(tensors, meta) -> TrainedRecommender` rebuilds it and raises ValueError naming
  the key when a tensor is missing, extra or has the wrong shape, or meta is wrong.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from recsys.ids import IdMap
from recsys.models import MODEL_KINDS, build_model
from recsys.results import ModelInfo
from recsys.settings import ServeSettings
from recsys.trained import TrainedRecommender
from recsys.watch import DISLIKES_KEY, ITEMS_KEY, WEIGHTS_KEY, WatchConfig, WatchModel

STATE_FORMAT = 1
FIXED_KEYS = ("users", "items", "item_count", "item_mean", "item_genres")
MODEL_PREFIX = "model."


def to_state(recommender: TrainedRecommender) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Every array as a CPU tensor, everything else JSON-able."""
    tensors = {
        f"{MODEL_PREFIX}{k}": v.detach().cpu() for k, v in recommender.model.state_dict().items()
    }
    tensors["users"] = torch.from_numpy(recommender.users.ids.copy())
    tensors["items"] = torch.from_numpy(recommender.items.ids.copy())
    tensors["item_count"] = torch.from_numpy(recommender.item_count.copy())
    tensors["item_mean"] = torch.from_numpy(recommender.item_mean.copy())
    tensors["item_genres"] = torch.from_numpy(recommender.item_genres.astype(np.uint8))
    if recommender.watch is not None:
        tensors.update(recommender.watch.to_tensors())
    meta = {
        "format": STATE_FORMAT,
        "kind": recommender.kind,
        "dim": recommender.dim,
        "info": dataclasses.asdict(recommender.info),
        "genres": list(recommender.genre_names),
        "serve": dataclasses.asdict(recommender.serve),
        "watch": recommender.watch.settings() if recommender.watch is not None else None,
    }
    return tensors, meta


def from_state(tensors: Mapping[str, torch.Tensor], meta: Mapping[str, Any]) -> TrainedRecommender:
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

    model = build_model(kind, len(users), n_items, dim)
    model_state = {
        k[len(MODEL_PREFIX) :]: v for k, v in tensors.items() if k.startswith(MODEL_PREFIX)
    }
    expected = model.state_dict()
    missing = sorted(set(expected) - set(model_state))
    extra = sorted(set(model_state) - set(expected))
    if missing or extra:
        raise ValueError(
            f"model tensors do not match kind {kind!r}: missing {missing}, extra {extra}"
        )
    for name, value in expected.items():
        if tuple(model_state[name].shape) != tuple(value.shape):
            raise ValueError(
                f"tensor '{MODEL_PREFIX}{name}' has shape {tuple(model_state[name].shape)}, "
                f"expected {tuple(value.shape)}"
            )
    model.load_state_dict(model_state)

    watch = _watch(tensors, meta.get("watch"), n_items)
    known = set(FIXED_KEYS) | {f"{MODEL_PREFIX}{k}" for k in expected}
    if watch is not None:
        known |= {ITEMS_KEY, WEIGHTS_KEY} | (
            {DISLIKES_KEY} if watch.dislikes is not None else set()
        )
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
        item_count=tensors["item_count"].numpy(),
        item_mean=tensors["item_mean"].numpy(),
        item_genres=tensors["item_genres"].numpy().astype(bool),
        genre_names=genre_names,
        info=info,
        dim=dim,
        watch=watch,
        serve=serve,
    )


def _check_shape(tensors: Mapping[str, torch.Tensor], key: str, shape: tuple[int, ...]) -> None:
    if key not in tensors:
        raise ValueError(f"tensor {key!r} is missing")
    got = tuple(tensors[key].shape)
    if got != shape:
        raise ValueError(f"tensor {key!r} has shape {got}, expected {shape}")


def _ids(tensors: Mapping[str, torch.Tensor], key: str) -> IdMap:
    value = tensors[key]
    if value.ndim != 1:
        raise ValueError(f"tensor {key!r} must be one-dimensional, got shape {tuple(value.shape)}")
    try:
        return IdMap(value.numpy().astype(np.int64))
    except ValueError as exc:
        raise ValueError(f"tensor {key!r}: {exc}") from None


def _watch(tensors: Mapping[str, torch.Tensor], settings: Any, n_items: int) -> WatchModel | None:
    if settings is None:
        return None
    for key in (ITEMS_KEY, WEIGHTS_KEY):
        if key not in tensors:
            raise ValueError(f"meta has 'watch' settings but tensor {key!r} is missing")
    try:
        config = WatchConfig(**settings)
    except TypeError as exc:
        raise ValueError(f"meta 'watch' is malformed: {exc}") from None
    covered = _ids(tensors, ITEMS_KEY).ids
    if covered.size and (covered[0] < 0 or covered[-1] >= n_items):
        raise ValueError(f"tensor {ITEMS_KEY!r} holds item indices outside 0..{n_items - 1}")
    _check_shape(tensors, WEIGHTS_KEY, (covered.size, covered.size))
    dislikes = None
    if DISLIKES_KEY in tensors:  # absent from artifacts saved before issue 9
        _check_shape(tensors, DISLIKES_KEY, (covered.size, covered.size))
        dislikes = tensors[DISLIKES_KEY].numpy()
    return WatchModel(covered, tensors[WEIGHTS_KEY].numpy(), n_items, config, dislikes)
