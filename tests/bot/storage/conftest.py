"""Fixtures for the storage tests: a small synthetic MovieLens folder and opened databases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import Storage
from tests.support.search_catalogue import write_movielens


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
