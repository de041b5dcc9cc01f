"""DATABASE_URL: which database the bot keeps its data in, and how to name it in messages.

``sqlite:///data/moviebot.db`` (a relative path), ``sqlite:////var/lib/moviebot.db`` (an
absolute one) or ``postgresql://user:password@host:5432/moviebot`` (``postgres://`` too).
The URL's password is a secret: `DatabaseUrl` keeps it only in ``dsn`` (excluded from its
repr) and every message names the database by ``redacted``, with the password as ``***``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import SplitResult, urlsplit, urlunsplit

from bot.storage.errors import StorageError
from bot.storage.sql import DialectName

SQLITE_SCHEME = "sqlite"
POSTGRES_SCHEMES = ("postgresql", "postgres")
ENV = "DATABASE_URL"


class BadDatabaseUrl(StorageError):
    """A DATABASE_URL this code cannot use; the message never repeats a password."""


@dataclass(frozen=True)
class DatabaseUrl:
    """A parsed DATABASE_URL: `str()` and `repr()` never show the password."""

    dialect: DialectName
    dsn: str = field(repr=False)
    """The URL as given, password included: only for the driver."""
    redacted: str
    """The URL with its password replaced by ``***``: for logs and messages."""
    path: Path | None = None
    """The SQLite file (None for PostgreSQL)."""

    def __str__(self) -> str:
        return self.redacted

    @classmethod
    def sqlite(cls, path: str | Path) -> DatabaseUrl:
        """The URL of a SQLite file (``sqlite:///`` plus the path as given)."""
        text = f"sqlite:///{path}"
        return cls("sqlite", text, text, Path(path))


def parse_database_url(text: str) -> DatabaseUrl:
    """Parse a DATABASE_URL; BadDatabaseUrl (one line, no password) when it is not usable."""
    scheme = text.partition(":")[0].lower()
    if scheme == SQLITE_SCHEME:
        return _sqlite(text)
    if scheme in POSTGRES_SCHEMES:
        return _postgres(text)
    raise BadDatabaseUrl(
        "DATABASE_URL must start with sqlite:/// (sqlite:///data/moviebot.db, or"
        " sqlite:////an/absolute/path.db) or postgresql:// (postgresql://user@host:5432/db),"
        f" not {scheme + ':' if scheme != text else 'that'}"
    )


def is_url(text: str) -> bool:
    """Whether ``text`` is a database URL rather than a plain file path."""
    scheme = text.partition("://")[0].lower()
    return "://" in text and (scheme == SQLITE_SCHEME or scheme in POSTGRES_SCHEMES)


def redact(text: str) -> str:
    """``text`` with the password of the URL in it replaced by ``***`` (for any message)."""
    try:
        parts = urlsplit(text)
        password = parts.password
    except ValueError:
        return "the database URL"
    if not password:
        return text
    return urlunsplit(parts._replace(netloc=_netloc(parts, "***")))


def without_password(url: DatabaseUrl) -> str:
    """The URL minus its password: what another process may be told (the password comes
    from its environment, see `with_password`)."""
    if url.dialect == "sqlite":
        return url.dsn
    parts = urlsplit(url.dsn)
    return urlunsplit(parts._replace(netloc=_netloc(parts, None)))


def with_password(text: str, env: Mapping[str, str] | None = None) -> DatabaseUrl:
    """Parse a URL without a password given to a process of its own (the training process),
    taking the password from DATABASE_URL in ``env`` (default: the environment) when that
    names the same database; else asyncpg looks in PGPASSWORD and ~/.pgpass as libpq does."""
    url = parse_database_url(text)
    env = os.environ if env is None else env
    configured = env.get(ENV, "").strip()
    if url.dialect != "postgresql" or not configured or not is_url(configured):
        return url
    try:
        full = parse_database_url(configured)
    except BadDatabaseUrl:
        return url
    return full if without_password(full) == without_password(url) else url


def _netloc(parts: SplitResult, password: str | None) -> str:
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    if not user and password is None:
        return host
    return f"{user}{'' if password is None else ':' + password}@{host}"


def _sqlite(text: str) -> DatabaseUrl:
    rest = text[len(SQLITE_SCHEME) :]
    if not rest.startswith(":///"):
        raise BadDatabaseUrl(
            "a SQLite DATABASE_URL is sqlite:/// followed by the file's path:"
            " sqlite:///data/moviebot.db (relative) or sqlite:////var/lib/moviebot.db"
            " (absolute)"
        )
    path = rest[len(":///") :]
    if not path or path == ":memory:" or "?" in path or path.endswith("/"):
        raise BadDatabaseUrl(
            f"DATABASE_URL {text!r} names no database file (the bot needs a file: its reader"
            " and writer share it)"
        )
    return DatabaseUrl("sqlite", text, text, Path(path))


def _postgres(text: str) -> DatabaseUrl:
    shown = redact(text)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise BadDatabaseUrl(f"DATABASE_URL is not a valid PostgreSQL URL ({error})") from None
    database = parts.path.lstrip("/")
    if not parts.hostname and "host=" not in parts.query:
        raise BadDatabaseUrl(f"DATABASE_URL {shown} names no host (postgresql://user@host/db)")
    if not database or "/" in database:
        raise BadDatabaseUrl(
            f"DATABASE_URL {shown} names no database: postgresql://user@host:{port or 5432}/db"
        )
    return DatabaseUrl("postgresql", text, shown)
