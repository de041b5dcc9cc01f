"""The seam between the repositories and the database drivers: what a connection can do.

The repositories (ratings, marks, catalogue, ...) write their SQL once, with ``?``
placeholders, against the small `Connection` protocol below; bot.storage.connection adapts
aiosqlite to it and bot.storage.postgres asyncpg (translating the placeholders to ``$1``,
``$2``, ... once per statement). Where the two dialects really differ, the repository asks
its connection's `Dialect` for the fragment, so a repository never names a driver. Writes go
through a `Writes` (the SQLite group-commit Writer, or PostgreSQL's pooled transactions):
an operation is handed a connection inside a transaction that the `Writes` commits.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

T = TypeVar("T")

Row = tuple[Any, ...]
"""A row as the driver returns it, as a plain tuple: its columns have the schema's types."""

Clock = Callable[[], float]
"""Seconds since the Unix epoch, now (``time.time``; tests pass a fake)."""

Parameters = Sequence[object]
"""The values of a statement's ``?`` placeholders, in order."""

DialectName = Literal["sqlite", "postgresql"]


@dataclass(frozen=True)
class Dialect:
    """The SQL fragments that differ between SQLite and PostgreSQL (everything else is shared)."""

    name: DialectName
    ids_from_json: str
    """A subquery of the whole numbers in a JSON array given as one text parameter
    (``IN (...)`` over many ids without one placeholder per id)."""


SQLITE = Dialect("sqlite", ids_from_json="SELECT value FROM json_each(?)")
POSTGRESQL = Dialect(
    "postgresql", ids_from_json="SELECT value::bigint FROM json_array_elements_text(?::json)"
)


class Connection(Protocol):
    """One connection (or, for reads on PostgreSQL, a pool) that runs parameterised SQL."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(self, sql: str, parameters: Parameters = ()) -> int:
        """Run one statement; the number of rows it changed."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Parameters]) -> None:
        """Run one statement once per row of parameters."""
        ...

    async def fetch_all(self, sql: str, parameters: Parameters = ()) -> list[Row]:
        """Every row of a query (``RETURNING`` included)."""
        ...

    async def fetch_one(self, sql: str, parameters: Parameters = ()) -> Row:
        """The first row of a query that always returns one (an aggregate)."""
        ...

    async def copy_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Parameters]
    ) -> None:
        """Insert many rows into ``table`` the fastest way the driver knows (COPY on
        PostgreSQL, one prepared INSERT run many times on SQLite)."""
        ...


Operation = Callable[[Connection], Awaitable[T]]
"""A write: statements run on the connection inside a transaction the `Writes` manages."""


class Writes(Protocol):
    """Where the repositories send their writes: each operation in a committed transaction."""

    async def run(self, operation: Operation[T]) -> T:
        """Run ``operation(conn)`` in a write transaction; its result once committed. If it
        raises, its statements are undone and the exception is raised here."""
        ...

    def patience(self, busy_timeout_ms: int) -> contextlib.AbstractContextManager[None]:
        """Within the block, writes wait up to ``busy_timeout_ms`` for another connection's
        locks (long internal work, such as the MovieLens import at first start)."""
        ...
