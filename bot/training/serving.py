"""The model to serve at start-up: the current artifact, else the previous, else popularity.

A corrupt artifact is logged and the next candidate serves instead, so the bot always answers;
with no trained model at all the popularity ranking of every rating in the database serves
while the first model trains. Before loading, every artifact is swept of people the database
no longer has (bot.training.forgetting): a /forget whose sweep a crash cut short, or that
came before artifacts were swept, is finished here, under the models lock (another replica
may be publishing meanwhile).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.storage import Storage
from bot.storage.models_lock import ModelsLock, ModelsLockUnavailable
from bot.training.forgetting import sweep
from bot.training.model_holder import ModelHolder
from recsys import artifacts
from recsys.interface import Recommender
from recsys.popularity import PopularityRecommender
from recsys.trained import TrainedRecommender

log = logging.getLogger(__name__)


async def load_model(
    model_dir: Path, storage: Storage, models_lock: ModelsLock | None = None
) -> tuple[ModelHolder, bool]:
    """The model to serve and whether a first training is needed; the holder changes the
    models directory under `models_lock` (None: no other process shares it)."""
    await _sweep(model_dir, storage, models_lock)

    def serving(model: Recommender, personal: bool = True) -> ModelHolder:
        return ModelHolder(model, personal=personal, models_dir=model_dir, models_lock=models_lock)

    current = artifacts.current_path(model_dir)
    if current is None:
        log.info("no trained model yet in %s", model_dir)
    else:
        model = await _load(current, "model artifact")
        if model is not None:
            log.info("serving model %s", model.info.version)
            return serving(model), False
        previous = artifacts.previous_path(model_dir)
        model = await _load(previous, "previous model artifact") if previous else None
        if model is not None:
            log.warning("serving the previous model %s instead", model.info.version)
            return serving(model), False
    log.info("serving the popularity ranking until a model is trained")
    return serving(await popularity(storage), personal=False), True


async def _sweep(model_dir: Path, storage: Storage, models_lock: ModelsLock | None) -> None:
    """Sweep the forgotten out of every artifact. A models lock kept elsewhere past its wait
    only postpones it (the next start or /forget sweeps everyone the database lacks): the bot
    starts serving all the same."""
    if models_lock is None:
        await sweep(storage, model_dir)
        return
    try:
        async with models_lock.hold():
            await sweep(storage, model_dir)
    except ModelsLockUnavailable as err:
        log.warning("stored models not checked for forgotten people at start-up: %s", err)


async def popularity(storage: Storage) -> PopularityRecommender:
    """The fallback recommender over every rating in the database."""
    ratings = await storage.training_snapshot()
    movies = await storage.all_movies()
    return await asyncio.to_thread(PopularityRecommender.from_ratings, ratings, movies)


async def _load(path: Path, what: str) -> TrainedRecommender | None:
    """The artifact at `path`, or None (logged as an error) when it is unusable."""
    try:
        return await asyncio.to_thread(artifacts.load, path)
    except (artifacts.ArtifactError, OSError) as err:
        log.error("%s %s unusable: %s", what, path, err)
        return None
