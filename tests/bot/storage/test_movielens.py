"""The real ml-latest-small: imported once, counted, ranked like pandas ranks ratings.csv."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pandas as pd
import pytest

from bot.storage import ImportResult, Storage

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory, real_movielens_dir: Path) -> Path:
    """A database with ml-latest-small imported (once for the module; tests only read it)."""
    path = tmp_path_factory.mktemp("real") / "bot.db"

    async def run() -> None:
        async with await Storage.open(path) as store:
            await store.import_movielens(real_movielens_dir)

    asyncio.run(run())
    return path


@pytest.fixture(scope="module")
def ratings_csv(real_movielens_dir: Path) -> pd.DataFrame:
    return pd.read_csv(real_movielens_dir / "ratings.csv")


async def test_counts_match_the_files(imported: Path) -> None:
    async with await Storage.open(imported) as store:
        counts = await store.counts()
        movies = await store.all_movies()

    assert (counts.ratings, counts.people, counts.telegram_people) == (100_836, 610, 0)
    assert len(movies) == 9_742


async def test_a_second_import_is_a_no_op(imported: Path, real_movielens_dir: Path) -> None:
    async with await Storage.open(imported) as store:
        result = await store.import_movielens(real_movielens_dir)
        counts = await store.counts()

    assert result == ImportResult(imported=False, movies=9_742, ratings=100_836)
    assert counts.ratings == 100_836


async def test_popular_top_50_matches_pandas(imported: Path, ratings_csv: pd.DataFrame) -> None:
    stats = ratings_csv.groupby("movieId")["rating"].agg(["count", "mean"]).reset_index()
    # Same tie-break as the storage: more ratings first, then the lower movieId.
    expected = stats.sort_values(["count", "movieId"], ascending=[False, True]).head(50)

    async with await Storage.open(imported) as store:
        popular = await store.popular_movies(50)

    assert [(m.movie_id, m.n_ratings) for m in popular] == list(
        zip(expected["movieId"], expected["count"], strict=True)
    )
    assert [m.mean_rating for m in popular] == pytest.approx(expected["mean"].tolist())


async def test_the_snapshot_is_ratings_csv(imported: Path, ratings_csv: pd.DataFrame) -> None:
    async with await Storage.open(imported) as store:
        snapshot = await store.training_snapshot()

    # userId becomes an internal person id: compare with the ids mapped away.
    columns = ["movieId", "rating", "timestamp"]
    mine = snapshot[columns].sort_values(columns).reset_index(drop=True)
    theirs = ratings_csv[columns].astype(mine.dtypes.to_dict()).sort_values(columns)
    pd.testing.assert_frame_equal(mine, theirs.reset_index(drop=True))
    per_user = sorted(snapshot.groupby("userId").size().tolist())
    assert per_user == sorted(ratings_csv.groupby("userId").size().tolist())


@pytest.mark.parametrize(
    ("query", "movie_id"),
    [("amelie", 4973), ("the matrix", 2571), ("matrix", 2571), ("toy story", 1)],
)
async def test_search_finds_the_famous_titles_first(
    imported: Path, query: str, movie_id: int
) -> None:
    async with await Storage.open(imported) as store:
        found = await store.search_movies(query)

    assert found[0].movie_id == movie_id
