"""What only PostgreSQL has: its migration runner and schema_version table, concurrent
starters, the COPY import, the streamed training snapshot, its lock timeout, the refusals of
file operations and a password kept out of every message.

Every test here runs on PostgreSQL (``backend`` pinned); the rest of tests/bot/storage runs
on both databases.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import asyncpg
import pandas as pd
import pytest

from bot.storage import (
    DatabaseBusy,
    SchemaTooNew,
    Storage,
    StorageError,
    pg_snapshot,
    read_training_data,
)
from bot.storage.connection import WRITE_BUSY_TIMEOUT_MS
from bot.storage.migrations import default_migrations_dir, dialect_folder, load_migrations
from bot.storage.postgres import numbered
from bot.storage.url import parse_database_url
from bot.training.worker_child import _parser as worker_parser
from tests.bot.storage.peek import peek, poke
from tests.support.search_catalogue import SMALL_RATINGS

LATEST = load_migrations(dialect_folder(None, "postgresql"))[-1].version


@pytest.fixture
def backend() -> str:
    return "postgresql"


def copy_migrations(target: Path) -> Path:
    shutil.copytree(default_migrations_dir(), target)
    return target / "postgresql"


def test_both_dialects_have_the_same_versions() -> None:
    names = [m.name for m in load_migrations(default_migrations_dir())]
    assert [m.name for m in load_migrations(dialect_folder(None, "postgresql"))] == names


async def test_an_empty_database_reaches_the_latest_version_and_records_it(
    database_url: str,
) -> None:
    async with await Storage.connect(database_url) as store:
        assert await store.popular_movies() == []

    assert await peek(database_url, "SELECT version FROM schema_version") == [(LATEST,)]
    tables = {row[0] for row in await peek(database_url, "SELECT tablename FROM pg_tables")}
    assert {"movies", "people", "ratings", "marks", "inbox", "chat_members"} <= tables


async def test_starting_again_changes_nothing(database_url: str, small_movielens: Path) -> None:
    async with await Storage.connect(database_url) as store:
        await store.import_movielens(small_movielens)
        await store.record_rating(1, 2, 4.5)
    async with await Storage.connect(database_url) as store:
        ratings = await store.ratings_of(1)

    assert [(r.movie_id, r.rating) for r in ratings] == [(2, 4.5)]
    assert await peek(database_url, "SELECT count(*) FROM schema_version") == [(1,)]


async def test_replicas_starting_at_once_migrate_once(database_url: str) -> None:
    stores = await asyncio.gather(*(Storage.connect(database_url) for _ in range(4)))
    for store in stores:
        await store.close()

    assert await peek(database_url, "SELECT version FROM schema_version") == [(LATEST,)]


async def test_a_newer_database_is_refused_with_the_same_message(
    database_url: str, tmp_path: Path
) -> None:
    folder = copy_migrations(tmp_path / "newer")
    (folder / f"{LATEST + 1:03d}_from_the_future.sql").write_text("CREATE TABLE later (x int);\n")
    await (await Storage.connect(database_url, migrations=folder.parent)).close()

    with pytest.raises(SchemaTooNew, match=f"schema version {LATEST + 1}.*newer"):
        await Storage.connect(database_url)


async def test_a_failing_migration_is_rolled_back_whole(database_url: str, tmp_path: Path) -> None:
    folder = copy_migrations(tmp_path / "broken")
    broken = folder / f"{LATEST + 1:03d}_broken.sql"
    broken.write_text("CREATE TABLE half (x int);\nCREATE TABLE nonsense (;\n")

    with pytest.raises(StorageError, match=f"{broken.stem} failed.*syntax error"):
        await Storage.connect(database_url, migrations=folder.parent)
    left_at = await peek(database_url, "SELECT version FROM schema_version")
    # Had 'half' survived the failure, creating it again would fail here.
    broken.write_text("CREATE TABLE half (x int);\n")
    await (await Storage.connect(database_url, migrations=folder.parent)).close()

    assert left_at == [(LATEST,)]
    assert await peek(database_url, "SELECT version FROM schema_version") == [(LATEST + 1,)]


async def test_the_import_copies_everything_and_keeps_the_counts(storage: Storage) -> None:
    counts = await storage.counts()
    stats = await peek_stats(storage)

    assert counts.ratings == len(SMALL_RATINGS)
    assert stats == {m: n for m, n in stats.items() if n} and sum(stats.values()) == counts.ratings
    assert [m.n_ratings for m in await storage.popular_movies(3)] == sorted(stats.values())[::-1][
        :3
    ]


async def peek_stats(storage: Storage) -> dict[int, int]:
    """movie id -> the ratings counted in movie_stats, for every movie with any."""
    movies = await storage.popular_movies(10_000)
    return {m.movie_id: m.n_ratings for m in movies}


async def test_the_triggers_count_rerates_and_deletes(storage: Storage) -> None:
    before = (await storage.movie(2)) or pytest.fail("movie 2 is in the catalogue")
    await storage.record_rating(1, 2, 5.0)
    await storage.record_rating(1, 2, 1.0)  # the same row updated: still one rating
    after_rating = await storage.movie(2)
    await storage.forget_person(1)

    assert after_rating is not None and after_rating.n_ratings == before.n_ratings + 1
    assert after_rating.mean_rating == pytest.approx(
        ((before.mean_rating or 0) * before.n_ratings + 1.0) / (before.n_ratings + 1)
    )
    assert await storage.movie(2) == before


async def test_the_training_process_streams_what_the_reader_gives(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    await storage.record_rating(1, 2, 1.5)
    monkeypatch.setattr(pg_snapshot, "CHUNK", 7)  # many chunks

    ratings, movies = await asyncio.to_thread(read_training_data, storage.location)

    pd.testing.assert_frame_equal(ratings, await storage.training_snapshot())
    pd.testing.assert_frame_equal(movies, await storage.all_movies())


async def test_the_snapshot_is_the_same_frame_as_sqlite_s(
    storage: Storage, tmp_path: Path, small_movielens: Path
) -> None:
    async with await Storage.open(tmp_path / "same.db") as sqlite:
        await sqlite.import_movielens(small_movielens)
        for store in (storage, sqlite):
            await store.record_rating(5, 3, 2.5)
        expected = read_training_data(sqlite.location)

    ratings, movies = await asyncio.to_thread(read_training_data, storage.location)

    ids = {"userId"}  # person ids are each database's own: compare all but them
    pd.testing.assert_frame_equal(
        ratings.drop(columns=list(ids)), expected[0].drop(columns=list(ids))
    )
    pd.testing.assert_frame_equal(movies, expected[1])


async def test_a_row_lock_held_elsewhere_means_busy_within_seconds(
    storage: Storage, database_url: str
) -> None:
    other = await asyncpg.connect(parse_database_url(database_url).dsn)
    try:
        async with other.transaction():
            await other.execute("SELECT * FROM movie_stats WHERE movie_id = 2 FOR UPDATE")
            started = asyncio.get_running_loop().time()
            with pytest.raises(DatabaseBusy, match="nothing was saved"):
                await storage.record_rating(1, 2, 4.0)
            waited = asyncio.get_running_loop().time() - started
            assert await storage.popular_movies(1)  # reads go on meanwhile
    finally:
        await other.close()
    await storage.record_rating(1, 2, 4.0)  # and the write goes through once it is free

    assert WRITE_BUSY_TIMEOUT_MS / 1000 - 0.5 < waited < WRITE_BUSY_TIMEOUT_MS / 1000 + 3
    assert [r.rating for r in await storage.ratings_of(1)] == [4.0]


async def test_health_answers_and_backups_name_pg_dump(storage: Storage, tmp_path: Path) -> None:
    await storage.check_health()

    with pytest.raises(StorageError, match="pg_dump"):
        await storage.backup_into(tmp_path / "backups", keep=3)
    assert not (tmp_path / "backups").exists()


async def test_a_change_made_by_another_replica_is_seen(
    storage: Storage, database_url: str
) -> None:
    await poke(database_url, "UPDATE movies SET title = 'Renamed' WHERE movie_id = ?", (1,))

    assert (await storage.movie(1) or pytest.fail("movie 1")).title == "Renamed"


async def test_an_unreachable_server_is_one_line_without_the_password() -> None:
    url = "postgresql://moviebot:s3cret-pw@127.0.0.1:1/moviebot"

    with pytest.raises(StorageError) as refused:
        await Storage.connect(url)

    assert "s3cret" not in str(refused.value) and "cannot connect" in str(refused.value)
    assert "moviebot:***@127.0.0.1:1/moviebot" in str(refused.value)


@pytest.mark.realdata
async def test_the_real_dataset_is_copied_in_and_read_back_as_ratings_csv(
    database_url: str, real_movielens_dir: Path
) -> None:
    async with await Storage.connect(database_url) as store:
        result = await store.import_movielens(real_movielens_dir)
        counts = await store.counts()
        top = await store.popular_movies(1)
        ratings, _ = await asyncio.to_thread(read_training_data, store.location)

    expected = pd.read_csv(real_movielens_dir / "ratings.csv")
    assert (result.movies, result.ratings, counts.people) == (9_742, 100_836, 610)
    assert (top[0].movie_id, top[0].n_ratings) == (356, 329)  # Forrest Gump
    # MovieLens users become people in userId order: both sort alike by (user, movie).
    columns = ["movieId", "rating", "timestamp"]
    got = ratings.sort_values(["userId", "movieId"])[columns].reset_index(drop=True)
    want = expected.sort_values(["userId", "movieId"])[columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want.astype({"rating": "float32"}))


async def test_the_worker_reads_the_url_it_is_given(storage: Storage) -> None:
    args = worker_parser().parse_args(
        ["--database", storage.location, "--models-dir", "m", "--holdout", "0.1"]
    )
    assert args.database == storage.location  # a Path would fold the URL's "//"

    ratings, _ = await asyncio.to_thread(read_training_data, args.database)

    pd.testing.assert_frame_equal(ratings, await storage.training_snapshot())


def test_placeholders_are_numbered_outside_strings_and_comments() -> None:
    sql = "UPDATE t SET a = ?, b = '?', c = \"?\" WHERE d = ? -- ?\n AND e = ?::json /* ? */"

    assert numbered(sql) == (
        "UPDATE t SET a = $1, b = '?', c = \"?\" WHERE d = $2 -- ?\n AND e = $3::json /* ? */"
    )
