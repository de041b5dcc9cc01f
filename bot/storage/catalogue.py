"""Reading the catalogue: the most rated movies, movies by id, title search, the whole list."""

from __future__ import annotations

import json
from collections.abc import Iterable

import aiosqlite
import pandas as pd

from bot.storage.connection import Row, fetch_all
from bot.storage.records import Movie
from bot.storage.titles import normalise

MAX_QUERY_WORDS = 8
"""Words of a search query beyond this many are ignored (each one is a condition)."""
MAX_QUERY_CHARS = 200
"""Characters of a search query beyond this many are ignored."""

MOVIE_COLUMNS = "m.movie_id, m.title, m.year, m.genres, s.n_ratings, s.rating_sum"
"""What `movie_from_row` reads, from movies m joined with movie_stats s."""
ALL_MOVIES = "SELECT movie_id, title, year, genres FROM movies ORDER BY movie_id"
"""What `movies_frame` reads."""


async def popular_movies(reader: aiosqlite.Connection, n: int) -> list[Movie]:
    """The n most rated movies; ties go to the lower movie id."""
    rows = await fetch_all(
        reader,
        f"SELECT {MOVIE_COLUMNS} FROM movie_stats s JOIN movies m USING (movie_id)"
        " WHERE s.n_ratings > 0 ORDER BY s.n_ratings DESC, s.movie_id LIMIT ?",
        (max(n, 0),),
    )
    return [movie_from_row(row) for row in rows]


async def movies(reader: aiosqlite.Connection, movie_ids: Iterable[int]) -> dict[int, Movie]:
    """The movies among movie_ids that exist, by id (unknown ids are simply absent)."""
    ids = sorted({int(i) for i in movie_ids})
    if not ids:
        return {}
    rows = await fetch_all(
        reader,
        f"SELECT {MOVIE_COLUMNS} FROM movies m JOIN movie_stats s USING (movie_id)"
        " WHERE m.movie_id IN (SELECT value FROM json_each(?))",
        (json.dumps(ids),),
    )
    return {movie.movie_id: movie for movie in map(movie_from_row, rows)}


async def search_movies(reader: aiosqlite.Connection, query: str, limit: int) -> list[Movie]:
    """Movies whose title holds every word of the query, ignoring case and accents.

    Exact titles come first ("the matrix" = "Matrix, The"), then titles that start with the
    query, then the rest; within each, the more rated first.
    """
    wanted = normalise(query[:MAX_QUERY_CHARS])
    words = wanted.split()[:MAX_QUERY_WORDS]
    if not words or limit <= 0:
        return []
    contains = " AND ".join("instr(m.search_title, ?) > 0" for _ in words)
    rows = await fetch_all(
        reader,
        f"SELECT {MOVIE_COLUMNS} FROM movies m JOIN movie_stats s USING (movie_id)"
        f" WHERE {contains} ORDER BY"
        " CASE WHEN m.search_name = ? OR m.search_alt = ? THEN 0"
        " WHEN substr(m.search_name, 1, length(?)) = ?"
        " OR substr(m.search_alt, 1, length(?)) = ? THEN 1 ELSE 2 END,"
        " s.n_ratings DESC, m.movie_id LIMIT ?",
        (*words, *[wanted] * 6, limit),
    )
    return [movie_from_row(row) for row in rows]


async def all_movies(reader: aiosqlite.Connection) -> pd.DataFrame:
    """The catalogue in the recsys format: movieId, title, year (Int64), genres (list)."""
    return movies_frame(await fetch_all(reader, ALL_MOVIES))


def movie_from_row(row: Row) -> Movie:
    """A Movie from the MOVIE_COLUMNS of one row."""
    movie_id, title, year, genres, n_ratings, rating_sum = row
    mean = rating_sum / n_ratings if n_ratings else None
    return Movie(movie_id, title, year, tuple(split_genres(genres)), n_ratings, mean)


def movies_frame(rows: list[Row]) -> pd.DataFrame:
    """The recsys movies frame from ALL_MOVIES rows."""
    ids, titles, years, genres = zip(*rows, strict=True) if rows else ((), (), (), ())
    return pd.DataFrame(
        {
            "movieId": pd.Series(ids, dtype="int64"),
            "title": pd.Series(titles, dtype="object"),
            "year": pd.Series(years, dtype="Int64"),
            "genres": pd.Series([split_genres(g) for g in genres], dtype="object"),
        }
    )


def split_genres(text: str) -> list[str]:
    """The genres stored as "Action|Sci-Fi" (the empty text for none)."""
    return text.split("|") if text else []
