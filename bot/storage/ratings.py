"""Ratings by Telegram people: recording, changing and removing them, and forgetting a person.

A person's row is created on their first rating. Writes run through the `Writes` and return
once committed; reads go through the reader connection.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable

import numpy as np

from bot.storage import chats
from bot.storage.errors import InvalidRating, StorageError, UnknownMovie, UnknownPerson
from bot.storage.records import UserRating, from_epoch
from bot.storage.sql import Clock, Connection, Writes
from recsys.results import MAX_RATING, MIN_RATING


async def record_rating(
    writer: Writes, clock: Clock, telegram_id: int, movie_id: int, rating: float
) -> None:
    """Store (or change) a person's rating; the person is created on their first rating."""
    value = checked_rating(rating)
    check_id(telegram_id, "Telegram id")
    check_id(movie_id, "movie id")
    now = clock()

    async def upsert(conn: Connection) -> None:
        await require_movie(conn, movie_id)
        person = await ensure_person(conn, telegram_id, now)
        await conn.execute(
            "INSERT INTO ratings (person_id, movie_id, rating, rated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (person_id, movie_id)"
            " DO UPDATE SET rating = excluded.rating, rated_at = excluded.rated_at",
            (person, movie_id, value, now),
        )
        # A rating says the person has seen the movie: "not seen" and "later" no longer hold.
        await conn.execute(
            "DELETE FROM marks WHERE person_id = ? AND movie_id = ?", (person, movie_id)
        )

    await writer.run(upsert)


async def remove_rating(writer: Writes, telegram_id: int, movie_id: int) -> bool:
    """Delete one rating; False when the person had not rated that movie."""
    check_id(telegram_id, "Telegram id")
    check_id(movie_id, "movie id")

    async def delete(conn: Connection) -> bool:
        person = await require_person(conn, telegram_id)
        await require_movie(conn, movie_id)
        deleted = await conn.execute(
            "DELETE FROM ratings WHERE person_id = ? AND movie_id = ?", (person, movie_id)
        )
        return deleted > 0

    return await writer.run(delete)


async def ratings_of(reader: Connection, telegram_id: int) -> list[UserRating]:
    """A person's ratings, newest first; empty for someone who never rated."""
    check_id(telegram_id, "Telegram id")
    rows = await reader.fetch_all(
        "SELECT r.movie_id, r.rating, r.rated_at FROM ratings r"
        " JOIN people p USING (person_id) WHERE p.telegram_id = ?"
        " ORDER BY r.rated_at DESC, r.movie_id",
        (telegram_id,),
    )
    return [UserRating(m, float(r), from_epoch(t)) for m, r, t in rows]


async def forget_person(writer: Writes, telegram_id: int) -> int:
    """Delete a person, their ratings and marks, and what group chats recorded of them
    (memberships, message owners: they may exist without a person row), in one transaction;
    returns the rows deleted (0: unknown)."""
    check_id(telegram_id, "Telegram id")

    async def delete(conn: Connection) -> int:
        in_groups = await chats.forget_member(conn, telegram_id)
        rows = await conn.fetch_all(
            "SELECT person_id FROM people WHERE telegram_id = ?", (telegram_id,)
        )
        if not rows:
            return in_groups
        ratings = await conn.execute("DELETE FROM ratings WHERE person_id = ?", rows[0])
        marks = await conn.execute("DELETE FROM marks WHERE person_id = ?", rows[0])
        person = await conn.execute("DELETE FROM people WHERE person_id = ?", rows[0])
        return in_groups + ratings + marks + person

    return await writer.run(delete)


async def person_id(reader: Connection, telegram_id: int) -> int | None:
    """The person id of a Telegram user, or None when the bot has no row for them."""
    check_id(telegram_id, "Telegram id")
    rows = await reader.fetch_all(
        "SELECT person_id FROM people WHERE telegram_id = ?", (telegram_id,)
    )
    return int(rows[0][0]) if rows else None


async def existing_people(reader: Connection, person_ids: Iterable[int]) -> set[int]:
    """Those of ``person_ids`` that have a row in people (MovieLens or Telegram alike)."""
    ids = sorted({int(i) for i in person_ids})
    if not ids:
        return set()
    rows = await reader.fetch_all(
        f"SELECT person_id FROM people WHERE person_id IN ({reader.dialect.ids_from_json})",
        (json.dumps(ids),),
    )
    return {int(row[0]) for row in rows}


async def ensure_person(conn: Connection, telegram_id: int, now: float) -> int:
    """The person id of a Telegram user, created on their first rating or mark."""
    await conn.execute(
        "INSERT INTO people (telegram_id, created_at) VALUES (?, ?)"
        " ON CONFLICT (telegram_id) DO NOTHING",
        (telegram_id, now),
    )
    return await require_person(conn, telegram_id)


async def require_movie(conn: Connection, movie_id: int) -> None:
    """Raise UnknownMovie unless the catalogue has movie_id."""
    rows = await conn.fetch_all("SELECT 1 FROM movies WHERE movie_id = ?", (movie_id,))
    if not rows:
        raise UnknownMovie(f"no movie with id {movie_id}")


async def require_person(conn: Connection, telegram_id: int) -> int:
    """The person id of a Telegram user who has rated; UnknownPerson otherwise."""
    rows = await conn.fetch_all(
        "SELECT person_id FROM people WHERE telegram_id = ?", (telegram_id,)
    )
    if not rows:
        raise UnknownPerson(f"no person with Telegram id {telegram_id}")
    return int(rows[0][0])


def checked_rating(rating: float) -> float:
    """The rating as a float; InvalidRating unless it is MIN_RATING-MAX_RATING in half stars."""
    if isinstance(rating, bool) or not isinstance(rating, int | float | np.number):
        raise InvalidRating(f"a rating is a number of stars, not {rating!r}")
    value = float(rating)
    if (
        not math.isfinite(value)
        or not MIN_RATING <= value <= MAX_RATING
        or value * 2 != int(value * 2)
    ):
        raise InvalidRating(
            f"a rating is {MIN_RATING:g} to {MAX_RATING:g} stars in half-star steps, not {rating!r}"
        )
    return value


def check_id(value: int, what: str) -> None:
    """StorageError unless value is a positive whole number (bools are not)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
        raise StorageError(f"a {what} is a positive whole number, not {value!r}")
