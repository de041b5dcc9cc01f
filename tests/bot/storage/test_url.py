"""DATABASE_URL parsing: the two kinds of database, clear refusals, and no password shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.storage.url import (
    BadDatabaseUrl,
    DatabaseUrl,
    is_url,
    parse_database_url,
    redact,
    with_password,
    without_password,
)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("sqlite:///data/moviebot.db", Path("data/moviebot.db")),
        ("sqlite:////var/lib/moviebot/bot.db", Path("/var/lib/moviebot/bot.db")),
    ],
)
def test_a_sqlite_url_names_a_relative_or_absolute_file(text: str, path: Path) -> None:
    url = parse_database_url(text)

    assert (url.dialect, url.path, str(url)) == ("sqlite", path, text)


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://moviebot@db.internal:5432/moviebot",
        "postgres://moviebot@localhost/moviebot",
        "postgresql://bot@/moviebot?host=/run/postgresql",
    ],
)
def test_a_postgresql_url_is_passed_on_as_given(text: str) -> None:
    url = parse_database_url(text)

    assert (url.dialect, url.path, url.dsn, str(url)) == ("postgresql", None, text, text)


def test_the_password_is_in_the_dsn_only() -> None:
    url = parse_database_url("postgresql://bot:s3cret@db:5432/moviebot")

    assert url.dsn == "postgresql://bot:s3cret@db:5432/moviebot"
    assert str(url) == url.redacted == "postgresql://bot:***@db:5432/moviebot"
    assert "s3cret" not in repr(url) and "s3cret" not in f"{url}"
    assert without_password(url) == "postgresql://bot@db:5432/moviebot"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("mysql://bot:s3cret@db/moviebot", "must start with sqlite:/// .* or postgresql://"),
        ("sqlite://data/moviebot.db", "sqlite:/// followed by the file's path"),
        ("sqlite:///", "names no database file"),
        ("sqlite:///:memory:", "names no database file"),
        ("postgresql://bot:s3cret@db:port/moviebot", "not a valid PostgreSQL URL"),
        ("postgresql://bot:s3cret@db:5432", "names no database"),
        ("postgresql://bot:s3cret@db:5432/", "names no database"),
        ("postgresql:///moviebot", "names no host"),
    ],
)
def test_a_bad_url_is_refused_in_one_line_without_the_password(text: str, says: str) -> None:
    with pytest.raises(BadDatabaseUrl, match=says) as refused:
        parse_database_url(text)

    assert "s3cret" not in str(refused.value) and "\n" not in str(refused.value)


def test_redact_hides_any_password() -> None:
    assert redact("postgresql://a:b@h/d") == "postgresql://a:***@h/d"
    assert redact("postgresql://a@h/d") == "postgresql://a@h/d"
    assert redact("data/moviebot.db") == "data/moviebot.db"


def test_urls_are_told_from_paths() -> None:
    assert is_url("sqlite:///x.db") and is_url("postgresql://h/d")
    assert not is_url("data/moviebot.db") and not is_url("/srv/sqlite:/x.db")


def test_the_training_process_gets_the_password_from_database_url() -> None:
    env = {"DATABASE_URL": "postgresql://bot:s3cret@db:5432/moviebot"}

    assert with_password("postgresql://bot@db:5432/moviebot", env).dsn == env["DATABASE_URL"]
    other = with_password("postgresql://bot@db:5432/elsewhere", env)
    assert other.dsn == "postgresql://bot@db:5432/elsewhere"  # not that database's password
    assert with_password("postgresql://bot@db:5432/moviebot", {}).dsn.count("s3cret") == 0


def test_a_sqlite_url_of_a_path() -> None:
    assert DatabaseUrl.sqlite("/srv/bot.db") == parse_database_url("sqlite:////srv/bot.db")
