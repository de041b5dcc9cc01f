"""The model to serve at start-up: the current artifact, else the previous, else popularity.

A corrupt artifact is logged and the next candidate serves instead, so the bot always answers;
with no trained model at all the popularity ranking of every rating in the database serves
while the first model trains. Before loading, every artifact is swept of people the database
no longer has (bot.training.forgetting): a /forget whose sweep a crash cut short, or that
came before artifacts were swept, is finished here.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.storage import Storage
from bot.training.forgetting import sweep
from bot.training.model_holder import ModelHolder
from recsys import artifacts
from recsys.popularity import PopularityRecommender
from recsys.trained import TrainedRecommender

log = logging.getLogger(__name__)


async def load_model(model_dir: Path, storage: Storage) -> tuple[ModelHolder, bool]:
    """The model to serve and whether a first training is needed."""
    await sweep(storage, model_dir)
    current = artifacts.current_path(model_dir)
    if current is None:
        log.info("no trained model yet in %s", model_dir)
    else:
        model = await _load(current, "model artifact")
        if model is not None:
            log.info("serving model %s", model.info.version)
            return ModelHolder(model, personal=True, models_dir=model_dir), False
        previous = artifacts.previous_path(model_dir)
        model = await _load(previous, "previous model artifact") if previous else None
        if model is not None:
            log.warning("serving the previous model %s instead", model.info.version)
            return ModelHolder(model, personal=True, models_dir=model_dir), False
    log.info("serving the popularity ranking until a model is trained")
    return ModelHolder(await popularity(storage), personal=False, models_dir=model_dir), True


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
