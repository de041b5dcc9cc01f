"""A small synthetic MovieLens folder whose popularity order is known: movie 1, 2, 3, ..."""

from __future__ import annotations

from pathlib import Path

N_MOVIES = 60
GENRES = ["Comedy", "Drama", "Sci-Fi"]


def title(movie_id: int) -> str:
    return f"Movie {movie_id} ({1950 + movie_id})"


def write_catalogue(folder: Path) -> Path:
    """Movie i has N_MOVIES + 1 - i ratings, so popularity order is movie 1, 2, 3, ..."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["movieId,title,genres"]
    lines += [f"{i},{title(i)},{GENRES[i % 3]}" for i in range(1, N_MOVIES + 1)]
    lines.append(f"{N_MOVIES + 1},Unrated Film (2020),(no genres listed)")
    (folder / "movies.csv").write_text("\n".join(lines) + "\n")
    rows = ["userId,movieId,rating,timestamp"]
    for movie in range(1, N_MOVIES + 1):
        for user in range(1, N_MOVIES + 2 - movie):
            rows.append(f"{user},{movie},{0.5 * (1 + (user + movie) % 10)},{1_000_000 + user}")
    (folder / "ratings.csv").write_text("\n".join(rows) + "\n")
    return folder
