"""Reading the catalogue: the most rated movies, movies by id, title search, the whole list."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from bot.storage.records import Movie
from bot.storage.sql import Connection, Row
from bot.storage.title_index import TitleIndex
from bot.storage.titles import normalise

MAX_QUERY_WORDS = 8
"""Words of a search query beyond this many are ignored (each one is a condition)."""
MAX_QUERY_CHARS = 200
"""Characters of a search query beyond this many are ignored."""

MOVIE_COLUMNS = (
    "m.movie_id, m.title, m.year, m.genres, s.n_ratings, s.rating_sum, m.imdb_id, m.tmdb_id"
)
"""What `movie_from_row` reads, from movies m joined with movie_stats s."""
ALL_MOVIES = "SELECT movie_id, title, year, genres FROM movies ORDER BY movie_id"
"""What `movies_frame` reads."""
FEW_MATCHES = 3
"""A search whose words match fewer movies than this also lists close titles (typos)."""
CLOSE_LIMIT = 30
"""Close titles listed at most, after the exact matches."""
CLOSE_CANDIDATES = 200
"""Close titles taken from the index (ranked there by its ratings counts) to re-rank by the
current counts before CLOSE_LIMIT cuts them."""


async def popular_movies(reader: Connection, n: int, genre: str | None = None) -> list[Movie]:
    """The n most rated movies, of one genre if given (its exact name); ties go to the lower
    movie id."""
    if genre is not None and (not genre or "|" in genre):
        return []  # no genre is empty or holds the separator
    in_genre = "" if genre is None else " AND instr('|' || m.genres || '|', '|' || ? || '|') > 0"
    rows = await reader.fetch_all(
        f"SELECT {MOVIE_COLUMNS} FROM movie_stats s JOIN movies m USING (movie_id)"
        f" WHERE s.n_ratings > 0{in_genre} ORDER BY s.n_ratings DESC, s.movie_id LIMIT ?",
        (max(n, 0),) if genre is None else (genre, max(n, 0)),
    )
    return [movie_from_row(row) for row in rows]


async def movies(reader: Connection, movie_ids: Iterable[int]) -> dict[int, Movie]:
    """The movies among movie_ids that exist, by id (unknown ids are simply absent)."""
    ids = sorted({int(i) for i in movie_ids})
    if not ids:
        return {}
    rows = await reader.fetch_all(
        f"SELECT {MOVIE_COLUMNS} FROM movies m JOIN movie_stats s USING (movie_id)"
        f" WHERE m.movie_id IN ({reader.dialect.ids_from_json})",
        (json.dumps(ids),),
    )
    return {movie.movie_id: movie for movie in map(movie_from_row, rows)}


@dataclass(frozen=True)
class SearchResult:
    """One page of a title search: exact matches first, then close titles (typos)."""

    movies: list[Movie]
    """The page, in order."""
    offset: int
    """The position of the page's first movie among all found (past the end: the last page)."""
    total: int
    """How many movies were found in all, exact and close."""
    exact: int
    """How many of them hold every word of the query (the first `exact` of all found)."""


