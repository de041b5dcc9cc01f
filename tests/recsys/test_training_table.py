"""The compact training-ratings form an artifact keeps: the same table back, 6 bytes a rating."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys import training_table


def ratings(n: int = 500, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "userId": rng.integers(1, 60, n) * 1000,
            "movieId": rng.integers(1, 200, n) * 7 + 2**40,
            "rating": rng.integers(1, 11, n).astype(np.float32) / 2,
        }
    )
    return frame.drop_duplicates(["userId", "movieId"]).reset_index(drop=True)


def test_a_table_comes_back_the_same_sorted_by_user_and_movie() -> None:
    table = ratings()

    back = training_table.unpack(training_table.pack(table))

    expected = table.sort_values(["userId", "movieId"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(back, expected)
    assert back.dtypes.to_dict() == {
        "userId": np.dtype("int64"),
        "movieId": np.dtype("int64"),
        "rating": np.dtype("float32"),
    }


def test_it_costs_about_6_bytes_a_rating() -> None:
    table = ratings(20_000)

    packed = training_table.pack(table)

    per_user_and_movie = 8 * (packed["userId"].size * 2 + 1 + packed["movies"].size)
    assert sum(a.nbytes for a in packed.values()) == 6 * len(table) + per_user_and_movie


def test_the_row_form_of_format_1_is_still_read() -> None:
    table = ratings(50)
    rows = {name: table[name].to_numpy() for name in ("userId", "movieId", "rating")}

    pd.testing.assert_frame_equal(training_table.unpack(rows), table)


def test_an_empty_table_round_trips() -> None:
    empty = ratings().iloc[:0]

    assert training_table.unpack(training_table.pack(empty)).empty


@pytest.mark.parametrize(
    "damage",
    [
        lambda a: a.pop("offsets"),
        lambda a: a.update(offsets=a["offsets"][:-1]),
        lambda a: a.update(movie=a["movie"] + 10_000),
        lambda a: a.update(rating=a["rating"][:-1]),
        lambda a: a.update(offsets=a["offsets"][::-1].copy()),
    ],
)
def test_arrays_that_do_not_fit_together_are_refused(damage) -> None:
    packed = training_table.pack(ratings())
    damage(packed)

    with pytest.raises(ValueError):
        training_table.unpack(packed)
