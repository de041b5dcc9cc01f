"""Marks: "not seen", "not interested" and "later" (the watchlist), one per person and movie.

A person's row is created on their first mark, as on their first rating; rating a movie
removes its mark (bot.storage.ratings), and forgetting a person deletes their marks with them
(ON DELETE CASCADE).
"""

from __future__ import annotations

from bot.storage.errors import AlreadyRated, StorageError
from bot.storage.ratings import check_id, ensure_person, require_movie
from bot.storage.records import MARK_KINDS, Mark, MarkKind, from_epoch
from bot.storage.sql import Clock, Connection, Writes


async def mark(
    writer: Writes, clock: Clock, telegram_id: int, movie_id: int, kind: MarkKind
) -> None:
    """Set the person's mark on a movie, replacing another mark; AlreadyRated for a rated one.

    A rating is never taken back by a mark (a stale button could do that): the person removes
    the rating first.
    """
    if kind not in MARK_KINDS:
        raise StorageError(f"a mark is one of {', '.join(MARK_KINDS)}, not {kind!r}")
    check_id(telegram_id, "Telegram id")
    check_id(movie_id, "movie id")
    now = clock()

    async def upsert(conn: Connection) -> None:
        await require_movie(conn, movie_id)
        person = await ensure_person(conn, telegram_id, now)
        rated = await conn.fetch_all(
            "SELECT 1 FROM ratings WHERE person_id = ? AND movie_id = ?",
            (person, movie_id),
        )
        if rated:
            raise AlreadyRated(f"person {telegram_id} has rated movie {movie_id}")
        await conn.execute(
            "INSERT INTO marks (person_id, movie_id, kind, marked_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (person_id, movie_id)"
            " DO UPDATE SET kind = excluded.kind, marked_at = excluded.marked_at",
            (person, movie_id, kind, now),
        )

    await writer.run(upsert)


async def unmark(writer: Writes, telegram_id: int, movie_id: int) -> MarkKind | None:
    """Remove the person's mark on a movie; the kind removed, None when there was none."""
    check_id(telegram_id, "Telegram id")
    check_id(movie_id, "movie id")

    async def delete(conn: Connection) -> MarkKind | None:
        rows = await conn.fetch_all(
            "DELETE FROM marks WHERE movie_id = ? AND person_id ="
            " (SELECT person_id FROM people WHERE telegram_id = ?) RETURNING kind",
            (movie_id, telegram_id),
        )
        return _kind(rows[0][0]) if rows else None

    return await writer.run(delete)


async def marks_of(reader: Connection, telegram_id: int) -> list[Mark]:
    """A person's marks, newest first; empty for someone who never marked anything."""
    check_id(telegram_id, "Telegram id")
    rows = await reader.fetch_all(
        "SELECT k.movie_id, k.kind, k.marked_at FROM marks k"
        " JOIN people p USING (person_id) WHERE p.telegram_id = ?"
        " ORDER BY k.marked_at DESC, k.movie_id",
        (telegram_id,),
    )
    return [Mark(int(m), _kind(k), from_epoch(t)) for m, k, t in rows]


def _kind(value: object) -> MarkKind:
    for kind in MARK_KINDS:
        if value == kind:
            return kind
    raise StorageError(f"unknown mark kind in the database: {value!r}")