class TitleSearch:
    """Title search with typo tolerance.

    Exact matches come from SQL (`search_movies`); when there are fewer than FEW_MATCHES,
    close titles come from a `TitleIndex` of the whole catalogue, built on the first such
    search and rebuilt when the catalogue changed (its movie count or largest id differ).
    """

    def __init__(self) -> None:
        self._index: TitleIndex | None = None
        self._lock = asyncio.Lock()

    async def search(self, reader: Connection, query: str, offset: int, limit: int) -> SearchResult:
        """The movies `offset` to `offset + limit` of those matching `query`."""
        wanted = normalise(query[:MAX_QUERY_CHARS])
        words = wanted.split()[:MAX_QUERY_WORDS]
        if not words or limit <= 0:
            return SearchResult([], 0, 0, 0)
        offset = max(offset, 0)
        page = await _exact_page(reader, words, wanted, offset, limit)
        short = offset == 0 and len(page) < limit  # then the page holds every match
        total = len(page) if short else await _exact_count(reader, words)
        if total >= FEW_MATCHES:
            if not page:  # past the end: the last page instead
                offset = (total - 1) // limit * limit
                page = await _exact_page(reader, words, wanted, offset, limit)
            return SearchResult(page, offset, total, total)
        if len(page) < total:  # a page past the few matches, or a limit below FEW_MATCHES
            page = await _exact_page(reader, words, wanted, 0, FEW_MATCHES)
        found = page + await self._close(reader, " ".join(words), page)
        offset = min(offset, max(len(found) - 1, 0) // limit * limit)
        return SearchResult(found[offset : offset + limit], offset, len(found), len(page))

    async def index(self, reader: Connection) -> TitleIndex:
        """The index of the catalogue as it is now (built or rebuilt if needed)."""
        # movie_stats has a row per movie and a small index to count (movies has none).
        signature = await reader.fetch_one("SELECT count(*), max(movie_id) FROM movie_stats")
        async with self._lock:
            if self._index is None or self._index.signature != signature:
                rows = await reader.fetch_all(
                    "SELECT m.movie_id, m.search_title, s.n_ratings"
                    " FROM movies m JOIN movie_stats s USING (movie_id)",
                )
                self._index = await asyncio.to_thread(TitleIndex, rows, signature)
            return self._index

    async def _close(self, reader: Connection, query: str, exact: list[Movie]) -> list[Movie]:
        """The closest titles (`TitleIndex.closest`) that are not among the `exact` matches,
        the more rated first. Beside exact matches, only titles that differ in how words are
        joined ("walle" for "WALL·E" beside "Walled In"): with typos they are mostly junk
        ("hook" -> "Hoop Dreams", "Look Who's Talking")."""
        index = await self.index(reader)
        max_typos = 0 if exact else None
        matches = await asyncio.to_thread(index.closest, query, CLOSE_CANDIDATES, max_typos)
        shown = {m.movie_id for m in exact}
        found = await movies(reader, (m.movie_id for m in matches if m.movie_id not in shown))
        return sorted(found.values(), key=lambda m: (-m.n_ratings, m.movie_id))[:CLOSE_LIMIT]


async def search_movies(reader: Connection, query: str, limit: int) -> list[Movie]:
    """Movies whose title holds every word of the query, ignoring case and accents.

    Exact titles come first ("the matrix" = "Matrix, The"), then titles that start with the
    query, then the rest; within each, the more rated first.
    """
    wanted = normalise(query[:MAX_QUERY_CHARS])
    words = wanted.split()[:MAX_QUERY_WORDS]
    if not words or limit <= 0:
        return []
    return await _exact_page(reader, words, wanted, 0, limit)


async def _exact_page(
    reader: Connection, words: list[str], wanted: str, offset: int, limit: int
) -> list[Movie]:
    """The movies offset to offset + limit of `search_movies`."""
    rows = await reader.fetch_all(
        f"SELECT {MOVIE_COLUMNS} FROM movies m JOIN movie_stats s USING (movie_id)"
        f" WHERE {_holds_every(words)} ORDER BY"
        " CASE WHEN m.search_name = ? OR m.search_alt = ? THEN 0"
        " WHEN substr(m.search_name, 1, length(?)) = ?"
        " OR substr(m.search_alt, 1, length(?)) = ? THEN 1 ELSE 2 END,"
        " s.n_ratings DESC, m.movie_id LIMIT ? OFFSET ?",
        (*words, *[wanted] * 6, limit, offset),
    )
    return [movie_from_row(row) for row in rows]


async def _exact_count(reader: Connection, words: list[str]) -> int:
    """How many movies `search_movies` finds in all. A query of its own: a window count in
    the page's query costs more (at 62k titles, "the" took 58 ms that way, 22 + 8 ms apart)."""
    (total,) = await reader.fetch_one(
        f"SELECT count(*) FROM movies m WHERE {_holds_every(words)}", tuple(words)
    )
    return int(total)


def _holds_every(words: list[str]) -> str:
    """The SQL condition that the title holds every word (one parameter each)."""
    return " AND ".join("instr(m.search_title, ?) > 0" for _ in words)


async def all_movies(reader: Connection) -> pd.DataFrame:
    """The catalogue in the recsys format: movieId, title, year (Int64), genres (list)."""
    return movies_frame(await reader.fetch_all(ALL_MOVIES))


def movie_from_row(row: Row) -> Movie:
    """A Movie from the MOVIE_COLUMNS of one row."""
    movie_id, title, year, genres, n_ratings, rating_sum, imdb_id, tmdb_id = row
    mean = rating_sum / n_ratings if n_ratings else None
    return Movie(
        movie_id, title, year, tuple(split_genres(genres)), n_ratings, mean, imdb_id, tmdb_id
    )


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
