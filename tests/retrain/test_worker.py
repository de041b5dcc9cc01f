"""The training process on its own: being killed past the timeout, and its snapshot files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from bot.storage import Storage
from bot.train_worker import read_snapshot, write_snapshot
from bot.worker_process import WorkerFailed, run_worker
from recsys import artifacts
from tests.retrain.conftest import FAST


async def snapshot_args(storage: Storage, folder: Path, models: Path) -> list[str]:
    files = write_snapshot(folder, await storage.training_snapshot(), await storage.all_movies())
    return [
        "--ratings", str(files["ratings"]),
        "--movies", str(files["movies"]),
        "--models-dir", str(models),
        "--config", json.dumps(FAST),
    ]  # fmt: skip


async def test_worker_past_the_timeout_is_killed(
    storage: Storage, workdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOVIEBOT_TEST_TRAIN_FAULT", "hang")
    args = await snapshot_args(storage, tmp_path, workdir / "models")

    async def ignore(event: dict) -> None:
        return None

    with pytest.raises(WorkerFailed, match=r"timed out after 2 s.*killed"):
        await run_worker(args, ignore, timeout_s=2)
    assert artifacts.list_versions(workdir / "models") == [
        artifacts.current_path(workdir / "models")
    ]


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
