"""The inbox: every update fetched from Telegram, stored before its offset is confirmed.

Telegram forgets an update once the next getUpdates confirms its offset, so the bot writes a
batch here (one transaction, one fsync) before asking for the next one, and marks each update
done once handled. What a crash left undone is handled again at start-up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.storage.sql import Clock, Connection, Writes

KEEP_DONE_S = 24 * 3600.0
"""Handled updates are kept this long (Telegram's own retention), then pruned."""


async def store_updates(
    writer: Writes, clock: Clock, updates: Sequence[tuple[int, str]]
) -> list[int]:
    """Store (update id, JSON body) pairs in one transaction; the ids that were new.

    An update already in the inbox (Telegram sent it again because the bot died before
    confirming it) is left as it is, done or not, so it is never handled twice.
    """
    if not updates:
        return []
    now = clock()

    async def insert(conn: Connection) -> list[int]:
        ids = [update_id for update_id, _ in updates]
        marks = ",".join("?" * len(ids))
        known = {
            row[0]
            for row in await conn.fetch_all(
                f"SELECT update_id FROM inbox WHERE update_id IN ({marks})", tuple(ids)
            )
        }
        fresh = [(i, body, now) for i, body in updates if i not in known]
        await conn.executemany(
            "INSERT INTO inbox (update_id, body, received_at) VALUES (?, ?, ?)", fresh
        )
        return [i for i, _, _ in fresh]

    return await writer.run(insert)


async def mark_done(writer: Writes, clock: Clock, update_ids: Iterable[int]) -> None:
    """Record that these updates were handled (or answered as too late), and drop their
    bodies: what a person sent is not kept once handled (only the id, against redelivery)."""
    rows = [(clock(), int(i)) for i in update_ids]
    if not rows:
        return

    async def update(conn: Connection) -> None:
        await conn.executemany(
            "UPDATE inbox SET done_at = ?, body = '' WHERE update_id = ? AND done_at IS NULL", rows
        )

    await writer.run(update)


async def undone(conn: Connection) -> list[tuple[int, str]]:
    """Updates stored but never handled (a crash, or a stop that handed them back), oldest
    first."""
    rows = await conn.fetch_all(
        "SELECT update_id, body FROM inbox WHERE done_at IS NULL ORDER BY update_id"
    )
    return [(int(i), str(body)) for i, body in rows]


async def last_update_id(conn: Connection) -> int | None:
    """The newest update ever stored: the next getUpdates asks for the ones after it."""
    (newest,) = await conn.fetch_one("SELECT max(update_id) FROM inbox")
    return None if newest is None else int(newest)


async def prune(writer: Writes, clock: Clock) -> int:
    """Delete handled updates older than KEEP_DONE_S, keeping the newest (it holds the offset)."""
    cutoff = clock() - KEEP_DONE_S

    async def delete(conn: Connection) -> int:
        return await conn.execute(
            "DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?"
            " AND update_id < (SELECT max(update_id) FROM inbox)",
            (cutoff,),
        )

    return await writer.run(delete)
