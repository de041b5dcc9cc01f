"""/export: everything a person told the bot, as a CSV document in MovieLens's columns.

``movieId,title,rating,timestamp`` as in MovieLens's ratings.csv (timestamps in whole seconds
since the epoch, ratings in half stars), plus ``signal``: ``rating`` for a rating, or the mark
(``not_seen``, ``not_interested``, ``later``) with the rating left empty. Ratings come first,
newest first as /myratings lists them, then marks, newest first. The csv module quotes what
needs it (titles with commas: ``"Matrix, The (1999)"``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.storage import Mark, Storage, UserRating

FILENAME = "moviebot-ratings.csv"
COLUMNS = ("movieId", "title", "rating", "timestamp", "signal")


@dataclass(frozen=True)
class Export:
    document: bytes
    """The CSV file, UTF-8 with CRLF line ends (as MovieLens ships its files)."""
    ratings: int
    marks: int


async def export(storage: Storage, telegram_id: int) -> Export | None:
    """The person's ratings and marks as a CSV document; None when nothing is stored."""
    ratings = await storage.ratings_of(telegram_id)
    marks = await storage.marks_of(telegram_id)
    if not ratings and not marks:
        return None
    movies = await storage.movies([r.movie_id for r in ratings] + [m.movie_id for m in marks])
    titles = {movie_id: movie.title for movie_id, movie in movies.items()}
    return Export(to_csv(ratings, marks, titles), len(ratings), len(marks))


def to_csv(
    ratings: Sequence[UserRating], marks: Sequence[Mark], titles: Mapping[int, str]
) -> bytes:
    """One row per rating (signal "rating"), then one per mark (rating empty), under COLUMNS."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for r in ratings:
        stamp = int(r.rated_at.timestamp())
        writer.writerow(
            [r.movie_id, titles.get(r.movie_id, ""), f"{r.rating:.1f}", stamp, "rating"]
        )
    for m in marks:
        stamp = int(m.marked_at.timestamp())
        writer.writerow([m.movie_id, titles.get(m.movie_id, ""), "", stamp, m.kind])
    return out.getvalue().encode("utf-8")
