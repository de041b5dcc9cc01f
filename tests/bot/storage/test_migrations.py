"""The migration runner: from an empty file, twice, refusing a newer database, all or nothing.

SQLite's runner (PRAGMA user_version, files at the top of migrations/); PostgreSQL's, on
migrations/postgresql/ and its schema_version table, is tested in test_pg_storage."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.storage import SchemaTooNew, Storage, StorageError
from bot.storage import migrations as migrations_module
from bot.storage.connection import connect
from bot.storage.migrations import load_migrations, migrate, schema_version, split_statements
from tests.support.data import REPO

MIGRATIONS = migrations_module.default_migrations_dir()


def copy_migrations(target: Path) -> Path:
    shutil.copytree(MIGRATIONS, target)
    return target


async def test_empty_file_reaches_the_latest_version(tmp_path: Path) -> None:
    latest = load_migrations(MIGRATIONS)[-1].version

    conn = await connect(tmp_path / "new.db")
    try:
        assert await schema_version(conn) == 0
        assert await migrate(conn) == latest
    finally:
        await conn.close()


async def test_running_twice_changes_nothing(tmp_path: Path, small_movielens: Path) -> None:
    path = tmp_path / "bot.db"
    async with await Storage.open(path) as store:
        await store.import_movielens(small_movielens)
        await store.record_rating(7, 2, 4.5)

    async with await Storage.open(path) as store:
        conn = await connect(path)
        try:
            version = await schema_version(conn)
            assert await migrate(conn) == version
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
    conn = await connect(path)
    try:
        with pytest.raises(StorageError, match=f"{broken.stem} failed.*syntax error"):
            await migrate(conn, folder)
        left_at = await schema_version(conn)

        # Had 'half' survived the failure, creating it again would fail here.
        broken.write_text("CREATE TABLE half (x);\n")
        fixed = await migrate(conn, folder)
    finally:
        await conn.close()

    assert (left_at, fixed) == (fixed - 1, fixed)


async def test_an_installed_migrations_folder_is_used_when_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A non-editable install passes its copied folder (the settings read MIGRATIONS_DIR)."""
    folder = copy_migrations(tmp_path / "installed")
    monkeypatch.setattr(migrations_module, "default_migrations_dir", lambda: tmp_path / "none")
    path = tmp_path / "bot.db"

    async with await Storage.open(path, migrations=folder):
        pass
    conn = await connect(path)
    try:
        version = await schema_version(conn)
    finally:
        await conn.close()

    assert version == load_migrations(folder)[-1].version


async def test_the_default_folder_is_the_checkout_s_whatever_the_environment_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MIGRATIONS_DIR belongs to the bot's settings, which pass it; storage never reads it."""
    monkeypatch.setenv("MIGRATIONS_DIR", str(tmp_path / "nowhere"))
    path = tmp_path / "bot.db"

    await (await Storage.open(path)).close()
    conn = await connect(path)
    try:
        version = await schema_version(conn)
    finally:
        await conn.close()

    assert MIGRATIONS == REPO / "migrations"
    assert version == load_migrations(REPO / "migrations")[-1].version


def test_a_gap_in_the_numbering_is_refused(tmp_path: Path) -> None:
    folder = copy_migrations(tmp_path / "gap")
    (folder / "009_skipped_ahead.sql").write_text("CREATE TABLE gap (x);\n")

    with pytest.raises(StorageError, match="without gaps"):
        load_migrations(folder)


def test_a_missing_folder_names_itself(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="MIGRATIONS_DIR"):
        load_migrations(tmp_path / "nowhere")


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

    statements = split_statements(script)

    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")


async def test_a_file_that_is_not_a_database_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are not the pages you are looking for\n" * 100)

    with pytest.raises(StorageError, match=r"notes\.db is not a usable SQLite database"):
        await Storage.open(path)
