"""The real ml-latest-small: imported once, counted, ranked like pandas ranks ratings.csv."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from bot.storage import ImportResult, Storage
from bot.storage import movielens as movielens_module
from tests.bot.storage.databases import BACKENDS, with_movielens
from tests.support.data import write_subset

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module", params=BACKENDS)
def imported(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    real_movielens_dir: Path,
) -> Iterator[str]:
    """The URL of a database with ml-latest-small imported, on each backend (once per module
    and backend; the tests only read it)."""
    folder = tmp_path_factory.mktemp("real")
    with with_movielens(request.param, folder, real_movielens_dir) as url:
        yield url


@pytest.fixture(scope="module")
def ratings_csv(real_movielens_dir: Path) -> pd.DataFrame:
    return pd.read_csv(real_movielens_dir / "ratings.csv")


async def test_counts_match_the_files(imported: str) -> None:
    async with await Storage.connect(imported) as store:
        counts = await store.counts()
        movies = await store.all_movies()

    assert (counts.ratings, counts.people, counts.telegram_people) == (100_836, 610, 0)
    assert len(movies) == 9_742


async def test_a_second_import_is_a_no_op(imported: str, real_movielens_dir: Path) -> None:
    async with await Storage.connect(imported) as store:
        result = await store.import_movielens(real_movielens_dir)
        counts = await store.counts()

    assert result == ImportResult(imported=False, movies=9_742, ratings=100_836)
    assert counts.ratings == 100_836


async def test_popular_top_50_matches_pandas(imported: str, ratings_csv: pd.DataFrame) -> None:
    stats = ratings_csv.groupby("movieId")["rating"].agg(["count", "mean"]).reset_index()
    # Same tie-break as the storage: more ratings first, then the lower movieId.
    expected = stats.sort_values(["count", "movieId"], ascending=[False, True]).head(50)

    async with await Storage.connect(imported) as store:
        popular = await store.popular_movies(50)

    assert [(m.movie_id, m.n_ratings) for m in popular] == list(
        zip(expected["movieId"], expected["count"], strict=True)
    )
    assert [m.mean_rating for m in popular] == pytest.approx(expected["mean"].tolist())


async def test_the_snapshot_is_ratings_csv(imported: str, ratings_csv: pd.DataFrame) -> None:
    async with await Storage.connect(imported) as store:
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
    imported: str, query: str, movie_id: int
) -> None:
    async with await Storage.connect(imported) as store:
        found = await store.search_movies(query)

    assert found[0].movie_id == movie_id


async def test_movies_carry_their_imdb_and_tmdb_ids_from_links_csv(imported: str) -> None:
    async with await Storage.connect(imported) as store:
        movies = await store.movies([1, 2571, 791])

    assert (movies[1].imdb_id, movies[1].tmdb_id) == (114709, 862)  # "0114709", "862"
    assert (movies[2571].imdb_id, movies[2571].tmdb_id) == (133093, 603)
    assert (movies[791].imdb_id, movies[791].tmdb_id) == (113610, None)  # no TMDb id


async def test_every_link_of_links_csv_is_imported(imported: str, real_movielens_dir: Path) -> None:
    links = pd.read_csv(real_movielens_dir / "links.csv")
    async with await Storage.connect(imported) as store:
        movies = await store.movies(links["movieId"].tolist())

    assert sum(m.imdb_id is not None for m in movies.values()) == links["imdbId"].notna().sum()
    assert sum(m.tmdb_id is not None for m in movies.values()) == links["tmdbId"].notna().sum()


@pytest.fixture
def without_links(real_movielens_dir: Path, tmp_path: Path) -> Path:
    """A small MovieLens folder with no links.csv, as the bot imported before issue 11."""
    folder = write_subset(real_movielens_dir, tmp_path / "no-links", n_movies=40, max_user=30)
    assert not (folder / "links.csv").exists()
    return folder


async def test_a_catalogue_imported_without_links_gets_them_at_the_next_start(
    tmp_path: Path, without_links: Path, real_movielens_dir: Path
) -> None:
    async with await Storage.open(tmp_path / "bot.db") as store:
        await store.import_movielens(without_links)
        assert (await store.movie(1)).imdb_id is None  # type: ignore[union-attr]
        lines: list[str] = []

        assert await store.ensure_movielens(real_movielens_dir, tmp_path, lines.append) is None
        toy_story = await store.movie(1)
        assert toy_story is not None and (toy_story.imdb_id, toy_story.tmdb_id) == (114709, 862)
        assert "links: IMDb and TMDb ids for 40 movies" in " ".join(lines)


async def test_links_come_from_the_cached_download_without_downloading(
    tmp_path: Path,
    without_links: Path,
    real_movielens_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_download(*args: object, **kwargs: object) -> Path:
        raise AssertionError("a database with a catalogue must not download anything")

    monkeypatch.setattr(movielens_module, "download", no_download)
    cached = movielens_module.cached_download(tmp_path / "data")
    cached.mkdir(parents=True)
    (cached / "links.csv").write_bytes((real_movielens_dir / "links.csv").read_bytes())
    async with await Storage.open(tmp_path / "bot.db") as store:
        await store.import_movielens(without_links)

        await store.ensure_movielens(None, tmp_path / "data")
        movie = await store.movie(1)

    assert movie is not None and movie.imdb_id == 114709


async def test_links_already_there_are_left_as_they_are(
    tmp_path: Path, without_links: Path
) -> None:
    first, other = pd.read_csv(without_links / "movies.csv")["movieId"].head(2)
    (without_links / "links.csv").write_text(f"movieId,imdbId,tmdbId\n{first},0114709,862\n")
    async with await Storage.open(tmp_path / "bot.db") as store:
        await store.import_movielens(without_links)
        changed = f"movieId,imdbId,tmdbId\n{first},0000001,1\n{other},2,2\n"
        (without_links / "links.csv").write_text(changed)

        await store.ensure_movielens(without_links, tmp_path)
        movies = await store.movies([first, other])

    assert (movies[first].imdb_id, movies[first].tmdb_id) == (114709, 862)
    assert movies[other].imdb_id is None


async def test_a_malformed_links_file_imports_the_catalogue_without_links(
    tmp_path: Path, without_links: Path
) -> None:
    (without_links / "links.csv").write_text("movieId,imdbId,tmdbId\n1,tt0114709,-3\nx,1,2\n")
    async with await Storage.open(tmp_path / "bot.db") as store:
        result = await store.import_movielens(without_links)
        movie = await store.movie(1)

    assert result.imported and movie is not None
    assert (movie.imdb_id, movie.tmdb_id) == (None, None)
