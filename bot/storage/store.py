"""The Storage facade: opens the database and names every operation the bot needs.

Each method is one operation named by intent, returning frozen records (or a DataFrame for
training); the SQL lives in the repository modules it delegates to, written once for both
databases (bot.storage.sql). The database is a `Backend`: a SQLite file (the default:
bot.storage.sqlite_backend, with its group-commit writer and reader connection) or a
PostgreSQL server shared by several bot processes (bot.storage.pg_backend). Every write
returns only after COMMIT, so a rating that was acknowledged survives a crash.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from bot.storage import (
    catalogue,
    chats,
    cluster,
    counts,
    inbox,
    marks,
    movielens,
    people,
    ratings,
    runs,
    snapshot,
)
from bot.storage.backend import Backend
from bot.storage.backup import BackupReport
from bot.storage.catalogue import SearchResult, TitleSearch
from bot.storage.connection import BUSY_TIMEOUT_MS, Synchronous
from bot.storage.health import READ_TIMEOUT_S
from bot.storage.movielens import Progress
from bot.storage.records import (
    Counts,
    ImportResult,
    Mark,
    MarkKind,
    ModelRun,
    Movie,
    UserRating,
)
from bot.storage.sql import Clock, Connection
from bot.storage.sqlite_backend import SqliteBackend
from bot.storage.url import DatabaseUrl, is_url, parse_database_url


class Storage:
    """The database behind the bot. Create with ``await Storage.connect(url)`` (or
    ``await Storage.open(path)`` for a SQLite file)."""

    def __init__(self, backend: Backend, clock: Clock) -> None:
        self._backend = backend
        self._writer = backend.writes
        self._reader = backend.reader
        self._clock = clock
        self._titles = TitleSearch()
        self.location = backend.location
        """The database for another process that reads it itself (read_training_data takes
        it): the SQLite file's path, or the PostgreSQL URL without its password."""
        self.path: Path | str = (
            backend.path if isinstance(backend, SqliteBackend) else backend.location
        )
        """The SQLite file (a Path); on PostgreSQL the same text as `location`."""
        self.dialect = self._reader.dialect.name
        """Which database it is: "sqlite" or "postgresql"."""

    @classmethod
    async def connect(
        cls,
        url: str | DatabaseUrl,
        *,
        migrations: Path | None = None,
        clock: Clock = time.time,
        synchronous: Synchronous = "FULL",
    ) -> Storage:
        """Open the database a DATABASE_URL names (see bot.storage.url): ``sqlite:///path``
        as `open` does, or ``postgresql://...`` (a pool; the migrations of ``migrations``'s
        ``postgresql/`` folder). A StorageError (one line, never the password) when it cannot.
        """
        parsed = parse_database_url(url) if isinstance(url, str) else url
        if parsed.path is not None:
            return await cls.open(
                parsed.path, migrations=migrations, clock=clock, synchronous=synchronous
            )
        # Imported here: a SQLite deployment never loads the PostgreSQL driver.
        from bot.storage.pg_backend import PgBackend

        return cls(await PgBackend.open(parsed, migrations=migrations), clock)

    @classmethod
    async def open(
        cls,
        path: str | Path,
        *,
        migrations: Path | None = None,
        clock: Clock = time.time,
        synchronous: Synchronous = "FULL",
    ) -> Storage:
        """Open a SQLite file (a DATABASE_URL string goes to `connect`).

        Connect (creating the file and its folder if needed), prove that the file takes a
        write (else a StorageError saying why) and apply missing migrations. Until ``close``
        the database counts as in use (see bot.storage.in_use): a restore refuses, and opening
        fails with a StorageError while a restore is replacing the file.

        ``migrations`` is the folder of migration files (default: ``migrations/`` beside the
        package); ``clock`` (seconds since the epoch) is for tests; ``synchronous`` only for
        benchmarks.
        """
        if isinstance(path, str) and is_url(path):  # a DATABASE_URL: either database
            return await cls.connect(
                path, migrations=migrations, clock=clock, synchronous=synchronous
            )
        backend = await SqliteBackend.open(path, migrations=migrations, synchronous=synchronous)
        return cls(backend, clock)

    async def close(self) -> None:
        await self._backend.close()

    async def __aenter__(self) -> Storage:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # --- the MovieLens catalogue and ratings -------------------------------------------------

    async def ensure_movielens(
        self, folder: Path | None, data_dir: Path, progress: Progress | None = None
    ) -> ImportResult | None:
        """Import MovieLens unless a catalogue is already there; None when it was.

        With no ``folder``, ml-latest-small is downloaded into ``data_dir`` first (once: the
        download is cached there, and a database with a catalogue never asks for it). A
        catalogue without IMDb/TMDb links (imported before they were) gets them from the
        folder, or else from the cached download, when it has links.csv.
        """
        say = progress or (lambda _message: None)
        if await self.popular_movies(1):
            source = folder if folder is not None else movielens.cached_download(data_dir)
            await movielens.fill_links(self._writer, self._reader, source, say)
            return None
        if folder is None:
            folder = await movielens.fetch(data_dir, say)
        result = await self.import_movielens(folder, progress=say)
        say(f"MovieLens: {result.movies} movies, {result.ratings} ratings")
        return result

    async def import_movielens(
        self, folder: str | Path, progress: Progress | None = None
    ) -> ImportResult:
        """Import movies.csv and ratings.csv once, all or nothing (see bot.storage.movielens)."""
        with self._writer.patience(BUSY_TIMEOUT_MS):  # another process may be importing too
            return await movielens.import_movielens(
                self._writer, self._reader, self._clock, folder, progress
            )

    # --- ratings by Telegram people ----------------------------------------------------------

    async def record_rating(self, telegram_id: int, movie_id: int, rating: float) -> None:
        """Store (or change) a person's rating; the person is created on their first rating."""
        await ratings.record_rating(self._writer, self._clock, telegram_id, movie_id, rating)

    async def remove_rating(self, telegram_id: int, movie_id: int) -> bool:
        """Delete one rating; False when the person had not rated that movie."""
        return await ratings.remove_rating(self._writer, telegram_id, movie_id)

    async def ratings_of(self, telegram_id: int) -> list[UserRating]:
        """A person's ratings, newest first; empty for someone who never rated."""
        return await ratings.ratings_of(self._reader, telegram_id)

    async def person_id(self, telegram_id: int) -> int | None:
        """The internal person id of a Telegram user (the userId models are trained on), or
        None for someone the bot has no row for."""
        return await ratings.person_id(self._reader, telegram_id)

    async def existing_people(self, person_ids: Iterable[int]) -> set[int]:
        """Those of ``person_ids`` that are still people here (not forgotten)."""
        return await ratings.existing_people(self._reader, person_ids)

    async def forget_person(self, telegram_id: int) -> int:
        """Delete a person, their ratings and marks, and what group chats recorded of them
        (memberships, message owners); returns the rows deleted (0: unknown)."""
        return await ratings.forget_person(self._writer, telegram_id)

    # --- the person's choices about the bot ---------------------------------------------------

    async def language_of(self, telegram_id: int) -> str | None:
        """The language code a person chose with /language; None when they never chose one."""
        return await people.language_of(self._reader, telegram_id)

    async def set_language(self, telegram_id: int, code: str) -> None:
        """Store a person's language ("en", "ru", "es"); creates the person if needed."""
        await people.set_language(self._writer, self._clock, telegram_id, code)

    # --- marks: not seen, not interested, later ------------------------------------------------

    async def mark(self, telegram_id: int, movie_id: int, kind: MarkKind) -> None:
        """Set a person's mark on a movie (replacing another); AlreadyRated for a rated one."""
        await marks.mark(self._writer, self._clock, telegram_id, movie_id, kind)

    async def unmark(self, telegram_id: int, movie_id: int) -> MarkKind | None:
        """Remove a person's mark on a movie; the kind removed, None when there was none."""
        return await marks.unmark(self._writer, telegram_id, movie_id)

    async def marks_of(self, telegram_id: int) -> list[Mark]:
        """A person's marks, newest first; empty for someone who never marked anything."""
        return await marks.marks_of(self._reader, telegram_id)

    # --- group chats ---------------------------------------------------------------------------

    async def note_member(self, chat_id: int, telegram_id: int, first_name: str) -> None:
        """Record that a person used the bot in a group chat now (for the group's list)."""
        await chats.note_member(self._writer, self._clock, chat_id, telegram_id, first_name)

    async def rating_members(self, chat_id: int) -> list[tuple[int, str]]:
        """(Telegram id, first name) of a group's members who have rated something."""
        return await chats.rating_members(self._reader, chat_id)

    async def own_message(self, chat_id: int, message_id: int, telegram_id: int) -> None:
        """Record whom the bot's message in a group answers."""
        await chats.own_message(self._writer, self._clock, chat_id, message_id, telegram_id)

    async def message_owner(self, chat_id: int, message_id: int) -> int | None:
        """Whom the bot's message in a group answers; None when unknown."""
        return await chats.message_owner(self._reader, chat_id, message_id)

    async def prune_message_owners(self) -> int:
        """Delete message owners older than 90 days; how many were deleted."""
        return await chats.prune_owners(self._writer, self._clock)

    # --- reading the catalogue ---------------------------------------------------------------

    async def popular_movies(self, n: int = 50, genre: str | None = None) -> list[Movie]:
        """The n most rated movies, of one genre if given; ties go to the lower movie id."""
        return await catalogue.popular_movies(self._reader, n, genre)

    async def movie(self, movie_id: int) -> Movie | None:
        """The movie with that id, or None."""
        found = await self.movies([movie_id])
        return found.get(movie_id)

    async def movies(self, movie_ids: Iterable[int]) -> dict[int, Movie]:
        """The movies among movie_ids that exist, by id (unknown ids are simply absent)."""
        return await catalogue.movies(self._reader, movie_ids)

    async def search_movies(self, query: str, limit: int = 10) -> list[Movie]:
        """Movies whose title holds every word of the query, ignoring case and accents.

        Exact titles come first ("the matrix" = "Matrix, The"), then titles that start with the
        query, then the rest; within each, the more rated first.
        """
        return await catalogue.search_movies(self._reader, query, limit)

    async def search(self, query: str, offset: int = 0, limit: int = 10) -> SearchResult:
        """A page of the movies matching the query: those whose title holds every word (as
        `search_movies` orders them), then, when they are few, close titles that differ by a
        typo or two (see bot.storage.title_index), fewest typos first."""
        return await self._titles.search(self._reader, query, offset, limit)

    async def all_movies(self) -> pd.DataFrame:
        """The catalogue in the recsys format: movieId, title, year (Int64), genres (list)."""
        return await catalogue.all_movies(self._reader)

    async def training_snapshot(self) -> pd.DataFrame:
        """Every rating (MovieLens and Telegram people alike) as of one instant.

        userId is the internal person id, so the two kinds of people never collide.
        The training process reads its data with `read_training_data` instead.
        """
        return await snapshot.training_snapshot(self._reader)

    async def counts(self) -> Counts:
        """People and ratings, in total and by Telegram people today, this week, since the run."""
        return await counts.counts(self._reader, self._clock())

    # --- several bot processes on one database -----------------------------------------------

    async def claim_schedule_slot(self, slot: str) -> bool:
        """Claim a schedule tick (bot.training.schedule.slot_of) for this process: True for the
        one process on the database that runs it, False for every other (bot.storage.cluster)."""
        now, claimed_by = self._clock(), cluster.replica_id()

        async def claim(conn: Connection) -> bool:
            return await cluster.claim_slot(conn, slot, claimed_by, now)

        return await self._writer.run(claim)

    # --- model runs ----------------------------------------------------------------------------

    async def start_model_run(self, trigger: str) -> int:
        """Record that a training run started; returns its id for finish_model_run."""
        return await runs.start_model_run(self._writer, self._clock, trigger)

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
        await runs.finish_model_run(
            self._writer,
            self._clock,
            run_id,
            status=status,
            n_ratings=n_ratings,
            n_users=n_users,
            n_movies=n_movies,
            metrics=metrics,
            artifact_path=artifact_path,
            error=error,
        )

    async def fail_unfinished_runs(self, error: str = "the bot stopped during the run") -> int:
        """Mark runs left 'running' by a previous process as failed (call at start-up)."""
        return await runs.fail_unfinished_runs(self._writer, self._clock, error)

    async def model_runs(self, limit: int = 10) -> list[ModelRun]:
        """The latest runs, newest first."""
        return await runs.model_runs(self._reader, limit)

    async def last_successful_run(self) -> ModelRun | None:
        """The latest run that succeeded, or None before the first."""
        return await runs.last_successful_run(self._reader)

    # --- backups -------------------------------------------------------------------------------

    async def backup_into(self, folder: Path, keep: int) -> BackupReport:
        """A consistent, checked copy of the database in ``folder``, named by the UTC time now;
        then only the newest ``keep`` backups stay there (see bot.storage.backup).

        Runs in a thread on a connection of its own: the bot goes on answering and writing
        meanwhile, and every write committed before the call is in the copy. On PostgreSQL a
        StorageError that names pg_dump: the server's own tools back it up.
        """
        return await self._backend.backup_into(folder, keep, self._clock())

    # --- the inbox of updates fetched from Telegram -----------------------------------------

    async def store_updates(self, updates: Sequence[tuple[int, str]]) -> list[int]:
        """Store fetched updates (id, JSON) in one transaction; the ids not stored before."""
        return await inbox.store_updates(self._writer, self._clock, updates)

    async def mark_updates_done(self, update_ids: Iterable[int]) -> None:
        """Record that these updates were handled."""
        await inbox.mark_done(self._writer, self._clock, update_ids)

    async def undone_updates(self) -> list[tuple[int, str]]:
        """Updates stored but not handled (left by a crash or a stop), oldest first."""
        return await inbox.undone(self._reader)

    async def last_update_id(self) -> int | None:
        """The newest update id ever stored, None before the first."""
        return await inbox.last_update_id(self._reader)

    async def prune_inbox(self) -> int:
        """Delete handled updates older than a day; how many were deleted."""
        return await inbox.prune(self._writer, self._clock)

    # --- health -------------------------------------------------------------------------------

    async def check_health(self, timeout_s: float = READ_TIMEOUT_S) -> None:
        """Raise a one-line StorageError unless the database answers a real read (the SQLite
        file in a connection of its own, see bot.storage.health) within ``timeout_s`` and
        still takes writes."""
        await self._backend.check_health(timeout_s)
