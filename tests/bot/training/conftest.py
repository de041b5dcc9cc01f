"""A private copy of the trained template (tests/conftest.py) per test: database, models, model."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import Storage
from bot.training.model_holder import ModelHolder
from bot.training.retrainer import Retrainer
from recsys import artifacts
from tests.support.training import fast_options


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
    return Retrainer(storage, holder, fast_options(workdir / "models"))
