"""Fixtures for the storage tests: a small synthetic MovieLens folder and opened databases."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import Storage
from tests.storage.synthetic import write_movielens

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_movielens(tmp_path: Path) -> Path:
    return write_movielens(tmp_path / "ml-small")


@pytest.fixture
async def storage(tmp_path: Path, small_movielens: Path) -> AsyncIterator[Storage]:
    """An open database holding the small synthetic MovieLens data."""
    store = await Storage.open(tmp_path / "bot.db")
    await store.import_movielens(small_movielens)
    yield store
    await store.close()


@pytest.fixture(scope="session")
def real_movielens_dir() -> Path:
    """The real ml-latest-small; a missing folder fails the test (CI must have the data)."""
    folder = Path(
        os.environ.get("MOVIELENS_DIR", REPO.parent / "shared" / "datasets" / "ml-latest-small")
    )
    if not (folder / "ratings.csv").is_file() or not (folder / "movies.csv").is_file():
        pytest.fail(f"MovieLens data not found in {folder} (set MOVIELENS_DIR)")
    return folder
