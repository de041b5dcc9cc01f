"""Start-up: open the database, import MovieLens once, and pick the model to serve.

First start: migrate, import the dataset (from MOVIELENS_DIR, else downloaded once
into DATA_DIR), and serve the popularity ranking while the first model trains in
the background. Later starts load the current artifact; a corrupt one is logged
and the previous artifact (or the popularity ranking) serves instead, so the bot
always answers.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.config import Settings
from bot.model_holder import ModelHolder
from bot.storage import Storage
from recsys import artifacts
from recsys.download import download
from recsys.popularity import PopularityRecommender
from recsys.recommender import Recommender

log = logging.getLogger(__name__)


async def open_storage(settings: Settings) -> Storage:
    """Connect and migrate; the folder is created if needed."""
    log.info("opening database %s", settings.database_path)
    return await Storage.open(settings.database_path)


async def ensure_movielens(storage: Storage, settings: Settings) -> None:
    """Import MovieLens unless a catalogue is already there (downloading only when needed)."""
    if await storage.popular_movies(1):
        return
    folder = settings.movielens_dir
    if folder is None:
        log.info("MOVIELENS_DIR not set: fetching ml-latest-small into %s", settings.data_dir)
        folder = await asyncio.to_thread(download, settings.data_dir, progress=False)
    result = await storage.import_movielens(Path(folder), progress=log.info)
    log.info("MovieLens: %d movies, %d ratings", result.movies, result.ratings)


async def load_model(settings: Settings, storage: Storage) -> tuple[ModelHolder, bool]:
    """The model to serve and whether a first training is needed.

    Tries the current artifact, then the previous one; with neither usable it serves
    the popularity ranking of everything in the database and asks for training.
    """
    current = artifacts.current_path(settings.model_dir)
    if current is None:
        log.info("no trained model yet in %s", settings.model_dir)
    else:
        model = await _load(current, "model artifact")
        if model is not None:
            log.info("serving model %s", model.info.version)
            return ModelHolder(model, personal=True), False
        previous = artifacts.previous_path(settings.model_dir)
        model = await _load(previous, "previous model artifact") if previous else None
        if model is not None:
            log.warning("serving the previous model %s instead", model.info.version)
            return ModelHolder(model, personal=True), False
    log.info("serving the popularity ranking until a model is trained")
    return ModelHolder(await popularity(storage), personal=False), True


async def popularity(storage: Storage) -> PopularityRecommender:
    """The fallback recommender over every rating in the database."""
    ratings = await storage.training_snapshot()
    movies = await storage.all_movies()
    return await asyncio.to_thread(PopularityRecommender.from_ratings, ratings, movies)


async def _load(path: Path, what: str) -> Recommender | None:
    """The artifact at `path`, or None (logged as an error) when it is unusable."""
    try:
        return await asyncio.to_thread(artifacts.load, path)
    except (artifacts.ArtifactError, OSError) as err:
        log.error("%s %s unusable: %s", what, path, err)
        return None
