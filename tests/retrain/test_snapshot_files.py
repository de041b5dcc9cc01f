"""The snapshot files the bot hands to the training process."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bot.snapshot_files import read_snapshot, write_snapshot


def test_snapshot_files_round_trip_ratings_and_movies(tmp_path: Path) -> None:
    ratings = pd.DataFrame(
        {"userId": [1, 2], "movieId": [10, 20], "rating": [4.5, 0.5], "timestamp": [5, 6]}
    )
    movies = pd.DataFrame(
        {
            "movieId": [10, 20],
            "title": ["Heat (1995)", "No Year"],
            "year": pd.array([1995, None], dtype="Int64"),
            "genres": [["Action", "Crime"], []],
        }
    )
    files = write_snapshot(tmp_path, ratings, movies)
    got_ratings, got_movies = read_snapshot(files["ratings"], files["movies"])
    pd.testing.assert_frame_equal(got_ratings, ratings.astype({"rating": "float32"}))
    assert got_movies["genres"].tolist() == [["Action", "Crime"], []]
    assert got_movies["year"].tolist() == [1995, pd.NA]
