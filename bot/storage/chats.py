"""Group chats: who used the bot in which group, and whose each bot message there is.

In a private chat the chat is the person, so nothing is stored for it. In a group, every
message the bot sends answers one member; a press by anyone else must not edit it, so the
owner is recorded when the message is sent and looked up when a button on it is pressed.
"""

from __future__ import annotations

from bot.storage.sql import Clock, Connection, Writes

KEEP_OWNERS_S = 90 * 24 * 3600.0
"""Owners of messages older than this are pruned: a press on such a message then opens a copy
for the presser (as for any message whose owner is unknown) instead of editing it."""
SEEN_EVERY_S = 600.0
"""A member seen again within this many seconds under the same name changes no row: the gate
notes every group command and press, and a commit that changes nothing writes nothing."""
MAX_NAME_CHARS = 64
"""Telegram's own limit on a first name."""


async def note_member(
    writer: Writes, clock: Clock, chat_id: int, telegram_id: int, first_name: str
) -> None:
    """Record that a person used the bot in a group chat now, under this first name."""
    now, name = clock(), first_name[:MAX_NAME_CHARS]

    async def upsert(conn: Connection) -> None:
        await conn.execute(
            "INSERT INTO chat_members (chat_id, telegram_id, first_name, seen_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (chat_id, telegram_id)"
            " DO UPDATE SET first_name = excluded.first_name, seen_at = excluded.seen_at"
            " WHERE chat_members.first_name <> excluded.first_name"
            " OR chat_members.seen_at < excluded.seen_at - ?",
            (chat_id, telegram_id, name, now, SEEN_EVERY_S),
        )

    await writer.run(upsert)


async def rating_members(conn: Connection, chat_id: int) -> list[tuple[int, str]]:
    """(Telegram id, first name) of the chat's members who have rated something, most recently
    seen first."""
    rows = await conn.fetch_all(
        "SELECT c.telegram_id, c.first_name FROM chat_members c"
        " JOIN people p ON p.telegram_id = c.telegram_id"
        " WHERE c.chat_id = ? AND EXISTS (SELECT 1 FROM ratings r WHERE r.person_id = p.person_id)"
        " ORDER BY c.seen_at DESC, c.telegram_id",
        (chat_id,),
    )
    return [(int(telegram_id), str(name)) for telegram_id, name in rows]


async def own_message(
    writer: Writes, clock: Clock, chat_id: int, message_id: int, telegram_id: int
) -> None:
    """Record that the bot's message `message_id` in `chat_id` answers `telegram_id`."""
    now = clock()

    async def upsert(conn: Connection) -> None:
        await conn.execute(
            "INSERT INTO message_owners (chat_id, message_id, telegram_id, sent_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (chat_id, message_id)"
            " DO UPDATE SET telegram_id = excluded.telegram_id, sent_at = excluded.sent_at",
            (chat_id, message_id, telegram_id, now),
        )

    await writer.run(upsert)


async def message_owner(conn: Connection, chat_id: int, message_id: int) -> int | None:
    """The Telegram id the bot's message answers; None when unknown (sent before this was
    recorded, pruned, or the owner was forgotten)."""
    rows = await conn.fetch_all(
        "SELECT telegram_id FROM message_owners WHERE chat_id = ? AND message_id = ?",
        (chat_id, message_id),
    )
    return int(rows[0][0]) if rows else None


async def forget_member(conn: Connection, telegram_id: int) -> int:
    """Delete a person's group memberships and message ownerships (inside /forget's
    transaction); returns the rows deleted."""
    members = await conn.execute("DELETE FROM chat_members WHERE telegram_id = ?", (telegram_id,))
    owners = await conn.execute("DELETE FROM message_owners WHERE telegram_id = ?", (telegram_id,))
    return members + owners


async def prune_owners(writer: Writes, clock: Clock) -> int:
    """Delete message owners older than KEEP_OWNERS_S; how many were deleted."""
    cutoff = clock() - KEEP_OWNERS_S

    async def delete(conn: Connection) -> int:
        return await conn.execute("DELETE FROM message_owners WHERE sent_at < ?", (cutoff,))

    return await writer.run(delete)
