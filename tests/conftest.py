"""Fixtures shared across the suite; the functions behind them live in tests/support."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage import Storage
from bot.training.model_holder import ModelHolder
from bot.training.retrainer import Retrainer
from recsys.popularity import PopularityRecommender
from tests.support.botapi import FakeBotApi
from tests.support.data import movielens_dir, write_subset
from tests.support.harness import make_token
from tests.support.training import fast_options

SAMPLE_USERS, SAMPLE_MOVIES = 150, 400


@pytest.fixture(scope="session")
def real_movielens_dir() -> Path:
    """The real ml-latest-small; a missing folder fails the test (CI must have the data)."""
    try:
        return movielens_dir()
    except FileNotFoundError as err:
        pytest.fail(str(err))


@pytest.fixture(scope="session")
def movielens_sample(real_movielens_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first SAMPLE_USERS people and the SAMPLE_MOVIES most-rated movies."""
    return write_subset(
        real_movielens_dir,
        tmp_path_factory.mktemp("movielens-sample"),
        n_movies=SAMPLE_MOVIES,
        max_user=SAMPLE_USERS,
    )


@pytest.fixture(scope="session")
def template(movielens_sample: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with moviebot.db (the sample imported) and models/ holding one trained model.

    Built once per session; tests copy it (see tests/bot/training/conftest.py) so each starts
    from a fresh database and models folder in milliseconds.
    """
    folder = tmp_path_factory.mktemp("template")

    async def build() -> None:
        storage = await Storage.open(folder / "moviebot.db")
        try:
            await storage.import_movielens(movielens_sample)
            ratings, movies = await storage.training_snapshot(), await storage.all_movies()
            holder = ModelHolder(
                PopularityRecommender.from_ratings(ratings, movies), personal=False
            )
            report = await Retrainer(storage, holder, fast_options(folder / "models")).run(
                "first-start"
            )
            assert report.status == "succeeded", report.reason
        finally:
            await storage.close()

    asyncio.run(build())
    return folder


@pytest.fixture(scope="module")
def api() -> Iterator[FakeBotApi]:
    """A fake Bot API server per test module that runs a real bot process."""
    with FakeBotApi(make_token()) as server:
        yield server
