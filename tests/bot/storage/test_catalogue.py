"""Reading the catalogue: popular movies, search, lookups and the training snapshot."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bot.storage import Storage, StorageError
from tests.support.search_catalogue import FILLER_MOVIES, SMALL_MOVIES, SMALL_RATINGS


async def test_popular_movies_are_ordered_by_count_then_movie_id(storage: Storage) -> None:
    popular = await storage.popular_movies(10)

    # 2 and 3 tie on three ratings: the lower id first; unrated movies are not "popular".
    assert [(m.movie_id, m.n_ratings) for m in popular] == [(2, 3), (3, 3), (1, 2), (4, 1)]


async def test_popular_movies_follow_new_ratings(storage: Storage) -> None:
    for person in (1, 2, 3):
        await storage.record_rating(person, 4, 5.0)

    popular = await storage.popular_movies(1)

    assert [(m.movie_id, m.n_ratings, m.mean_rating) for m in popular] == [(4, 4, 5.0)]


async def test_popular_movies_of_a_genre_keep_to_that_genre(storage: Storage) -> None:
    sci_fi = await storage.popular_movies(10, "Sci-Fi")
    animation = await storage.popular_movies(10, "Animation")

    assert [m.movie_id for m in sci_fi] == [2, 3]  # both Matrix films, three ratings each
    assert [m.movie_id for m in animation] == [1]  # Toy Story; The Animatrix has no ratings


@pytest.mark.parametrize("genre", ["Fi", "sci-fi", "Action|Sci-Fi", "%", ""])
async def test_a_genre_matches_only_by_its_whole_name(storage: Storage, genre: str) -> None:
    assert await storage.popular_movies(10, genre) == []


async def test_a_movie_carries_its_catalogue_data(storage: Storage) -> None:
    movie = await storage.movie(2)

    assert movie is not None
    assert (movie.title, movie.year, movie.genres) == (
        "Matrix, The (1999)",
        1999,
        ("Action", "Sci-Fi", "Thriller"),
    )
    assert (movie.n_ratings, movie.mean_rating) == (3, 4.5)


async def test_a_movie_without_year_genres_or_ratings(storage: Storage) -> None:
    movie = await storage.movie(6)

    assert movie is not None
    assert (movie.year, movie.genres, movie.n_ratings, movie.mean_rating) == (None, (), 0, None)


async def test_unknown_movies_are_absent_from_lookups(storage: Storage) -> None:
    assert await storage.movie(999_999) is None
    assert sorted(await storage.movies([1, 999_999, 2, 2])) == [1, 2]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("amelie", 4),
        ("AMÉLIE", 4),
        ("Amélie Poulain", 4),
        ("matrix", 2),
        ("the matrix", 2),
        ("Matrix, The", 2),
        ("matrix reloaded", 3),
        ("toy story 1995", 1),
    ],
)
async def test_search_ignores_case_accents_and_moved_articles(
    storage: Storage, query: str, first: int
) -> None:
    found = await storage.search_movies(query)

    assert found and found[0].movie_id == first


async def test_search_ranks_exact_then_prefix_then_anywhere(storage: Storage) -> None:
    found = await storage.search_movies("matrix")

    # "Matrix, The" and "Matrix Reloaded, The" start with the words; "Animatrix" only holds them.
    assert [m.movie_id for m in found] == [2, 3, 5]


@pytest.mark.parametrize("query", ["", "   ", "!!!", "%", "_", "no such film"])
async def test_search_without_matches_is_empty(storage: Storage, query: str) -> None:
    assert await storage.search_movies(query) == []


async def test_search_honours_the_limit(storage: Storage) -> None:
    assert len(await storage.search_movies("filler", limit=5)) == 5


async def test_all_movies_are_in_the_recsys_format(storage: Storage) -> None:
    movies = await storage.all_movies()

    assert len(movies) == len(SMALL_MOVIES) + FILLER_MOVIES
    assert movies.dtypes.astype(str).to_dict() == {
        "movieId": "int64",
        "title": "object",
        "year": "Int64",
        "genres": "object",
    }
    untitled = movies.set_index("movieId").loc[6]
    assert (untitled["genres"], pd.isna(untitled["year"])) == ([], True)


async def test_the_snapshot_holds_movielens_and_telegram_people_apart(storage: Storage) -> None:
    await storage.record_rating(1, 2, 1.5)  # Telegram id 1, not MovieLens user 1

    snapshot = await storage.training_snapshot()

    assert snapshot.dtypes.astype(str).to_dict() == {
        "userId": "int64",
        "movieId": "int64",
        "rating": "float32",
        "timestamp": "int64",
    }
    assert len(snapshot) == len(SMALL_RATINGS) + 1
    assert snapshot["userId"].nunique() == 3 + 1
    mine = snapshot[snapshot["rating"] == 1.5]
    assert mine["movieId"].tolist() == [2]


async def test_a_second_import_imports_nothing(storage: Storage, small_movielens: Path) -> None:
    result = await storage.import_movielens(small_movielens)

    assert (result.imported, result.ratings) == (False, len(SMALL_RATINGS))
    assert (await storage.counts()).ratings == len(SMALL_RATINGS)


async def test_a_failing_import_leaves_nothing_and_can_be_rerun(
    database_url: str, small_movielens: Path
) -> None:
    def fail_after_movies(message: str) -> None:
        if message.startswith("people"):
            raise RuntimeError("interrupted")

    async with await Storage.connect(database_url) as store:
        with pytest.raises(RuntimeError, match="interrupted"):
            await store.import_movielens(small_movielens, progress=fail_after_movies)
        left = (await store.counts(), await store.all_movies())

        result = await store.import_movielens(small_movielens)

    assert (left[0].people, left[0].ratings, len(left[1])) == (0, 0, 0)
    assert (result.imported, result.ratings) == (True, len(SMALL_RATINGS))


async def test_an_import_of_bad_ratings_is_refused_whole(
    database_url: str, small_movielens: Path
) -> None:
    lines = (small_movielens / "ratings.csv").read_text().splitlines()
    lines.append("9,999999,4.0,1000000000")  # a movie missing from movies.csv
    (small_movielens / "ratings.csv").write_text("\n".join(lines) + "\n")

    async with await Storage.connect(database_url) as store:
        with pytest.raises(StorageError, match="rejected"):
            await store.import_movielens(small_movielens)
        counts = await store.counts()

    assert (counts.people, counts.ratings) == (0, 0)


async def test_an_import_from_a_missing_folder_names_it(database_url: str, tmp_path: Path) -> None:
    async with await Storage.connect(database_url) as store:
        with pytest.raises(StorageError, match="nowhere"):
            await store.import_movielens(tmp_path / "nowhere")
        counts = await store.counts()

    assert (counts.people, counts.ratings) == (0, 0)
