"""Loading MovieLens CSVs and mapping ids with the training data's maps."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd
import pytest

from recsys import data as data_module
from recsys.data import DataError, load_movielens
from recsys.ids import UNKNOWN, IdMap, encode_ratings

MOVIES = (
    "movieId,title,genres\r\n"
    "1,Toy Story (1995),Adventure|Animation|Children\r\n"
    '2,"Matrix, The (1999)",Action|Sci-Fi\r\n'
    "3,Untitled Project,(no genres listed)\r\n"
)
RATINGS = "userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n1,2,5.0,964981247\r\n"


def write(folder: Path, movies: str = MOVIES, ratings: str = RATINGS) -> Path:
    (folder / "movies.csv").write_text(movies, newline="")
    (folder / "ratings.csv").write_text(ratings, newline="")
    return folder


def test_loads_typed_columns_year_and_genres(tmp_path):
    data = load_movielens(write(tmp_path))
    assert data.ratings.dtypes.to_dict() == {
        "userId": np.dtype("int64"),
        "movieId": np.dtype("int64"),
        "rating": np.dtype("float32"),
        "timestamp": np.dtype("int64"),
    }
    movies = data.movies.set_index("movieId")
    assert movies.loc[2, "title"] == "Matrix, The (1999)"
    assert movies["year"].tolist() == [1995, 1999, pd.NA]
    assert movies["genres"].tolist() == [
        ["Adventure", "Animation", "Children"],
        ["Action", "Sci-Fi"],
        [],
    ]


def test_missing_file_names_the_file(tmp_path):
    (tmp_path / "movies.csv").write_text(MOVIES)
    with pytest.raises(DataError, match=r"ratings\.csv: file not found"):
        load_movielens(tmp_path)


@pytest.mark.parametrize(
    ("ratings", "message"),
    [
        ("userId,movieId,rating,timestamp\n1,1,four,9\n", "malformed value"),
        ("userId,movieId,rating,timestamp\n1,1,5.5,9\n", "rating 5.5 on line 2 is outside"),
        ("userId,movieId,stars\n1,1,4\n", "missing column"),
    ],
)
def test_malformed_ratings_name_the_file(tmp_path, ratings, message):
    write(tmp_path, ratings=ratings)
    with pytest.raises(DataError, match=rf"ratings\.csv: .*{message}"):
        load_movielens(tmp_path)


@pytest.mark.parametrize(
    ("ratings", "movies", "message"),
    [
        (RATINGS + "1.5,1,3.0,9\r\n", MOVIES, r"ratings\.csv: userId on line 4 .* '1\.5'"),
        (RATINGS + "2,2.7,3.0,9\r\n", MOVIES, r"ratings\.csv: movieId on line 4 .* '2\.7'"),
        (RATINGS + "99999999999999999999,1,3,9\r\n", MOVIES, r"ratings\.csv: userId on line 4"),
        (RATINGS, MOVIES + "4.5,Half a Movie (2001),Drama\r\n", r"movies\.csv: movieId on line 5"),
    ],
    ids=["fractional user", "fractional movie", "user past int64", "fractional movie in movies"],
)
def test_ids_that_are_not_integers_are_refused_not_truncated(tmp_path, ratings, movies, message):
    # Truncating 1.5 to 1 would merge two people (or two movies) without a word.
    write(tmp_path, movies=movies, ratings=ratings)
    with pytest.raises(DataError, match=message):
        load_movielens(tmp_path)


def test_fractional_or_nan_ids_are_unknown_not_truncated_onto_another_id():
    ids = IdMap.from_values([1, 2, 3])
    assert ids.index(np.array([1.5, 2.0, np.nan, 3.9, np.inf])).tolist() == [-1, 1, -1, -1, -1]
    # Floats where ids (ints) belong, on purpose: ids read from a float column.
    assert ids.index(cast(list[int], [2.7, 3.0])).tolist() == [-1, 2]
    assert 1.5 not in ids and 2.0 in ids and 2 in ids and "x" not in ids
    assert ids.index_of(cast(int, 2.7)) is None


def test_data_error_is_a_value_error():
    assert issubclass(DataError, ValueError)


def test_id_map_marks_unknown_ids_instead_of_guessing():
    ids = IdMap.from_values([30, 10, 20, 10])
    assert ids.ids.tolist() == [10, 20, 30]
    assert ids.index([20, 25, 10, 99, 5]).tolist() == [1, UNKNOWN, 0, UNKNOWN, UNKNOWN]
    assert 30 in ids and 31 not in ids and ids.index_of(31) is None


def test_encoding_with_training_maps_drops_and_counts_unknown_rows():
    train = pd.DataFrame({"userId": [1, 2], "movieId": [10, 20], "rating": [4.0, 3.0]})
    test = pd.DataFrame(
        {"userId": [2, 3, 1, 3], "movieId": [10, 10, 30, 30], "rating": [5.0, 1.0, 2.0, 3.0]}
    )
    users, movies = IdMap.from_values(train["userId"]), IdMap.from_values(train["movieId"])
    encoded = encode_ratings(test, users, movies)
    assert (encoded.users.tolist(), encoded.items.tolist(), encoded.ratings.tolist()) == (
        [1],
        [0],
        [5.0],
    )
    assert (encoded.unknown_users, encoded.unknown_movies, encoded.dropped) == (2, 2, 3)


HEADER = "userId,movieId,rating,timestamp\n"


@pytest.mark.parametrize(
    "text",
    [
        RATINGS,
        HEADER + "1.0,2,4,9\n",
        HEADER + '"1",+2, 3.5 ,009\n',
        "timestamp,rating,movieId,userId,extra\n9,4.5,2,1,x\n",
        HEADER,
    ],
    ids=["crlf", "whole float id", "quoted and padded", "reordered and extra", "header only"],
)
def test_numeric_path_reads_what_the_text_path_reads(tmp_path, text):
    path = tmp_path / "ratings.csv"
    path.write_text(text, newline="")
    fast = data_module._fast_ratings(path)
    assert fast is not None
    pd.testing.assert_frame_equal(fast, data_module._careful_ratings(path), check_index_type=False)


@pytest.mark.parametrize(
    "text",
    [
        HEADER + "1.5,1,3,9\n",
        HEADER + "99999999999999999999,1,3,9\n",
        HEADER + "1,1,four,9\n",
        HEADER + "1,1,,9\n",
        HEADER + "1,1,NA,9\n",
        HEADER + "1,1,3\n",
        HEADER + "1,1,3,9,7\n",
        HEADER + "1,1,3,1.5\n",
        "userId,movieId,stars\n1,1,4\n",
        "",
    ],
)
def test_anything_odd_goes_to_the_text_path(tmp_path, text):
    # The text path is the one whose messages (and quirks) the other tests pin down.
    path = tmp_path / "ratings.csv"
    path.write_text(text, newline="")
    assert data_module._fast_ratings(path) is None


def test_timestamp_with_a_fraction_still_loads_through_the_text_path(tmp_path):
    write(tmp_path, ratings=HEADER + "1,1,3,9.5\n")
    assert load_movielens(tmp_path).ratings["timestamp"].tolist() == [9]


def test_a_blank_rating_is_still_refused_with_its_line(tmp_path):
    write(tmp_path, ratings=RATINGS + "1,3,,9\r\n")
    with pytest.raises(DataError, match=r"ratings\.csv: rating nan on line 4 is outside"):
        load_movielens(tmp_path)
