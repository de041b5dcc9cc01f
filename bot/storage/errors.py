"""The errors the storage raises on purpose, each one a caller can act on."""

from __future__ import annotations


class StorageError(Exception):
    """Base of every error the storage layer raises on purpose."""


class SchemaTooNew(StorageError):
    """The database was written by a newer version of the code than this one."""


class ConstraintViolated(StorageError):
    """A statement broke one of the schema's rules (a key, a CHECK, a foreign key), whichever
    the database: the drivers' own integrity errors are turned into this one."""


class InvalidRating(StorageError):
    """A rating outside 0.5-5.0 or not a whole number of half stars."""


class UnknownMovie(StorageError):
    """No movie with that id in the catalogue."""


class UnknownPerson(StorageError):
    """No person with that Telegram id has ever rated anything."""


class AlreadyRated(StorageError):
    """A mark ("not seen", "later", ...) for a movie the person has rated."""


class DatabaseBusy(StorageError):
    """Another connection held the write lock longer than the bot waits; nothing was saved.

    Transient: the same write may succeed a moment later.
    """


class DatabaseLost(StorageError):
    """The database file can no longer take the bot's writes; nothing was saved.

    The file was deleted or replaced under the running bot, made read-only, or the disk is
    full or failing. The storage refuses every write from then on (reads go on) until the bot
    is restarted with a writable file at its path.
    """


class DatabaseInUse(StorageError):
    """A restore was refused: a running bot (or a backup) has the database open."""


class BadBackup(StorageError):
    """A copy of the database that fails its checks: not SQLite, damaged, or not a schema
    this code knows."""
