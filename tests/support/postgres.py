"""A fresh PostgreSQL database per test, on the server at MOVIEBOT_TEST_POSTGRES.

The tests that use it fail (never skip) when the server cannot be reached: CI runs one, and a
skipped test would hide that the PostgreSQL code paths went untested.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

SERVER_ENV = "MOVIEBOT_TEST_POSTGRES"
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def server_url() -> str:
    """The maintenance database of the test server (where databases are created)."""
    return os.environ.get(SERVER_ENV) or DEFAULT_SERVER


def database_url(name: str) -> str:
    """The server's URL with the database ``name`` instead of its maintenance database."""
    parts = urlsplit(server_url())
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextlib.asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    """Creates an empty database, yields its URL, drops it (and its sessions) afterwards."""
    name = f"moviebot_test_{secrets.token_hex(6)}"
    try:
        admin = await asyncpg.connect(server_url(), timeout=10)
    except (OSError, asyncpg.PostgresError, TimeoutError) as err:
        pytest.fail(f"PostgreSQL at {server_url()} (set {SERVER_ENV}) is unreachable: {err}")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield database_url(name)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@contextlib.asynccontextmanager
async def database_of(kind: str, folder: Path) -> AsyncIterator[str]:
    """A database as the bot is told it: "sqlite", a file's path in ``folder``; "postgresql",
    the URL of a fresh database."""
    if kind == "sqlite":
        yield str(folder / "moviebot.db")
        return
    async with fresh_database() as url:
        yield url
