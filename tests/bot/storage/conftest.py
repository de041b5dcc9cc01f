"""Fixtures for the storage tests: a small synthetic MovieLens folder and opened databases.

Every test that takes `storage` or `database_url` runs twice, on SQLite and on PostgreSQL
(`backend`): the repositories' SQL is shared, so both must behave alike. PostgreSQL tests
get a database of their own, created on the server at MOVIEBOT_TEST_POSTGRES (default
postgresql://postgres@127.0.0.1:5432/postgres) and dropped afterwards; an unreachable server
fails them (never skips). A module or test about SQLite's file itself (WAL, a deleted or
read-only file, backups) pins ``backend`` to "sqlite" and says so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import Storage
from tests.bot.storage.databases import BACKENDS
from tests.support.postgres import fresh_database
from tests.support.search_catalogue import write_movielens


@pytest.fixture
def small_movielens(tmp_path: Path) -> Path:
    return write_movielens(tmp_path / "ml-small")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Which database the test runs on; pin it with a module fixture or parametrize."""
    return str(request.param)


@pytest.fixture
async def database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """The DATABASE_URL of an empty database of `backend` (a new file, a new database)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'bot.db'}"
        return
    async with fresh_database() as url:
        yield url


@pytest.fixture
async def storage(database_url: str, small_movielens: Path) -> AsyncIterator[Storage]:
    """An open database holding the small synthetic MovieLens data."""
    store = await Storage.connect(database_url)
    await store.import_movielens(small_movielens)
    yield store
    await store.close()
