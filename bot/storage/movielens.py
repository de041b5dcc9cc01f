"""Importing MovieLens (movies, ratings, links) once, all or nothing, and on first start.

The MovieLens users become people without a Telegram id; the import is recorded in
dataset_imports, so a second call imports nothing and reports the first import's counts.
links.csv (each movie's IMDb and TMDb ids) is optional: a folder without it imports with no
links, and `fill_links` gives a catalogue imported without them (or before migration 004)
its links once a folder that has them is at hand.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from bot.storage.errors import ConstraintViolated, StorageError
from bot.storage.records import ImportResult
from bot.storage.sql import Clock, Connection, Writes
from bot.storage.titles import search_fields
from recsys.data import load_movielens
from recsys.download import ML_LATEST_SMALL_URL, download

Progress = Callable[[str], None]
"""Called with one line of text at each step (a logger's ``info``, ``print``)."""

RATINGS_PER_STATEMENT = 25_000
"""Ratings inserted per `copy_rows` (an executemany on SQLite, a COPY on PostgreSQL), with a
progress line after each."""

MovieRow = tuple[int, str, int | None, str, str, str, str | None, int | None, int | None]
"""movie_id, title, year, genres, search_title, search_name, search_alt, imdb_id, tmdb_id."""
Links = Mapping[int, tuple[int | None, int | None]]
"""movieId -> (imdbId, tmdbId), either None when links.csv has none."""

LINKS_FILE = "links.csv"
LINKS_COLUMNS = ("movieId", "imdbId", "tmdbId")

MOVIE_COLUMNS = (
    "movie_id",
    "title",
    "year",
    "genres",
    "search_title",
    "search_name",
    "search_alt",
    "imdb_id",
    "tmdb_id",
)
RATING_COLUMNS = ("person_id", "movie_id", "rating", "rated_at")


async def import_movielens(
    writer: Writes,
    reader: Connection,
    clock: Clock,
    folder: str | Path,
    progress: Progress | None = None,
) -> ImportResult:
    """Import movies.csv and ratings.csv once, all or nothing.

    A second call (or a second start of the bot) finds the record of the first and imports
    nothing. Any failure, including the process being killed, rolls the whole import back.
    """
    say = progress or (lambda _message: None)
    earlier = await _earlier_import(reader)
    if earlier:
        return earlier
    say(f"reading MovieLens from {folder}")
    try:
        data = await asyncio.to_thread(load_movielens, folder)
    except ValueError as error:  # recsys.data.DataError: names the file and the problem
        raise StorageError(f"cannot import MovieLens: {error}") from error
    links = await asyncio.to_thread(read_links, Path(folder))
    frame = data.movies
    movies = [
        _movie_row(
            int(movie_id),
            title,
            None if pd.isna(year) else int(year),
            genres,
            links.get(int(movie_id), (None, None)),
        )
        for movie_id, title, year, genres in zip(
            frame["movieId"], frame["title"], frame["year"], frame["genres"], strict=True
        )
    ]
    users = sorted(int(u) for u in data.ratings["userId"].unique())

    async def insert_all(conn: Connection) -> ImportResult:
        earlier = await _earlier_import(conn)
        if earlier:  # another process finished an import while we read the files
            return earlier
        now = clock()
        try:
            await conn.copy_rows("movies", MOVIE_COLUMNS, movies)
            say(f"movies: {len(movies)} inserted")
            await conn.copy_rows(
                "people", ("movielens_id", "created_at"), [(user, now) for user in users]
            )
            rows = await conn.fetch_all(
                "SELECT movielens_id, person_id FROM people WHERE movielens_id IS NOT NULL"
            )
            person_of = {int(movielens_id): int(person) for movielens_id, person in rows}
            say(f"people: {len(users)} inserted")
            await _insert_ratings(conn, data.ratings, person_of, say)
        except ConstraintViolated as error:
            raise StorageError(f"MovieLens data in {folder} rejected: {error}") from error
        await conn.execute(
            "INSERT INTO dataset_imports (source, imported_at, movies, people, ratings)"
            " VALUES ('movielens', ?, ?, ?, ?)",
            (now, len(movies), len(users), len(data.ratings)),
        )
        return ImportResult(imported=True, movies=len(movies), ratings=len(data.ratings))

    result = await writer.run(insert_all)
    if result.imported:
        say(f"import committed: {result.movies} movies, {result.ratings} ratings")
    return result


async def fill_links(
    writer: Writes, reader: Connection, folder: Path, progress: Progress | None = None
) -> int:
    """Give a catalogue without any IMDb/TMDb ids those of ``folder``/links.csv; how many
    movies got links (0: the catalogue had some already, or the folder has none)."""
    say = progress or (lambda _message: None)
    if await reader.fetch_all(
        "SELECT 1 FROM movies WHERE imdb_id IS NOT NULL OR tmdb_id IS NOT NULL LIMIT 1"
    ):
        return 0
    links = await asyncio.to_thread(read_links, folder)
    if not links:
        return 0
    rows = [(imdb, tmdb, movie) for movie, (imdb, tmdb) in links.items()]

    async def update(conn: Connection) -> int:
        await conn.executemany(
            "UPDATE movies SET imdb_id = ?, tmdb_id = ? WHERE movie_id = ?"
            " AND imdb_id IS NULL AND tmdb_id IS NULL",
            rows,
        )
        (linked,) = await conn.fetch_one(  # none had links before (checked above)
            "SELECT count(*) FROM movies WHERE imdb_id IS NOT NULL OR tmdb_id IS NOT NULL"
        )
        return int(linked)

    filled = await writer.run(update)
    say(f"links: IMDb and TMDb ids for {filled} movies from {folder / LINKS_FILE}")
    return filled


def read_links(folder: Path) -> dict[int, tuple[int | None, int | None]]:
    """``folder``/links.csv as {movieId: (imdbId, tmdbId)}; empty when the file is missing or
    lacks those columns. A missing, malformed or non-positive id is None: links are an extra,
    never a reason to refuse the catalogue."""
    path = folder / LINKS_FILE
    if not path.is_file():
        return {}
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
        return {}
    if any(column not in frame.columns for column in LINKS_COLUMNS):
        return {}
    movie, imdb, tmdb = (_positive(frame[column]) for column in LINKS_COLUMNS)
    return {
        int(m): (None if pd.isna(i) else int(i), None if pd.isna(t) else int(t))
        for m, i, t in zip(movie, imdb, tmdb, strict=True)
        if not pd.isna(m)
    }


def cached_download(data_dir: Path) -> Path:
    """Where `fetch` keeps ml-latest-small under ``data_dir`` (it may not be there)."""
    return data_dir / PurePosixPath(ML_LATEST_SMALL_URL).name.removesuffix(".zip")


async def fetch(data_dir: Path, say: Progress) -> Path:
    """Download ml-latest-small into ``data_dir`` (cached there) in a thread; its folder."""
    say(f"no MovieLens folder given: fetching ml-latest-small into {data_dir}")
    return await asyncio.to_thread(download, data_dir, progress=False)


async def _insert_ratings(
    conn: Connection,
    ratings: pd.DataFrame,
    person_of: Mapping[int, int],
    say: Progress,
) -> None:
    people = ratings["userId"].map(person_of).to_numpy(dtype=np.int64).tolist()
    movies = ratings["movieId"].to_numpy(dtype=np.int64).tolist()
    values = ratings["rating"].to_numpy(dtype=np.float64).tolist()
    stamps = ratings["timestamp"].to_numpy(dtype=np.int64).tolist()
    rows = list(zip(people, movies, values, stamps, strict=True))
    chunk = RATINGS_PER_STATEMENT
    for start in range(0, len(rows), chunk):
        await conn.copy_rows("ratings", RATING_COLUMNS, rows[start : start + chunk])
        say(f"ratings: {min(start + chunk, len(rows))}/{len(rows)} inserted")


async def _earlier_import(conn: Connection) -> ImportResult | None:
    rows = await conn.fetch_all(
        "SELECT movies, ratings FROM dataset_imports WHERE source = 'movielens'"
    )
    return ImportResult(imported=False, movies=rows[0][0], ratings=rows[0][1]) if rows else None


def _movie_row(
    movie_id: int,
    title: str,
    year: int | None,
    genres: list[str],
    links: tuple[int | None, int | None],
) -> MovieRow:
    return (movie_id, title, year, "|".join(genres), *search_fields(title), *links)


def _positive(column: pd.Series) -> pd.Series:
    """Whole numbers above 0 (links.csv pads IMDb ids with zeros: "0114709"), else NA."""
    values = pd.to_numeric(column.str.strip(), errors="coerce")
    return values.where((values > 0) & (values == values.round()))
