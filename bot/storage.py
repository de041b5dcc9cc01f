"""Everything the bot keeps: the catalogue, people, ratings and model runs, in one SQLite file.

Each public method is one operation named by intent and returns frozen data classes (or a
DataFrame for training). All writes go through one connection (bot.db.Writer: writes that
arrive together share a transaction, each in its own savepoint) and return only after COMMIT:
a rating that was acknowledged survives a crash. Reads use a second connection, so a long read
(the training snapshot) never waits for a write and vice versa.
Times are seconds since the Unix epoch (UTC) in the database and aware datetimes outside it.
"""

from __future__ import annotations

import asyncio
import json
import math
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import aiosqlite
import numpy as np
import pandas as pd

from bot import db
from bot.db import SchemaTooNew, StorageError
from bot.records import (
    Counts,
    ImportResult,
    InvalidRating,
    ModelRun,
    Movie,
    UnknownMovie,
    UnknownPerson,
    UserRating,
)
from bot.titles import normalise, search_fields
from recsys.data import load_movielens

__all__ = [
    "Counts",
    "ImportResult",
    "InvalidRating",
    "ModelRun",
    "Movie",
    "SchemaTooNew",
    "Storage",
    "StorageError",
    "UnknownMovie",
    "UnknownPerson",
    "UserRating",
    "read_training_data",
]


FINISHED_STATUSES = ("succeeded", "failed", "rejected")
_DAY = 86_400
_MAX_QUERY_WORDS = 8
_MOVIE_COLUMNS = "m.movie_id, m.title, m.year, m.genres, s.n_ratings, s.rating_sum"
_ALL_RATINGS = "SELECT person_id, movie_id, rating, rated_at FROM ratings"
_ALL_MOVIES = "SELECT movie_id, title, year, genres FROM movies ORDER BY movie_id"
_RUN_COLUMNS = (
    "run_id, trigger, status, started_at, finished_at, n_ratings, n_users, n_movies,"
    " metrics, artifact_path, error"
)


