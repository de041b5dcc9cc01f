"""Backups and restores of a real SQLite file: a backup taken while another process commits
ratings holds every rating committed before it began; a restore refuses while the database is
open, refuses a damaged or too-new backup, and never deletes the database it replaces; scheduled
backups keep the newest N.

SQLite only: these are copies of the database file (on PostgreSQL Storage.backup_into refuses,
naming pg_dump: see test_pg_storage)."""

from __future__ import annotations

import contextlib
import sqlite3
import stat
from pathlib import Path

import pytest

from bot.storage import BadBackup, DatabaseInUse, Storage, StorageError
from bot.storage.backup import backup, backup_into, known_version, restore
from bot.storage.in_use import UseLock, lock_path
from tests.bot.storage.child import planned_rating
from tests.bot.storage.test_crash import kill_when, start_child

LATEST = known_version()
NOW = 1_750_000_000.0  # 2025-06-15 15:06:40 UTC
ACKNOWLEDGED = 200
"""Ratings the writer process has committed (and said so) before the backup starts."""


def bot_ratings(database: Path) -> dict[tuple[int, int], float]:
    """(Telegram id, movie) -> rating of every Telegram person in the file, read directly."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        rows = db.execute(
            "SELECT p.telegram_id, r.movie_id, r.rating FROM ratings r JOIN people p"
            " USING (person_id) WHERE p.telegram_id IS NOT NULL"
        ).fetchall()
    return {(telegram_id, movie_id): rating for telegram_id, movie_id, rating in rows}


@pytest.fixture
async def database(tmp_path: Path, small_movielens: Path) -> Path:
    """A closed database: the small catalogue and one person's rating of movie 2 (4.5)."""
    path = tmp_path / "data" / "bot.db"
    async with await Storage.open(path) as store:
        await store.import_movielens(small_movielens)
        await store.record_rating(1, 2, 4.5)
    return path


def set_schema_version(path: Path, version: int) -> None:
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute(f"PRAGMA user_version = {version}")
        db.commit()


# --- backup ------------------------------------------------------------------------------------


async def test_a_backup_under_write_load_holds_every_rating_committed_before_it(
    database: Path, tmp_path: Path
) -> None:
    async with await Storage.open(database) as store:
        movies = sorted((await store.all_movies())["movieId"].tolist())
    writer = start_child("ratings", database)
    assert writer.stdout is not None
    acknowledged = [int(writer.stdout.readline()) for _ in range(ACKNOWLEDGED)]

    report = backup(database, tmp_path / "copy.db", latest=LATEST)
    printed = kill_when(writer, lambda line: int(line) >= ACKNOWLEDGED + 100)  # it went on

    copied = bot_ratings(report.path)
    missing = [
        k
        for k in acknowledged
        if copied.get(planned_rating(k, movies)[:2]) != planned_rating(k, movies)[2]
    ]
    assert int(printed[-1]) >= ACKNOWLEDGED + 100
    assert missing == []


async def test_a_backup_is_one_checked_file_and_says_what_it_holds(
    database: Path, tmp_path: Path
) -> None:
    target = tmp_path / "backups" / "bot-copy.db"

    report = backup(database, target, latest=LATEST)

    with contextlib.closing(sqlite3.connect(f"file:{target}?mode=ro", uri=True)) as db:
        (mode,) = db.execute("PRAGMA journal_mode").fetchone()
        (ratings,) = db.execute("SELECT count(*) FROM ratings").fetchone()
    assert (report.path, report.size_bytes) == (target, target.stat().st_size)
    assert (report.ratings, report.schema_version) == (ratings, LATEST) == (10, LATEST)
    assert mode == "delete"  # no -wal or -shm belongs to it: the one file is the backup
    assert sorted(p.name for p in target.parent.iterdir()) == ["bot-copy.db"]


async def test_a_backup_through_the_open_storage_holds_what_was_committed_before_it(
    database: Path, tmp_path: Path
) -> None:
    async with await Storage.open(database) as store:
        await store.record_rating(2, 3, 2.0)
        report = await store.backup_into(tmp_path / "backups", keep=3)
        await store.record_rating(3, 3, 1.0)  # the copy's read is over: writes go on

    assert bot_ratings(report.path) == {(1, 2): 4.5, (2, 3): 2.0}


def test_backing_up_a_missing_database_is_refused_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no database at"):
        backup(tmp_path / "missing.db", tmp_path / "out" / "copy.db", latest=LATEST)

    assert list(tmp_path.iterdir()) == []


async def test_a_database_from_newer_code_is_not_backed_up_as_if_known(
    database: Path, tmp_path: Path
) -> None:
    set_schema_version(database, LATEST + 1)

    with pytest.raises(BadBackup, match=f"schema version {LATEST + 1} but this code"):
        backup(database, tmp_path / "out" / "copy.db", latest=LATEST)

    assert list((tmp_path / "out").iterdir()) == []  # not even a partial file


