"""Callback data: what encode produces parses back; anything else is rejected."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

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
    cb.Search("star wars", 1),
    cb.Search("a|b", cb.MAX_SEARCH_PAGE),
    cb.PopularIn("Animation", 0),
    cb.PopularIn("Sci-Fi", cb.POPULAR_PAGES - 1),
    cb.PopularIn("Film-Noir", 2),
    cb.OpenCard(2571, cb.Popular(3)),
    cb.OpenCard(193609, cb.Search("star wars | empire")),
    cb.Rate(356, 1, cb.Popular(0)),
    cb.Rate(356, 10, cb.Recs("Film-Noir")),
    cb.NotSeen(1, cb.MyRatings(2)),
    cb.Remove(1, cb.Search("toy")),
    cb.PickGenre(),
    cb.PickGenreToRate(),
    cb.OpenCard(1, cb.PopularIn("Children", 3)),
    cb.Rate(356, 8, cb.Search("godfater", 2)),
    cb.Forget(123456789, True),
    cb.Forget(-100123, False),
    cb.SetLanguage("ru"),
    cb.SetLanguage("es"),
]


@pytest.mark.parametrize("callback", ROUND_TRIP, ids=repr)
def test_encode_then_parse_gives_the_same_callback(callback: cb.Callback) -> None:
    assert cb.parse(cb.encode(callback)) == callback


def test_rate_carries_half_stars_and_exposes_the_rating() -> None:
    assert cb.parse("v1|r|2571|9|p0") == cb.Rate(2571, 9, cb.Popular(0))
    rate = cb.parse("v1|r|2571|9|p0")
    assert isinstance(rate, cb.Rate) and rate.rating == 4.5


def test_a_search_without_a_page_is_its_first_page() -> None:
    assert cb.parse("v1|sstar wars") == cb.Search("star wars", 0) == cb.Search("star wars")
    assert cb.encode(cb.Search("star wars", 0)) == "v1|sstar wars"
    assert cb.parse("v1|S1|star wars") == cb.Search("star wars", 1)


def test_a_genre_page_carries_its_page_then_its_genre() -> None:
    assert cb.encode(cb.PopularIn("Sci-Fi", 3)) == "v1|P3Sci-Fi"
    assert cb.encode(cb.PickGenreToRate()) == "v1|G"


def test_longest_data_fits_64_bytes() -> None:
    long_query = "ä" * 100  # two bytes each: the query must be cut on a character boundary
    data = cb.encode(cb.Rate(999_999_999, 10, cb.Search(long_query)))
    assert len(data.encode()) <= cb.MAX_BYTES
    assert cb.parse(data) == cb.Rate(999_999_999, 10, cb.Search(cb.truncate_query(long_query)))
    paged = cb.encode(cb.Rate(999_999_999, 10, cb.Search(long_query, cb.MAX_SEARCH_PAGE)))
    assert len(paged.encode()) <= cb.MAX_BYTES


@pytest.mark.parametrize(
    "view", [cb.Search("x", -1), cb.Search("x", cb.MAX_SEARCH_PAGE + 1), cb.PopularIn("Drama", 5)]
)
def test_encode_refuses_pages_that_parse_would_refuse(view: cb.View) -> None:
    with pytest.raises(ValueError, match="refuses"):
        cb.encode(view)


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
        "v1|S0|star wars",  # page 0 is "s<query>"
        "v1|S100|star wars",
        "v1|S01|star wars",
        "v1|S-1|star wars",
        "v1|S1",
        "v1|S1|",
        "v1|S1| ",
        "v1|S|star wars",
        "v1|S1star wars",
        "v1|S1|a\nb",
        "v1|P0",
        "v1|PDrama",
        "v1|P5Drama",  # only five popular pages
        "v1|P01Drama",
        "v1|P0(no genres listed)",
        "v1|P0Drama|x",
        "v1|P 0Drama",
        "v1|m|1|P9Drama",
        "v1|G|x",
        "v1|Gx",
        "v1|L|",
        "v1|L|de",
        "v1|L|RU",
        "v1|L|ru-RU",
        "v1|L|ru|x",
        "v1|Lru",
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


NEW_FORMS = st.builds(
    lambda head, rest: head + rest,
    st.sampled_from(["v1|S", "v1|P", "v1|G", "v1|m|5|S", "v1|r|5|9|P"]),
    st.text(st.sampled_from([*"0123456789|SPGa -é", "\x00", "٣"]), max_size=12),
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(data=NEW_FORMS)
@example(data="v1|S12|a -é")
@example(data="v1|P3a -")
@example(data="v1|m|5|S9|S|9")
def test_paged_searches_and_genre_pages_parse_only_what_encode_makes(data: str) -> None:
    try:
        parsed = cb.parse(data)
    except cb.BadCallback:
        return
    assert cb.encode(parsed) == data
