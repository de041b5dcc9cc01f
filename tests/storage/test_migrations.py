"""The migration runner: from an empty file, twice, refusing a newer database, all or nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import db
from bot.storage import SchemaTooNew, Storage, StorageError

MIGRATIONS = db.migrations_dir()


def copy_migrations(target: Path) -> Path:
    shutil.copytree(MIGRATIONS, target)
    return target


async def test_empty_file_reaches_the_latest_version(tmp_path: Path) -> None:
    latest = db.load_migrations(MIGRATIONS)[-1].version

    conn = await db.connect(tmp_path / "new.db")
    try:
        assert await db.schema_version(conn) == 0
        assert await db.migrate(conn) == latest
    finally:
        await conn.close()


async def test_running_twice_changes_nothing(tmp_path: Path, small_movielens: Path) -> None:
    path = tmp_path / "bot.db"
    async with await Storage.open(path) as store:
        await store.import_movielens(small_movielens)
        await store.record_rating(7, 2, 4.5)

    async with await Storage.open(path) as store:
        conn = await db.connect(path)
        try:
            version = await db.schema_version(conn)
            assert await db.migrate(conn) == version
        finally:
            await conn.close()
        ratings = await store.ratings_of(7)

    assert [(r.movie_id, r.rating) for r in ratings] == [(2, 4.5)]


async def test_newer_database_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    newer = copy_migrations(tmp_path / "newer")
    next_version = len(list(newer.glob("*.sql"))) + 1
    (newer / f"{next_version:03d}_from_the_future.sql").write_text("CREATE TABLE later (x);\n")
    path = tmp_path / "bot.db"
    await (await Storage.open(path, migrations=newer)).close()

    with pytest.raises(SchemaTooNew, match=f"schema version {next_version}.*newer"):
        await Storage.open(path)


async def test_failed_migration_leaves_the_previous_version(tmp_path: Path) -> None:
    folder = copy_migrations(tmp_path / "broken")
    broken = folder / f"{len(list(folder.glob('*.sql'))) + 1:03d}_broken.sql"
    broken.write_text("CREATE TABLE half (x);\nCREATE TABLE nonsense (;\n")
    path = tmp_path / "bot.db"
    conn = await db.connect(path)
    try:
        with pytest.raises(StorageError, match=f"{broken.stem} failed.*syntax error"):
            await db.migrate(conn, folder)
        left_at = await db.schema_version(conn)

        # Had 'half' survived the failure, creating it again would fail here.
        broken.write_text("CREATE TABLE half (x);\n")
        fixed = await db.migrate(conn, folder)
    finally:
        await conn.close()

    assert (left_at, fixed) == (fixed - 1, fixed)


async def test_migrations_dir_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = copy_migrations(tmp_path / "installed")
    monkeypatch.setenv("MIGRATIONS_DIR", str(folder))

    assert db.migrations_dir() == folder


def test_a_gap_in_the_numbering_is_refused(tmp_path: Path) -> None:
    folder = copy_migrations(tmp_path / "gap")
    (folder / "009_skipped_ahead.sql").write_text("CREATE TABLE gap (x);\n")

    with pytest.raises(StorageError, match="without gaps"):
        db.load_migrations(folder)


def test_a_missing_folder_names_itself(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="MIGRATIONS_DIR"):
        db.load_migrations(tmp_path / "nowhere")


def test_statements_split_at_semicolons_outside_strings_comments_and_triggers() -> None:
    script = """
    -- a comment; with a semicolon
    CREATE TABLE t (x TEXT DEFAULT 'a;b');
    CREATE TRIGGER t_ai AFTER INSERT ON t BEGIN
        UPDATE t SET x = 'c;d' WHERE rowid = NEW.rowid;
        DELETE FROM t WHERE x = ';';
    END;
    -- trailing comment
    """

    statements = db.split_statements(script)

    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")


async def test_a_file_that_is_not_a_database_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are not the pages you are looking for\n" * 100)

    with pytest.raises(StorageError, match=r"notes\.db is not a usable SQLite database"):
        await Storage.open(path)