def test_the_newest_backups_are_kept_and_other_files_left_alone(
    database: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    unrelated = ["notes.txt", "other-20200101T000000Z.db"]
    for name in unrelated:
        (folder / name).write_text("not ours")

    for hour in range(5):
        backup_into(database, folder, keep=3, latest=LATEST, now=NOW + hour * 3600)

    assert sorted(p.name for p in folder.iterdir()) == [
        "bot-20250615T170640Z.db",
        "bot-20250615T180640Z.db",
        "bot-20250615T190640Z.db",
        *unrelated,
    ]


# --- restore -----------------------------------------------------------------------------------


async def test_a_restore_puts_the_backup_back_and_moves_the_database_aside(
    database: Path, tmp_path: Path
) -> None:
    copy = backup(database, tmp_path / "copy.db", latest=LATEST).path
    async with await Storage.open(database) as store:
        await store.record_rating(9, 3, 3.0)  # after the backup: not in it

    report = restore(copy, database, latest=LATEST, now=NOW)

    aside = database.with_name("bot.db.before-restore-20250615T150640Z")
    assert report.previous == aside
    assert bot_ratings(database) == {(1, 2): 4.5}
    assert bot_ratings(aside) == {(1, 2): 4.5, (9, 3): 3.0}  # kept, never deleted
    async with await Storage.open(database) as store:  # the bot starts on it and writes
        await store.record_rating(9, 3, 5.0)
        assert [(r.movie_id, r.rating) for r in await store.ratings_of(9)] == [(3, 5.0)]


def test_the_restored_file_keeps_the_databases_permissions(database: Path, tmp_path: Path) -> None:
    copy = backup(database, tmp_path / "copy.db", latest=LATEST).path
    copy.chmod(0o644)
    database.chmod(0o600)  # personal data: only the bot's user reads it

    restore(copy, database, latest=LATEST, now=NOW)

    assert stat.S_IMODE(database.stat().st_mode) == 0o600


async def test_a_restore_is_refused_while_the_database_is_open(
    database: Path, tmp_path: Path
) -> None:
    copy = backup(database, tmp_path / "copy.db", latest=LATEST).path
    async with await Storage.open(database) as store:
        inode = database.stat().st_ino

        with pytest.raises(DatabaseInUse) as refused:
            restore(copy, database, latest=LATEST, now=NOW)

        await store.record_rating(5, 3, 4.0)  # the running bot is unaffected
    message = str(refused.value)
    assert str(lock_path(database)) in message and "stop the bot first" in message
    assert "\n" not in message
    assert database.stat().st_ino == inode
    assert list(database.parent.glob("*before-restore*")) == []


async def test_the_bot_cannot_open_the_database_while_a_restore_replaces_it(
    database: Path,
) -> None:
    with UseLock.exclusive(database), pytest.raises(StorageError, match="is being restored"):
        await Storage.open(database)


async def test_a_killed_bots_last_commits_go_aside_with_its_database(
    database: Path, tmp_path: Path
) -> None:
    copy = backup(database, tmp_path / "copy.db", latest=LATEST).path
    async with await Storage.open(database) as store:
        movies = sorted((await store.all_movies())["movieId"].tolist())
    printed = kill_when(start_child("ratings", database), lambda line: int(line) >= 50)
    assert Path(f"{database}-wal").stat().st_size > 0  # its commits are still in the -wal

    aside = restore(copy, database, latest=LATEST, now=NOW).previous

    assert aside is not None and Path(f"{aside}-wal").exists()
    assert not Path(f"{database}-wal").exists()  # never replayed into the restored file
    kept = bot_ratings(aside)
    plans = [planned_rating(int(k), movies) for k in printed]
    assert [plan for plan in plans if kept.get(plan[:2]) != plan[2]] == []
    assert bot_ratings(database) == {(1, 2): 4.5}


@pytest.mark.parametrize(
    "damage",
    ["not sqlite", "torn", "too new", "empty"],
)
async def test_a_bad_backup_is_refused_and_the_database_left_as_it_was(
    database: Path, tmp_path: Path, damage: str
) -> None:
    bad = backup(database, tmp_path / "bad.db", latest=LATEST).path
    if damage == "not sqlite":
        bad.write_bytes(b"these are not the pages you are looking for" * 100)
    elif damage == "torn":
        with bad.open("r+b") as file:
            file.truncate(bad.stat().st_size // 2)
    elif damage == "too new":
        set_schema_version(bad, LATEST + 1)
    else:
        bad.unlink()
        sqlite3.connect(bad).close()  # an SQLite file with no schema
    before = database.read_bytes()

    with pytest.raises(StorageError) as refused:
        restore(bad, database, latest=LATEST, now=NOW)

    assert "\n" not in str(refused.value)
    assert database.read_bytes() == before
    assert sorted(p.name for p in database.parent.iterdir()) == ["bot.db", "bot.db.lock"]