class Storage:
    """The database behind the bot. Create with ``await Storage.open(path)``."""

    def __init__(
        self,
        writer: db.Writer,
        reader: aiosqlite.Connection,
        clock: Callable[[], float],
        path: Path,
    ) -> None:
        self._writer = writer
        self._reader = reader
        self._clock = clock
        self.path = path
        """The database file, for a process that reads it itself (see read_training_data)."""

    @classmethod
    async def open(
        cls,
        path: str | Path,
        *,
        migrations: Path | None = None,
        clock: Callable[[], float] = time.time,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
    ) -> Storage:
        """Connect (creating the file and its folder if needed) and apply missing migrations.

        ``clock`` (seconds since the epoch) is for tests; ``synchronous`` only for benchmarks.
        """
        if str(path) == ":memory:":
            raise StorageError("the storage needs a file: its reader and writer share it")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        writer = await db.connect(path, synchronous)
        try:
            await db.migrate(writer, migrations)
            reader = await db.connect(path, synchronous)
        except BaseException:
            await writer.close()
            raise
        await reader.execute("PRAGMA query_only = ON")
        return cls(db.Writer(writer), reader, clock, Path(path))

    async def close(self) -> None:
        await self._writer.close()
        await self._reader.close()

    async def __aenter__(self) -> Storage:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # --- the MovieLens catalogue and ratings -------------------------------------------------

    async def import_movielens(
        self, folder: str | Path, progress: Callable[[str], None] | None = None
    ) -> ImportResult:
        """Import movies.csv and ratings.csv once, all or nothing.

        A second call (or a second start of the bot) finds the record of the first and imports
        nothing. Any failure, including the process being killed, rolls the whole import back.
        """
        say = progress or (lambda _message: None)
        earlier = await self._earlier_import(self._reader)
        if earlier:
            return earlier
        say(f"reading MovieLens from {folder}")
        try:
            data = await asyncio.to_thread(load_movielens, folder)
        except ValueError as error:  # recsys.data.DataError: names the file and the problem
            raise StorageError(f"cannot import MovieLens: {error}") from error
        movies = [_movie_row(row) for row in data.movies.itertuples(index=False)]
        users = sorted(int(u) for u in data.ratings["userId"].unique())

        async def insert_all(conn: aiosqlite.Connection) -> ImportResult:
            earlier = await self._earlier_import(conn)
            if earlier:  # another process finished an import while we read the files
                return earlier
            now = self._clock()
            try:
                await conn.executemany(_INSERT_MOVIE, movies)
                say(f"movies: {len(movies)} inserted")
                await conn.executemany(
                    "INSERT INTO people (movielens_id, created_at) VALUES (?, ?)",
                    [(user, now) for user in users],
                )
                person_of = dict(
                    await conn.execute_fetchall(
                        "SELECT movielens_id, person_id FROM people WHERE movielens_id IS NOT NULL"
                    )
                )
                say(f"people: {len(users)} inserted")
                await self._insert_ratings(conn, data.ratings, person_of, say)
            except sqlite3.IntegrityError as error:
                raise StorageError(f"MovieLens data in {folder} rejected: {error}") from error
            await conn.execute(
                "INSERT INTO dataset_imports (source, imported_at, movies, people, ratings)"
                " VALUES ('movielens', ?, ?, ?, ?)",
                (now, len(movies), len(users), len(data.ratings)),
            )
            return ImportResult(imported=True, movies=len(movies), ratings=len(data.ratings))

        result = await self._writer.run(insert_all)
        if result.imported:
            say(f"import committed: {result.movies} movies, {result.ratings} ratings")
        return result

    async def _insert_ratings(
        self,
        conn: aiosqlite.Connection,
        ratings: pd.DataFrame,
        person_of: Mapping[int, int],
        say: Callable[[str], None],
        chunk: int = 25_000,
    ) -> None:
        people = ratings["userId"].map(person_of).to_numpy(dtype=np.int64).tolist()
        movies = ratings["movieId"].to_numpy(dtype=np.int64).tolist()
        values = ratings["rating"].to_numpy(dtype=np.float64).tolist()
        stamps = ratings["timestamp"].to_numpy(dtype=np.int64).tolist()
        rows = list(zip(people, movies, values, stamps, strict=True))
        for start in range(0, len(rows), chunk):
            await conn.executemany(
                "INSERT INTO ratings (person_id, movie_id, rating, rated_at) VALUES (?, ?, ?, ?)",
                rows[start : start + chunk],
            )
            say(f"ratings: {min(start + chunk, len(rows))}/{len(rows)} inserted")

    async def _earlier_import(self, conn: aiosqlite.Connection) -> ImportResult | None:
        rows = await conn.execute_fetchall(
            "SELECT movies, ratings FROM dataset_imports WHERE source = 'movielens'"
        )
        return ImportResult(imported=False, movies=rows[0][0], ratings=rows[0][1]) if rows else None

    # --- ratings by Telegram people ----------------------------------------------------------

    async def record_rating(self, telegram_id: int, movie_id: int, rating: float) -> None:
        """Store (or change) a person's rating; the person is created on their first rating."""
        value = _checked_rating(rating)
        _check_id(telegram_id, "Telegram id")
        _check_id(movie_id, "movie id")
        now = self._clock()

        async def upsert(conn: aiosqlite.Connection) -> None:
            await self._require_movie(conn, movie_id)
            await conn.execute(
                "INSERT INTO people (telegram_id, created_at) VALUES (?, ?)"
                " ON CONFLICT (telegram_id) DO NOTHING",
                (telegram_id, now),
            )
            await conn.execute(
                "INSERT INTO ratings (person_id, movie_id, rating, rated_at)"
                " SELECT person_id, ?, ?, ? FROM people WHERE telegram_id = ?"
                " ON CONFLICT (person_id, movie_id)"
                " DO UPDATE SET rating = excluded.rating, rated_at = excluded.rated_at",
                (movie_id, value, now, telegram_id),
            )

        await self._writer.run(upsert)

    async def remove_rating(self, telegram_id: int, movie_id: int) -> bool:
        """Delete one rating; False when the person had not rated that movie."""
        _check_id(telegram_id, "Telegram id")
        _check_id(movie_id, "movie id")

        async def delete(conn: aiosqlite.Connection) -> bool:
            person = await self._require_person(conn, telegram_id)
            await self._require_movie(conn, movie_id)
            cursor = await conn.execute(
                "DELETE FROM ratings WHERE person_id = ? AND movie_id = ?", (person, movie_id)
            )
            return cursor.rowcount > 0

        return await self._writer.run(delete)

    async def ratings_of(self, telegram_id: int) -> list[UserRating]:
        """A person's ratings, newest first; empty for someone who never rated."""
        _check_id(telegram_id, "Telegram id")
        rows = await self._reader.execute_fetchall(
            "SELECT r.movie_id, r.rating, r.rated_at FROM ratings r"
            " JOIN people p USING (person_id) WHERE p.telegram_id = ?"
            " ORDER BY r.rated_at DESC, r.movie_id",
            (telegram_id,),
        )
        return [UserRating(m, float(r), _datetime(t)) for m, r, t in rows]

    async def forget_person(self, telegram_id: int) -> int:
        """Delete a person and every rating of theirs; returns the rows deleted (0: unknown)."""
        _check_id(telegram_id, "Telegram id")

        async def delete(conn: aiosqlite.Connection) -> int:
            rows = await conn.execute_fetchall(
                "SELECT person_id FROM people WHERE telegram_id = ?", (telegram_id,)
            )
            if not rows:
                return 0
            ratings = await conn.execute("DELETE FROM ratings WHERE person_id = ?", rows[0])
            person = await conn.execute("DELETE FROM people WHERE person_id = ?", rows[0])
            return ratings.rowcount + person.rowcount

        return await self._writer.run(delete)

    # --- reading the catalogue ---------------------------------------------------------------

    async def popular_movies(self, n: int = 50) -> list[Movie]:
        """The n most rated movies; ties go to the lower movie id."""
        rows = await self._reader.execute_fetchall(
            f"SELECT {_MOVIE_COLUMNS} FROM movie_stats s JOIN movies m USING (movie_id)"
            " WHERE s.n_ratings > 0 ORDER BY s.n_ratings DESC, s.movie_id LIMIT ?",
            (max(n, 0),),
        )
        return [_movie(row) for row in rows]

    async def movie(self, movie_id: int) -> Movie | None:
        found = await self.movies([movie_id])
        return found.get(movie_id)

    async def movies(self, movie_ids: Iterable[int]) -> dict[int, Movie]:
        """The movies among movie_ids that exist, by id (unknown ids are simply absent)."""
        ids = sorted({int(i) for i in movie_ids})
        if not ids:
            return {}
        rows = await self._reader.execute_fetchall(
            f"SELECT {_MOVIE_COLUMNS} FROM movies m JOIN movie_stats s USING (movie_id)"
            " WHERE m.movie_id IN (SELECT value FROM json_each(?))",
            (json.dumps(ids),),
        )
        return {movie.movie_id: movie for movie in map(_movie, rows)}

    async def search_movies(self, query: str, limit: int = 10) -> list[Movie]:
        """Movies whose title holds every word of the query, ignoring case and accents.

        Exact titles come first ("the matrix" = "Matrix, The"), then titles that start with the
        query, then the rest; within each, the more rated first.
        """
        wanted = normalise(query[:200])
        words = wanted.split()[:_MAX_QUERY_WORDS]
        if not words or limit <= 0:
            return []
        contains = " AND ".join("instr(m.search_title, ?) > 0" for _ in words)
        rows = await self._reader.execute_fetchall(
            f"SELECT {_MOVIE_COLUMNS} FROM movies m JOIN movie_stats s USING (movie_id)"
            f" WHERE {contains} ORDER BY"
            " CASE WHEN m.search_name = ? OR m.search_alt = ? THEN 0"
            " WHEN substr(m.search_name, 1, length(?)) = ?"
            " OR substr(m.search_alt, 1, length(?)) = ? THEN 1 ELSE 2 END,"
            " s.n_ratings DESC, m.movie_id LIMIT ?",
            (*words, *[wanted] * 6, limit),
        )
        return [_movie(row) for row in rows]

    async def all_movies(self) -> pd.DataFrame:
        """The catalogue in the recsys format: movieId, title, year (Int64), genres (list)."""
        return _movies_frame(await self._reader.execute_fetchall(_ALL_MOVIES))

    async def training_snapshot(self) -> pd.DataFrame:
        """Every rating (MovieLens and Telegram people alike) as of one instant.

        userId is the internal person id, so the two kinds of people never collide.
        The training process reads its data with `read_training_data` instead, so that this
        GIL-holding work stays out of the bot's process during a run.
        """
        rows = await self._reader.execute_fetchall(_ALL_RATINGS)
        return await asyncio.to_thread(_ratings_frame, rows)  # ~0.1 s: not on the event loop

    async def counts(self) -> Counts:
        now = self._clock()
        # IN, not JOIN: the planner then walks the few Telegram people's ratings by primary key
        # instead of all 100k MovieLens ratings (0.05 ms instead of 50 ms).
        bot = (
            "FROM ratings r WHERE r.person_id IN"
            " (SELECT person_id FROM people WHERE telegram_id IS NOT NULL)"
        )
        rows = await self._reader.execute_fetchall(
            "SELECT (SELECT count(*) FROM people),"
            " (SELECT count(*) FROM people WHERE telegram_id IS NOT NULL),"
            " (SELECT count(*) FROM ratings),"
            f" (SELECT count(*) {bot}),"
            f" (SELECT count(*) {bot} AND r.rated_at >= ?),"
            f" (SELECT count(DISTINCT r.person_id) {bot} AND r.rated_at >= ?),"
            f" (SELECT count(*) {bot} AND r.rated_at >= coalesce((SELECT max(started_at)"
            "   FROM model_runs WHERE status = 'succeeded'), 0))",
            (now - now % _DAY, now - 7 * _DAY),
        )
        return Counts(*rows[0])

    # --- model runs ----------------------------------------------------------------------------

    async def start_model_run(self, trigger: str) -> int:
        """Record that a training run started; returns its id for finish_model_run."""
        if not isinstance(trigger, str) or not trigger.strip():
            raise StorageError("a model run needs a trigger such as 'schedule' or 'admin'")

        async def insert(conn: aiosqlite.Connection) -> int:
            cursor = await conn.execute(
                "INSERT INTO model_runs (trigger, started_at) VALUES (?, ?)",
                (trigger.strip()[:100], self._clock()),
            )
            return int(cursor.lastrowid or 0)

        return await self._writer.run(insert)

    async def finish_model_run(
        self,
        run_id: int,
        *,
        status: str,
        n_ratings: int | None = None,
        n_users: int | None = None,
        n_movies: int | None = None,
        metrics: Mapping[str, float] | None = None,
        artifact_path: str | Path | None = None,
        error: str | None = None,
    ) -> None:
        """Record how a running run ended (a FINISHED_STATUSES status); only once per run."""
        if status not in FINISHED_STATUSES:
            raise StorageError(f"a finished run's status is one of {FINISHED_STATUSES}: {status!r}")
        values = {str(k): float(v) for k, v in (metrics or {}).items()}

        async def update(conn: aiosqlite.Connection) -> None:
            cursor = await conn.execute(
                "UPDATE model_runs SET status = ?, finished_at = ?, n_ratings = ?, n_users = ?,"
                " n_movies = ?, metrics = ?, artifact_path = ?, error = ?"
                " WHERE run_id = ? AND status = 'running'",
                (
                    status,
                    self._clock(),
                    n_ratings,
                    n_users,
                    n_movies,
                    json.dumps(values),
                    None if artifact_path is None else str(artifact_path),
                    error,
                    run_id,
                ),
            )
            if cursor.rowcount == 0:
                raise StorageError(f"no running model run with id {run_id}")

        await self._writer.run(update)

    async def fail_unfinished_runs(self, error: str = "the bot stopped during the run") -> int:
        """Mark runs left 'running' by a previous process as failed (call at start-up)."""

        async def update(conn: aiosqlite.Connection) -> int:
            cursor = await conn.execute(
                "UPDATE model_runs SET status = 'failed', finished_at = ?, error = ?"
                " WHERE status = 'running'",
                (self._clock(), error),
            )
            return cursor.rowcount

        return await self._writer.run(update)

    async def model_runs(self, limit: int = 10) -> list[ModelRun]:
        """The latest runs, newest first."""
        rows = await self._reader.execute_fetchall(
            f"SELECT {_RUN_COLUMNS} FROM model_runs ORDER BY started_at DESC, run_id DESC LIMIT ?",
            (max(limit, 0),),
        )
        return [_model_run(row) for row in rows]

    async def last_successful_run(self) -> ModelRun | None:
        rows = await self._reader.execute_fetchall(
            f"SELECT {_RUN_COLUMNS} FROM model_runs WHERE status = 'succeeded'"
            " ORDER BY started_at DESC, run_id DESC LIMIT 1"
        )
        return _model_run(rows[0]) if rows else None

    # --- helpers -------------------------------------------------------------------------------

    @staticmethod
    async def _require_movie(conn: aiosqlite.Connection, movie_id: int) -> None:
        rows = await conn.execute_fetchall("SELECT 1 FROM movies WHERE movie_id = ?", (movie_id,))
        if not rows:
            raise UnknownMovie(f"no movie with id {movie_id}")

    @staticmethod
    async def _require_person(conn: aiosqlite.Connection, telegram_id: int) -> int:
        rows = await conn.execute_fetchall(
            "SELECT person_id FROM people WHERE telegram_id = ?", (telegram_id,)
        )
        if not rows:
            raise UnknownPerson(f"no person with Telegram id {telegram_id}")
        return int(rows[0][0])


