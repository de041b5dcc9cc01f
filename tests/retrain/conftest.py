"""Shared fixtures: a small real MovieLens subset, a database holding it, a trained model.

The slow parts (import, first training) happen once per session into templates that each test
copies, so a test starts from a fresh database and models folder in milliseconds.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pandas as pd
import pytest

from bot.model_holder import ModelHolder
from bot.retrain import Retrainer, RetrainOptions
from bot.storage import Storage
from recsys import artifacts
from tests.e2e.botapi import FakeBotApi
from tests.e2e.harness import make_token

REPO = Path(__file__).resolve().parents[2]
FAST = {"epochs": 2, "dim": 16, "patience": 1}
"""A training config that takes seconds: the tests check the machinery, not the model."""
N_USERS, N_MOVIES = 150, 400


def movielens_dir() -> Path:
    folder = Path(
        os.environ.get("MOVIELENS_DIR") or REPO.parent / "shared" / "datasets" / "ml-latest-small"
    )
    if not (folder / "ratings.csv").is_file():
        pytest.fail(f"MovieLens data not found in {folder} (set MOVIELENS_DIR)")
    return folder


@pytest.fixture(scope="session")
def small_movielens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first N_USERS people and the N_MOVIES most-rated movies, as a MovieLens folder."""
    source = movielens_dir()
    ratings = pd.read_csv(source / "ratings.csv")
    movies = pd.read_csv(source / "movies.csv")
    top = ratings["movieId"].value_counts().head(N_MOVIES).index
    ratings = ratings[ratings["movieId"].isin(top) & (ratings["userId"] <= N_USERS)]
    folder = tmp_path_factory.mktemp("movielens")
    ratings.to_csv(folder / "ratings.csv", index=False)
    movies[movies["movieId"].isin(top)].to_csv(folder / "movies.csv", index=False)
    return folder


@pytest.fixture(scope="session")
def template(small_movielens: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with moviebot.db (imported) and models/ holding one trained, current model."""
    folder = tmp_path_factory.mktemp("template")

    async def build() -> None:
        storage = await Storage.open(folder / "moviebot.db")
        try:
            await storage.import_movielens(small_movielens)
            holder = ModelHolder(None, personal=False)
            retrainer = Retrainer(storage, holder, options(folder / "models"))
            report = await retrainer.run("first-start")
            assert report.status == "succeeded", report.reason
        finally:
            await storage.close()

    asyncio.run(build())
    return folder


def options(models_dir: Path, **changes: object) -> RetrainOptions:
    return RetrainOptions(
        **{"models_dir": models_dir, "timeout_s": 120, "train_config": FAST, **changes}
    )


@pytest.fixture
def workdir(template: Path, tmp_path: Path) -> Path:
    """A private copy of the template (database and models, symlinks kept)."""
    shutil.copytree(template, tmp_path / "bot", symlinks=True)
    return tmp_path / "bot"


@pytest.fixture
async def storage(workdir: Path) -> AsyncIterator[Storage]:
    storage = await Storage.open(workdir / "moviebot.db")
    yield storage
    await storage.close()


@pytest.fixture
def holder(workdir: Path) -> ModelHolder:
    """Serving the template's trained model, as the bot does after a normal start."""
    return ModelHolder(artifacts.load_current(workdir / "models"), personal=True)


@pytest.fixture
def retrainer(storage: Storage, holder: ModelHolder, workdir: Path) -> Retrainer:
    return Retrainer(storage, holder, options(workdir / "models"))


def fast_config_json() -> str:
    return json.dumps(FAST)


@pytest.fixture(scope="module")
def api() -> Iterator[FakeBotApi]:
    """A fake Bot API server per test module that runs a real bot process."""
    with FakeBotApi(make_token()) as server:
        yield server
