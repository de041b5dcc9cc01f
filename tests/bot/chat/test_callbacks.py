"""Callback data: what encode produces parses back; anything else is rejected."""

from __future__ import annotations

import pytest

from bot.chat import callbacks as cb

ROUND_TRIP = [
    cb.Popular(0),
    cb.Popular(4),
    cb.MyRatings(0),
    cb.MyRatings(cb.MAX_PAGE),
    cb.Recs(None),
    cb.Recs("Sci-Fi"),
    cb.Search("matrix"),
    cb.Search("a|b|c"),
    cb.Search("Amélie"),
    cb.OpenCard(2571, cb.Popular(3)),
    cb.OpenCard(193609, cb.Search("star wars | empire")),
    cb.Rate(356, 1, cb.Popular(0)),
    cb.Rate(356, 10, cb.Recs("Film-Noir")),
    cb.NotSeen(1, cb.MyRatings(2)),
    cb.Remove(1, cb.Search("toy")),
    cb.PickGenre(),
    cb.Forget(123456789, True),
    cb.Forget(-100123, False),
]


@pytest.mark.parametrize("callback", ROUND_TRIP, ids=repr)
def test_encode_then_parse_gives_the_same_callback(callback: cb.Callback) -> None:
    assert cb.parse(cb.encode(callback)) == callback


def test_rate_carries_half_stars_and_exposes_the_rating() -> None:
    assert cb.parse("v1|r|2571|9|p0") == cb.Rate(2571, 9, cb.Popular(0))
    assert cb.parse("v1|r|2571|9|p0").rating == 4.5


def test_longest_data_fits_64_bytes() -> None:
    long_query = "ä" * 100  # two bytes each: the query must be cut on a character boundary
    data = cb.encode(cb.Rate(999_999_999, 10, cb.Search(long_query)))
    assert len(data.encode()) <= cb.MAX_BYTES
    assert cb.parse(data) == cb.Rate(999_999_999, 10, cb.Search(cb.truncate_query(long_query)))


def test_truncate_query_keeps_whole_characters_and_collapses_spaces() -> None:
    assert cb.truncate_query("  star   wars ") == "star wars"
    cut = cb.truncate_query("é" * 30)
    assert cut == "é" * 20 and len(cut.encode()) == 40


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "v1",
        "v1|",
        "v2|p0",
        "V1|p0",
        "v1|p5",  # only five popular pages
        "v1|p01",  # no leading zeros
        "v1|p-1",
        "v1|p+1",
        "v1|p 1",
        "v1|y1000",
        "v1|q0",
        "v1|s",
        "v1|s ",
        "v1|s\nx",
        "v1|R(no genres listed)",
        "v1|R1",
        "v1|m|2571",
        "v1|m|x|p0",
        "v1|m|0|p0",
        "v1|m|2571|p9",
        "v1|r|2571|0|p0",
        "v1|r|2571|11|p0",
        "v1|r|2571|14|p0",  # a rating of 7
        "v1|r|2571|4.5|p0",
        "v1|r|2571|9",
        "v1|r|-5|9|p0",
        "v1|n|2571|",
        "v1|x||p0",
        "v1|g|extra",
        "v1|f|42",
        "v1|f|42|2",
        "v1|f|abc|1",
        "v1|f|042|1",
        "v1|f|42|1|1",
        "v1|p0" + "0" * 60,
        "v1|s" + "x" * 61,
    ],
)
def test_anything_encode_does_not_produce_is_rejected(data: str | None) -> None:
    with pytest.raises(cb.BadCallback):
        cb.parse(data)


def test_encode_refuses_data_over_64_bytes() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        cb.encode(cb.Recs("G" * 70))


def test_genres_that_cannot_travel_are_recognised() -> None:
    assert cb.is_genre("Sci-Fi") and cb.is_genre("Film-Noir")
    assert not cb.is_genre("(no genres listed)")