_INSERT_MOVIE = (
    "INSERT INTO movies (movie_id, title, year, genres, search_title, search_name, search_alt)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def _movie_row(row: Any) -> tuple[Any, ...]:
    year = None if pd.isna(row.year) else int(row.year)
    return (int(row.movieId), row.title, year, "|".join(row.genres), *search_fields(row.title))


def _checked_rating(rating: float) -> float:
    if isinstance(rating, bool) or not isinstance(rating, int | float | np.number):
        raise InvalidRating(f"a rating is a number of stars, not {rating!r}")
    value = float(rating)
    if not math.isfinite(value) or not 0.5 <= value <= 5.0 or value * 2 != int(value * 2):
        raise InvalidRating(f"a rating is 0.5 to 5 stars in half-star steps, not {rating!r}")
    return value


def _check_id(value: int, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
        raise StorageError(f"a {what} is a positive whole number, not {value!r}")


def read_training_data(database_path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ratings, movies) as training_snapshot() and all_movies() give them, read synchronously.

    For the training process: it reads the data itself, so the bot's process (and its GIL)
    does none of the work during a run. The file is opened read-only, never created or
    migrated, and both tables are read in one transaction: one consistent instant under WAL,
    however the bot writes meanwhile. Raises StorageError when the file cannot be read.
    """
    path = Path(database_path)
    if not path.is_file():
        raise StorageError(f"no database to read the training data from: {path}")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error as err:
        raise StorageError(f"cannot open the database {path} to read: {err}") from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {db.BUSY_TIMEOUT_MS}")
        conn.execute("BEGIN")
        ratings = conn.execute(_ALL_RATINGS).fetchall()
        movies = conn.execute(_ALL_MOVIES).fetchall()
        conn.execute("COMMIT")
    except sqlite3.Error as err:
        raise StorageError(f"cannot read the training data from {path}: {err}") from None
    finally:
        conn.close()
    return _ratings_frame(ratings), _movies_frame(movies)


def _ratings_frame(rows: list[tuple[int, int, float, float]]) -> pd.DataFrame:
    table = np.array(rows, dtype=np.float64).reshape(-1, 4)
    return pd.DataFrame(
        {
            "userId": table[:, 0].astype(np.int64),
            "movieId": table[:, 1].astype(np.int64),
            "rating": table[:, 2].astype(np.float32),
            "timestamp": np.floor(table[:, 3]).astype(np.int64),
        }
    )


def _movies_frame(rows: list[tuple[int, str, int | None, str]]) -> pd.DataFrame:
    ids, titles, years, genres = zip(*rows, strict=True) if rows else ((), (), (), ())
    return pd.DataFrame(
        {
            "movieId": pd.Series(ids, dtype="int64"),
            "title": pd.Series(titles, dtype="object"),
            "year": pd.Series(years, dtype="Int64"),
            "genres": pd.Series([_genres(g) for g in genres], dtype="object"),
        }
    )


def _genres(text: str) -> list[str]:
    return text.split("|") if text else []


def _datetime(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _movie(row: tuple[Any, ...]) -> Movie:
    movie_id, title, year, genres, n_ratings, rating_sum = row
    mean = rating_sum / n_ratings if n_ratings else None
    return Movie(movie_id, title, year, tuple(_genres(genres)), n_ratings, mean)


def _model_run(row: tuple[Any, ...]) -> ModelRun:
    run_id, trigger, status, started, finished, n_ratings, n_users, n_movies, *rest = row
    metrics, artifact_path, error = rest
    return ModelRun(
        run_id,
        trigger,
        status,
        _datetime(started),
        _datetime(finished),
        n_ratings,
        n_users,
        n_movies,
        json.loads(metrics) if metrics else {},
        artifact_path,
        error,
    )
