"""Start-up: the served model is the current artifact, else the previous one, else the
popularity ranking (and a first training is asked for)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import Settings
from bot.storage import Storage
from bot.training.serving import load_model
from recsys import artifacts
from recsys.popularity import PopularityRecommender
from recsys.train import TrainConfig, fit
from tests.support.catalogue import write_catalogue


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": "1:abcdefghij",
            "DATA_DIR": str(tmp_path / "data"),
            "MOVIELENS_DIR": str(write_catalogue(tmp_path / "ml")),
        }
    )


@pytest.fixture
async def started(settings: Settings):
    storage = await Storage.open(settings.database_path)
    await storage.ensure_movielens(settings.movielens_dir, settings.data_dir)
    yield storage
    await storage.close()


async def save_tiny_model(storage: Storage, settings: Settings, seed: int) -> Path:
    config = TrainConfig(dim=4, epochs=1, seed=seed, device="cpu", watch=None)
    result = fit(await storage.training_snapshot(), config, await storage.all_movies())
    return artifacts.save(result.recommender, settings.model_dir)


async def test_without_a_model_the_popularity_ranking_serves_and_training_is_asked(
    started: Storage, settings: Settings
) -> None:
    holder, needs_training = await load_model(settings.model_dir, started)
    assert needs_training and not holder.personal
    assert isinstance(holder.get(), PopularityRecommender)
    assert holder.get().recommend({}, 3).items[0].movie_id == 1  # the most-rated movie


async def test_the_current_artifact_is_loaded(started: Storage, settings: Settings) -> None:
    path = await save_tiny_model(started, settings, seed=1)
    holder, needs_training = await load_model(settings.model_dir, started)
    assert not needs_training and holder.personal
    assert holder.get().info.version == path.name


async def test_a_corrupt_current_artifact_falls_back_to_the_previous_one(
    started: Storage, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    previous = await save_tiny_model(started, settings, seed=1)
    current = await save_tiny_model(started, settings, seed=2)
    for weights in current.glob("*.npz"):
        weights.write_bytes(b"not a model")
    with caplog.at_level(logging.ERROR, logger="bot.training.serving"):
        holder, needs_training = await load_model(settings.model_dir, started)
    assert holder.get().info.version == previous.name and not needs_training
    assert "unusable" in caplog.text and current.name in caplog.text
