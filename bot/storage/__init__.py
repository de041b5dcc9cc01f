"""Everything the bot keeps, in one SQLite file: the only package with SQL or a database driver.

store        Storage, the facade the bot uses: opens the connections, one method per operation
connection   connect() with the pragmas; BUSY_TIMEOUT_MS, WRITE_BUSY_TIMEOUT_MS
migrations   the runner of the numbered files in migrations/
writer       the group-commit Writer (the one connection that writes)
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
snapshot     the training frames; read_training_data for the training process
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

__all__ = [
    "MARK_KINDS",
    "AlreadyRated",
    "BadBackup",
    "Counts",
    "DatabaseBusy",
    "DatabaseInUse",
    "DatabaseLost",
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
    "read_training_data",
]
