"""Reading or changing a test database behind the storage's back, on either backend.

As another process would (the sqlite3 module on the file, or a connection of asyncpg's own),
so a test can check what was really committed, or change what the storage must notice.
"""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Any

import asyncpg

from bot.storage.postgres import numbered
from bot.storage.url import parse_database_url


async def peek(url: str, sql: str, parameters: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The rows of a query (``?`` placeholders), run on a connection of its own."""
    return await poke(url, sql, parameters)


async def poke(url: str, sql: str, parameters: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run one statement in a transaction of its own, committed; the rows it returned."""
    parsed = parse_database_url(url)
    if parsed.path is not None:
        with contextlib.closing(sqlite3.connect(parsed.path)) as db, db:
            return [tuple(row) for row in db.execute(sql, parameters).fetchall()]
    conn = await asyncpg.connect(parsed.dsn)
    try:
        return [tuple(row) for row in await conn.fetch(numbered(sql), *parameters)]
    finally:
        await conn.close()
