"""The errors the storage raises on purpose, each one a caller can act on."""

from __future__ import annotations


class StorageError(Exception):
    """Base of every error the storage layer raises on purpose."""


class SchemaTooNew(StorageError):
    """The database was written by a newer version of the code than this one."""


class InvalidRating(StorageError):
    """A rating outside 0.5-5.0 or not a whole number of half stars."""


class UnknownMovie(StorageError):
    """No movie with that id in the catalogue."""


class UnknownPerson(StorageError):
    """No person with that Telegram id has ever rated anything."""


class AlreadyRated(StorageError):
    """A mark ("not seen", "later", ...) for a movie the person has rated."""
