"""asyncpg behind bot.storage.sql: the repositories' SQL, unchanged, on a PostgreSQL pool.

The repositories write ``?`` placeholders (SQLite's); asyncpg wants ``$1``, ``$2``, ...
`numbered` translates a statement once (cached: the repositories use a few dozen texts) and
leaves ``?`` inside quotes and comments alone. Writes need no single writer here: PostgreSQL
runs concurrent transactions itself, so `PoolWrites` gives each operation a pooled connection
and a transaction of its own, waiting at most WRITE_BUSY_TIMEOUT_MS for another transaction's
row locks (``lock_timeout``) before the person hears "busy", and running an operation again
when PostgreSQL chose it as a deadlock's victim.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

import asyncpg
import numpy as np

from bot.storage.connection import WRITE_BUSY_TIMEOUT_MS
from bot.storage.errors import ConstraintViolated, DatabaseBusy, StorageError
from bot.storage.sql import POSTGRESQL, Dialect, Operation, Parameters, Row

T = TypeVar("T")

RETRIES = 3
"""How often an operation runs again after a deadlock or a serialization failure."""
_PIECES = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/|\?", re.DOTALL)
_RETRY_STATES = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure
_BUSY_STATES = frozenset({"55P03", "57014"})  # lock not available, statement cancelled
CLIENT_DATA_ERROR = asyncpg.exceptions._base.DataError
"""What asyncpg raises, before sending anything, for a parameter of the wrong type."""


@functools.lru_cache(maxsize=512)
def numbered(sql: str) -> str:
    """``?`` placeholders as ``$1``, ``$2``, ... (not those inside strings or comments)."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        if match.group() != "?":
            return match.group()
        count += 1
        return f"${count}"

    return _PIECES.sub(replace, sql)


def plain(value: object) -> object:
    """A parameter as asyncpg encodes it: numpy scalars become Python numbers."""
    return value.item() if isinstance(value, np.generic) else value


def _values(parameters: Parameters) -> list[object]:
    return [plain(value) for value in parameters]


def _changed(status: str) -> int:
    """The row count of a command status ("UPDATE 3", "INSERT 0 1"); 0 when it has none."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


@contextlib.contextmanager
def translated_errors() -> Iterator[None]:
    """Integrity errors as ConstraintViolated, whatever the driver calls them."""
    try:
        yield
    except asyncpg.IntegrityConstraintViolationError as error:
        raise ConstraintViolated(str(error)) from error


class PgConnection:
    """One asyncpg connection (or pool: both have execute, executemany, fetch) as a
    bot.storage.sql `Connection`."""

    def __init__(self, conn: asyncpg.Connection | asyncpg.Pool) -> None:
        self.raw = conn

    @property
    def dialect(self) -> Dialect:
        return POSTGRESQL

    async def execute(self, sql: str, parameters: Parameters = ()) -> int:
        with translated_errors():
            status = await self.raw.execute(numbered(sql), *_values(parameters))
        return _changed(str(status))

    async def executemany(self, sql: str, rows: Iterable[Parameters]) -> None:
        with translated_errors():
            await self.raw.executemany(numbered(sql), [_values(row) for row in rows])

    async def fetch_all(self, sql: str, parameters: Parameters = ()) -> list[Row]:
        with translated_errors():
            records = await self.raw.fetch(numbered(sql), *_values(parameters))
        return [tuple(record) for record in records]

    async def fetch_one(self, sql: str, parameters: Parameters = ()) -> Row:
        return (await self.fetch_all(sql, parameters))[0]

    async def copy_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Parameters]
    ) -> None:
        """COPY (binary): some ten times faster than INSERTs for the MovieLens import."""
        records = [tuple(_values(row)) for row in rows]
        with translated_errors():
            await self.raw.copy_records_to_table(table, records=records, columns=list(columns))


class PoolWrites:
    """Each write in a transaction of its own on a pooled connection (see the module)."""

    def __init__(self, pool: asyncpg.Pool, where: str) -> None:
        self._pool = pool
        self._where = where  # the URL without its password, for messages
        self._wait_ms = WRITE_BUSY_TIMEOUT_MS
        self._patient_ms: int | None = None

    async def run(self, operation: Operation[T]) -> T:
        for attempt in range(RETRIES + 1):
            try:
                return await self._once(operation)
            except asyncpg.PostgresError as error:
                state = str(getattr(error, "sqlstate", "") or "")
                if state in _RETRY_STATES and attempt < RETRIES:
                    continue
                if state.startswith("08"):  # connection exceptions: the server went away
                    raise self._unreachable(error) from error
                raise self._not_saved(error) from error
            except CLIENT_DATA_ERROR as error:  # a value asyncpg cannot send as that type
                raise StorageError(f"nothing was saved: {error}") from error
            except (OSError, TimeoutError, asyncpg.InterfaceError) as error:
                raise self._unreachable(error) from error
        raise AssertionError("unreachable")

    def _unreachable(self, error: BaseException) -> DatabaseBusy:
        """Transient, as a held lock is: the pool reconnects, and the next write may pass."""
        return DatabaseBusy(
            f"the database {self._where} could not be reached ({error}); nothing was saved"
        )

    async def _once(self, operation: Operation[T]) -> T:
        wait_ms = self._patient_ms or self._wait_ms
        conn: Any
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(f"SET LOCAL lock_timeout = {int(wait_ms)}")
            return await operation(PgConnection(conn))

    @contextlib.contextmanager
    def patience(self, busy_timeout_ms: int) -> Iterator[None]:
        previous, self._patient_ms = self._patient_ms, busy_timeout_ms
        try:
            yield
        finally:
            self._patient_ms = previous

    def _not_saved(self, error: asyncpg.PostgresError) -> StorageError:
        state = getattr(error, "sqlstate", None)
        if state in _BUSY_STATES:
            return DatabaseBusy(
                "another transaction holds the rows this write needs (waited"
                f" {(self._patient_ms or self._wait_ms) / 1000:g} s); nothing was saved"
            )
        return StorageError(f"the transaction failed and nothing in it was saved: {error}")
