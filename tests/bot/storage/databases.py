"""A database of either backend that outlives one test (module-scoped fixtures), made and
dropped synchronously: each step in an event loop of its own, as a sync fixture must."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from bot.storage import Storage
from tests.support.postgres import SERVER_ENV, database_url, server_url

BACKENDS = ["sqlite", "postgresql"]


@contextlib.contextmanager
def lasting_database(backend: str, folder: Path) -> Iterator[str]:
    """The URL of an empty database: a file in ``folder``, or a new PostgreSQL database
    (dropped afterwards; an unreachable server fails the test, never skips it)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'bot.db'}"
        return
    name = f"moviebot_test_{secrets.token_hex(6)}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield database_url(name)
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def with_movielens(backend: str, folder: Path, movielens: Path) -> Iterator[str]:
    """`lasting_database` with the MovieLens folder ``movielens`` imported: for module
    fixtures whose tests only read the real data."""
    with lasting_database(backend, folder) as url:

        async def run() -> None:
            async with await Storage.connect(url) as store:
                await store.import_movielens(movielens)

        asyncio.run(run())
        yield url


async def _admin(statement: str) -> None:
    try:
        conn = await asyncpg.connect(server_url(), timeout=10)
    except (OSError, asyncpg.PostgresError, TimeoutError) as err:
        pytest.fail(f"PostgreSQL at {server_url()} (set {SERVER_ENV}) is unreachable: {err}")
    try:
        await conn.execute(statement)
    finally:
        await conn.close()
