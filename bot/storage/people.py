"""What a person chose about the bot itself: the language it speaks to them (migration 005).

The choice lives on the person's row, so forgetting the person (bot.storage.ratings) deletes it
with them; choosing a language creates the row of someone who has not rated anything yet.
"""

from __future__ import annotations

import re

from bot.storage.errors import StorageError
from bot.storage.ratings import check_id, ensure_person
from bot.storage.sql import Clock, Connection, Writes

_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
"""An ISO 639 code, as the column's CHECK constraint takes it ("en", "ru", "es")."""


async def language_of(reader: Connection, telegram_id: int) -> str | None:
    """The language code a person chose; None when they never chose one (or are unknown)."""
    check_id(telegram_id, "Telegram id")
    rows = await reader.fetch_all(
        "SELECT language FROM people WHERE telegram_id = ?", (telegram_id,)
    )
    return str(rows[0][0]) if rows and rows[0][0] is not None else None


async def set_language(writer: Writes, clock: Clock, telegram_id: int, code: str) -> None:
    """Store a person's language code, replacing an earlier choice."""
    check_id(telegram_id, "Telegram id")
    if not isinstance(code, str) or not _LANGUAGE_CODE.fullmatch(code):
        raise StorageError(f"a language is an ISO 639 code such as 'en', not {code!r}")
    now = clock()

    async def upsert(conn: Connection) -> None:
        person = await ensure_person(conn, telegram_id, now)
        await conn.execute("UPDATE people SET language = ? WHERE person_id = ?", (code, person))

    await writer.run(upsert)
