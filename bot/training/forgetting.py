"""Forgetting people in the models: every artifact kept on disk, and the model in memory.

/forget deletes a person's rows from the database; the models trained on those rows still
hold the person's user row (their id, embedding and bias) until they are rewritten without
them (recsys.forgetting). Who is to be removed is decided against the database: everyone an
artifact holds who is no longer a person there, plus the ids given (the one just forgotten,
whose id a newcomer may already have been given). So the same sweep serves three callers:

- /forget, right after the database rows are deleted (`forget_rows`, then
  `forget_in_models`, which also serves the rewritten copy of the served model);
- start-up (bot.training.serving), which finishes a sweep a crash cut short and covers
  people forgotten before artifacts were swept at all;
- publishing a newly trained model (bot.training.retrainer), whose snapshot may predate
  a /forget that came while it trained.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.storage import Storage
from bot.storage.models_lock import ModelsLockUnavailable
from bot.training.model_holder import ModelHolder
from recsys import artifacts
from recsys.forgetting import remove_leftovers, users_of, without_users

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Swept:
    """What a sweep of a models directory did."""

    people: int = 0
    """How many people were removed (from one artifact or more)."""
    rewritten: dict[str, str] = field(default_factory=dict)
    """Old artifact name -> the name of its copy without them."""
    failed: dict[str, str] = field(default_factory=dict)
    """Artifact name -> why it could not be read or rewritten (it may still hold someone)."""
    holding: int = 0
    """How many of the rewritten artifacts held one of the ids the caller named."""


async def forget_in_models(
    storage: Storage, holder: ModelHolder, person_ids: Collection[int] = ()
) -> Swept:
    """Remove `person_ids`, and anyone else the database no longer has, from every artifact in
    the holder's models directory, then serve the rewritten copy of the served model.

    Call after the person's rows are deleted. Never raises for an artifact that cannot be
    rewritten, nor when another replica keeps the models directory past the models lock's
    wait: it is logged and named in `Swept.failed` (the next start-up sweeps, and a run
    going now publishes without them).
    """
    if holder.models_dir is None:
        return Swept()
    holder.forgotten.update(person_ids)
    try:
        async with holder.changing_models():
            return await _forget_in(storage, holder, holder.models_dir, person_ids)
    except ModelsLockUnavailable as err:
        log.error("forgotten people not removed from the stored models yet: %s", err)
        return Swept(failed={holder.models_dir.name: str(err)})


async def _forget_in(
    storage: Storage, holder: ModelHolder, models_dir: Path, person_ids: Collection[int]
) -> Swept:
    """forget_in_models, with the holder's locks held."""
    swept = await sweep(storage, models_dir, person_ids)
    failed = dict(swept.failed)
    version = holder.get().info.version
    if holder.personal and version in swept.rewritten:
        renamed = swept.rewritten[version]
        try:
            model = await asyncio.to_thread(artifacts.load, models_dir / renamed)
        except (artifacts.ArtifactError, OSError) as err:
            log.error("the model rewritten without forgotten people does not load: %s", err)
            failed[renamed] = str(err)
        else:
            holder.swap(model)
            log.info("serving %s, the model %s without forgotten people", renamed, version)
    return Swept(swept.people, swept.rewritten, failed, swept.holding)


async def sweep(storage: Storage, models_dir: Path, also: Collection[int] = ()) -> Swept:
    """Rewrite every artifact in `models_dir` that holds someone who is not a person in
    `storage` any more, or one of `also`. The caller holds the models directory's locks (the
    holder's `changing_models`, or at start-up the models lock)."""
    await asyncio.to_thread(remove_leftovers, models_dir)
    paths = await asyncio.to_thread(artifacts.list_versions, models_dir)
    held: dict[Path, np.ndarray] = {}
    failed: dict[str, str] = {}
    for path in paths:
        try:
            held[path] = await asyncio.to_thread(users_of, path)
        except (artifacts.ArtifactError, OSError) as err:
            log.warning("could not check model %s for forgotten people: %s", path.name, err)
            failed[path.name] = str(err)
    gone = await gone_people(storage, held.values(), also)
    rewritten: dict[str, str] = {}
    holding = 0
    for path, users in held.items():
        hit = gone.intersection(users.tolist())
        if not hit:
            continue
        try:
            new = await asyncio.to_thread(without_users, path, hit)
        except (artifacts.ArtifactError, OSError) as err:
            log.error("could not remove forgotten people from model %s: %s", path.name, err)
            failed[path.name] = str(err)
            continue
        if new is not None:
            rewritten[path.name] = new.name
            holding += bool(hit.intersection(also))
    if rewritten:
        log.info("removed %d forgotten people from %d stored models", len(gone), len(rewritten))
    return Swept(len(gone), rewritten, failed, holding)


async def without_forgotten(storage: Storage, holder: ModelHolder, artifact: Path) -> Path:
    """`artifact` (a new model, not yet published) without anyone the database no longer has
    or the holder was told was forgotten; the path of the copy, or `artifact` itself when it
    held nobody to remove. Raises ArtifactError or OSError when it cannot be read or rewritten.
    """
    users = await asyncio.to_thread(users_of, artifact)
    gone = await gone_people(storage, [users], holder.forgotten)
    if not gone:
        return artifact
    new = await asyncio.to_thread(without_users, artifact, gone)
    log.info("removed %d forgotten people from the new model", len(gone))
    return artifact if new is None else new


async def gone_people(
    storage: Storage, held: Collection[np.ndarray], also: Collection[int]
) -> set[int]:
    """Of the user ids in `held`, those that are not people in `storage` or are in `also`."""
    every = np.unique(np.concatenate([*held, np.zeros(0, dtype=np.int64)]))
    ids = set(every.tolist())
    if not ids:
        return set()
    return (ids - await storage.existing_people(ids)) | (ids & set(also))


async def forget_rows(storage: Storage, telegram_id: int) -> list[int]:
    """/forget's first step: delete the person's rows; their person id (the user id models
    know them by) for `forget_in_models`, or [] when the bot had no row for them."""
    person = await storage.person_id(telegram_id)
    await storage.forget_person(telegram_id)
    return [] if person is None else [person]
