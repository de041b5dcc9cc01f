"""What storage hands out: plain frozen records.

Kept apart from the SQL so that handlers and tests can name them without it. Times are
seconds since the Unix epoch (UTC) in the database and aware datetimes here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

MarkKind = Literal["not_seen", "not_interested", "later"]
MARK_KINDS: tuple[MarkKind, ...] = ("not_seen", "not_interested", "later")


@dataclass(frozen=True)
class Movie:
    movie_id: int
    title: str
    year: int | None
    genres: tuple[str, ...]
    n_ratings: int
    mean_rating: float | None
    imdb_id: int | None = None
    """IMDb's number for the movie (114709 for tt0114709); None when links.csv has none."""
    tmdb_id: int | None = None
    """TMDb's movie id; None when links.csv has none (some movies lack one)."""

    @property
    def imdb_url(self) -> str | None:
        """The movie's IMDb page (its number zero-padded to 7 digits after "tt"), or None."""
        return None if self.imdb_id is None else f"https://www.imdb.com/title/tt{self.imdb_id:07d}/"

    @property
    def tmdb_url(self) -> str | None:
        """The movie's TMDb page, or None."""
        return None if self.tmdb_id is None else f"https://www.themoviedb.org/movie/{self.tmdb_id}"


@dataclass(frozen=True)
class UserRating:
    movie_id: int
    rating: float
    rated_at: datetime


@dataclass(frozen=True)
class Mark:
    """What a person said about a movie besides rating it (see migrations/002_marks.sql)."""

    movie_id: int
    kind: MarkKind
    marked_at: datetime


@dataclass(frozen=True)
class ImportResult:
    imported: bool  # False when already imported (the counts are then the earlier import's)
    movies: int
    ratings: int


@dataclass(frozen=True)
class Counts:
    people: int
    telegram_people: int
    ratings: int
    bot_ratings: int  # ratings by Telegram people
    bot_ratings_today: int  # ... made or changed since 00:00 UTC
    active_people_7d: int  # Telegram people who rated something in the last 7 days
    ratings_since_last_run: int  # bot ratings made or changed since the last good run started


@dataclass(frozen=True)
class ModelRun:
    run_id: int
    trigger: str
    status: str  # 'running', 'succeeded', 'failed' or 'rejected' (trained, not served)
    started_at: datetime
    finished_at: datetime | None
    n_ratings: int | None
    n_users: int | None
    n_movies: int | None
    metrics: dict[str, float]
    artifact_path: str | None
    error: str | None


def from_epoch(seconds: float) -> datetime:
    """The aware UTC datetime of a database time (seconds since the epoch)."""
    return datetime.fromtimestamp(seconds, UTC)
