"""Everything the bot keeps, in a SQLite file (the default) or a PostgreSQL database shared by
several bot processes: the only package with SQL or a database driver.

store        Storage, the facade the bot uses: opens the database, one method per operation
url          DATABASE_URL (sqlite:///path, postgresql://...), parsed; the password kept out of
             messages
sql          the seam: the Connection protocol the repositories write their SQL against, the
             Writes they send writes to, the few dialect fragments that differ
backend      what Storage needs of a database; sqlite_backend and pg_backend implement it
connection   SQLite: connect() with the pragmas, the SqliteConnection adapter; the timeouts
postgres     PostgreSQL: the asyncpg adapter (placeholders numbered), the pooled PoolWrites
migrations   the runner of the numbered files in migrations/ (SQLite's), and the rules both
             runners share; pg_migrations runs migrations/postgresql/
writer       SQLite's group-commit Writer (the one connection that writes)
health       the write probe at start-up; the FileGuard that refuses writes to a lost file
in_use       the lock file that tells a restore the database is open (by a bot, a backup)
backup       consistent copies of the live database, keeping the newest N; restoring one
catalogue    movies: most rated, by id, title search, the whole catalogue
ratings      Telegram people's ratings; forgetting a person
marks        not seen / not interested / later (the watchlist)
people       what a person chose about the bot: the language it speaks to them
counts       the admin's people and ratings counts
runs         model runs
movielens    the all-or-nothing MovieLens import, and its download for the first start
snapshot     the training frames; read_training_data for the training process (pg_snapshot:
             from PostgreSQL, streamed)
cluster      what replicas on one database coordinate: the training lock, schedule slots
titles       normalised title text for search
records      the frozen records handed out; errors: the exceptions raised on purpose
"""

from bot.storage.errors import (
    AlreadyRated,
    BadBackup,
    DatabaseBusy,
    DatabaseInUse,
    DatabaseLost,
    InvalidRating,
    SchemaTooNew,
    StorageError,
    UnknownMovie,
    UnknownPerson,
)
from bot.storage.records import (
    MARK_KINDS,
    Counts,
    ImportResult,
    Mark,
    MarkKind,
    ModelRun,
    Movie,
    UserRating,
)
from bot.storage.snapshot import read_training_data
from bot.storage.store import Storage
from bot.storage.url import BadDatabaseUrl, DatabaseUrl, parse_database_url

__all__ = [
    "MARK_KINDS",
    "AlreadyRated",
    "BadBackup",
    "BadDatabaseUrl",
    "Counts",
    "DatabaseBusy",
    "DatabaseInUse",
    "DatabaseLost",
    "DatabaseUrl",
    "ImportResult",
    "InvalidRating",
    "Mark",
    "MarkKind",
    "ModelRun",
    "Movie",
    "SchemaTooNew",
    "Storage",
    "StorageError",
    "UnknownMovie",
    "UnknownPerson",
    "UserRating",
    "parse_database_url",
    "read_training_data",
]
