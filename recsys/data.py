"""Loading a MovieLens folder (ratings.csv, movies.csv) into checked DataFrames."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

_YEAR = re.compile(r"\((\d{4})\)\s*$")
NO_GENRES = "(no genres listed)"
RATINGS_COLUMNS = ("userId", "movieId", "rating", "timestamp")
MOVIES_COLUMNS = ("movieId", "title", "genres")


class DataError(ValueError):
    """A MovieLens file is missing or malformed; the message names the file."""


@dataclass(frozen=True)
class MovieLens:
    """ratings: userId, movieId (int64), rating (float32, 0.5-5), timestamp (int64).
    movies: movieId (int64), title (str), year (nullable Int64), genres (list[str])."""

    ratings: pd.DataFrame
    movies: pd.DataFrame


def load_movielens(folder: str | Path) -> MovieLens:
    """Reads and validates `folder`/ratings.csv and `folder`/movies.csv."""
    folder = Path(folder)
    return MovieLens(
        ratings=load_ratings(folder / "ratings.csv"), movies=load_movies(folder / "movies.csv")
    )


def load_ratings(path: Path) -> pd.DataFrame:
    """ratings.csv as typed columns; DataError on missing columns, bad numbers or ratings."""
    frame = _read_csv(path, RATINGS_COLUMNS)
    try:
        ratings = pd.DataFrame(
            {
                "userId": pd.to_numeric(frame["userId"], errors="raise").astype("int64"),
                "movieId": pd.to_numeric(frame["movieId"], errors="raise").astype("int64"),
                "rating": pd.to_numeric(frame["rating"], errors="raise").astype("float32"),
                "timestamp": pd.to_numeric(frame["timestamp"], errors="raise").astype("int64"),
            }
        )
    except (ValueError, TypeError) as exc:
        raise DataError(f"{path}: malformed value ({exc})") from None
    bad = ~ratings["rating"].between(0.5, 5.0)
    if bad.any():
        row = int(bad.to_numpy().argmax())
        raise DataError(
            f"{path}: rating {ratings['rating'].iloc[row]} on line {row + 2} is outside 0.5-5.0"
        )
    return ratings


def load_movies(path: Path) -> pd.DataFrame:
    """movies.csv with the year parsed from the title and genres split on '|'."""
    frame = _read_csv(path, MOVIES_COLUMNS)
    try:
        movie_ids = pd.to_numeric(frame["movieId"], errors="raise").astype("int64")
    except (ValueError, TypeError) as exc:
        raise DataError(f"{path}: malformed movieId ({exc})") from None
    titles = frame["title"].fillna("").astype(str).str.strip()
    years = titles.str.extract(_YEAR, expand=False)
    genres = frame["genres"].fillna("").astype(str).map(_split_genres)
    return pd.DataFrame(
        {
            "movieId": movie_ids,
            "title": titles,
            "year": pd.to_numeric(years).astype("Int64"),
            "genres": genres,
        }
    )


def _split_genres(value: str) -> list[str]:
    value = value.strip()
    if not value or value == NO_GENRES:
        return []
    return [g for g in value.split("|") if g]


def _read_csv(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{path}: not a readable CSV ({str(exc).splitlines()[0]})") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame
