"""A small synthetic MovieLens folder with titles chosen for search (accents, articles, ...)."""

from __future__ import annotations

from pathlib import Path

# Titles chosen for search: accents, trailing articles, a missing year, no genres.
SMALL_MOVIES = [
    (1, "Toy Story (1995)", "Adventure|Animation|Children"),
    (2, "Matrix, The (1999)", "Action|Sci-Fi|Thriller"),
    (3, "Matrix Reloaded, The (2003)", "Action|Sci-Fi"),
    (4, "Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)", "Comedy|Romance"),
    (5, "Animatrix, The (2003)", "Animation"),
    (6, "Untitled Film", "(no genres listed)"),
]
FILLER_MOVIES = 200  # movies 101..300, for tests that need many distinct movies

# (userId, movieId, rating): movies 2 and 3 tie on three ratings each, movie 1 has two.
SMALL_RATINGS = [
    (1, 2, 5.0),
    (2, 2, 4.0),
    (3, 2, 4.5),
    (1, 3, 3.0),
    (2, 3, 2.5),
    (3, 3, 3.5),
    (1, 1, 4.0),
    (2, 1, 3.0),
    (3, 4, 5.0),
]


def write_movielens(folder: Path, ratings: list[tuple[int, int, float]] = SMALL_RATINGS) -> Path:
    """A MovieLens-shaped folder (CRLF line ends and quoting, as GroupLens ships it)."""
    folder.mkdir(parents=True, exist_ok=True)
    movies = list(SMALL_MOVIES)
    movies += [
        (i, f"Filler {i} ({1900 + i % 120})", "Drama") for i in range(101, 101 + FILLER_MOVIES)
    ]
    lines = ["movieId,title,genres"]
    lines += [f'{m},"{title}",{genres}' for m, title, genres in movies]
    (folder / "movies.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode())
    rows = ["userId,movieId,rating,timestamp"]
    rows += [f"{u},{m},{r},{1_000_000_000 + i}" for i, (u, m, r) in enumerate(ratings)]
    (folder / "ratings.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode())
    return folder
