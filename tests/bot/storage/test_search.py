"""Title search: a count and pages of exact matches, and close titles for typos.

Most of it on the real catalogue (ml-latest-small), where the cases of issue 11 live; the
index's own rules on a few titles made up for each.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage import Storage
from bot.storage.title_index import TitleIndex, allowed_typos
from bot.storage.titles import search_fields
from tests.bot.storage.databases import BACKENDS, with_movielens
from tests.bot.storage.peek import poke

STAR_WARS = {260, 1196, 1210, 2628, 5378, 33493, 61160, 79006, 122886, 135216, 166528}
STAR_WARS |= {179819, 187595}
"""Every title of ml-latest-small holding "star" and "wars" (from Episode IV to Solo)."""
GODFATHER, AMELIE, WALL_E, WALLED_IN = 858, 4973, 60069, 89208
LORD_OF_THE_RINGS = {4993, 5952, 7153}  # the three films of 2001-2003
GODFATHER_TITLES = {858, 1221, 2023, 172591}  # I, II, III and the Trilogy


@pytest.fixture(scope="module", params=BACKENDS)
def real_db(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    real_movielens_dir: Path,
) -> Iterator[str]:
    """The URL of a database with ml-latest-small imported, on each backend (once per module
    and backend; the tests only read it)."""
    folder = tmp_path_factory.mktemp("search")
    with with_movielens(request.param, folder, real_movielens_dir) as url:
        yield url


@pytest.fixture
async def real(real_db: str):
    async with await Storage.connect(real_db) as store:
        yield store


def ids(movies) -> list[int]:
    return [m.movie_id for m in movies]


@pytest.mark.realdata
async def test_star_wars_counts_every_title_and_pages_them_by_ten(real: Storage) -> None:
    first = await real.search("star wars", 0, 10)
    second = await real.search("star wars", 10, 10)

    assert (first.total, first.exact, len(first.movies), len(second.movies)) == (13, 13, 10, 3)
    assert set(ids(first.movies) + ids(second.movies)) == STAR_WARS
    assert ids(first.movies)[0] == 260  # Episode IV, the most rated


@pytest.mark.realdata
async def test_pages_continue_the_one_ordering(real: Storage) -> None:
    whole = await real.search("the", 0, 30)
    pages = [await real.search("the", offset, 10) for offset in (0, 10, 20)]

    assert [ids(p.movies) for p in pages] == [ids(whole.movies)[i : i + 10] for i in (0, 10, 20)]
    assert [p.offset for p in pages] == [0, 10, 20]


@pytest.mark.realdata
@pytest.mark.parametrize("offset", [13, 20, 990])
async def test_a_page_past_the_end_is_the_last_page(real: Storage, offset: int) -> None:
    found = await real.search("star wars", offset, 10)

    assert (found.offset, len(found.movies), found.total) == (10, 3, 13)


@pytest.mark.realdata
async def test_godfater_finds_the_godfather_first(real: Storage) -> None:
    found = await real.search("godfater")

    assert ids(found.movies)[0] == GODFATHER
    assert set(ids(found.movies)) == GODFATHER_TITLES  # not Tokyo Godfathers (two typos)
    assert found.exact == 0  # close titles only: the message says so


@pytest.mark.realdata
@pytest.mark.parametrize("query", ["amelie", "Amélie", "amelei"])
async def test_amelie_is_found_with_or_without_accent_or_a_typo(real: Storage, query) -> None:
    assert ids((await real.search(query)).movies) == [AMELIE]


@pytest.mark.realdata
@pytest.mark.parametrize("query", ["lord rings", "lord of the rigns"])
async def test_lord_rings_puts_the_three_films_on_top(real: Storage, query: str) -> None:
    found = await real.search(query)

    assert set(ids(found.movies)[:3]) == LORD_OF_THE_RINGS


@pytest.mark.realdata
async def test_typos_in_two_words_still_find_star_wars(real: Storage) -> None:
    found = await real.search("strar wras", 0, 20)

    assert (found.exact, set(ids(found.movies))) == (0, STAR_WARS)
    assert ids(found.movies)[0] == 260


@pytest.mark.realdata
@pytest.mark.parametrize("query", ["qwxzzy", "zzzz", "asdfgh", "xq zv"])
async def test_nonsense_finds_nothing(real: Storage, query: str) -> None:
    found = await real.search(query)

    assert (found.movies, found.total) == ([], 0)


@pytest.mark.realdata
async def test_few_matches_get_titles_written_together_but_no_typos(real: Storage) -> None:
    walle = await real.search("walle")
    hook = await real.search("hook")

    # "Walled In" holds "walle"; WALL·E is "wall e" run together, so it comes after it.
    assert (ids(walle.movies), walle.exact) == ([WALLED_IN, WALL_E], 1)
    # Hook and Hollywood Chainsaw Hookers match: no "Hoop Dreams" or "Look Who's Talking".
    assert (hook.total, hook.exact) == (2, 2)


@pytest.mark.realdata
async def test_close_titles_page_like_exact_ones(real: Storage) -> None:
    first = await real.search("wras", 0, 10)
    later = await real.search("wras", 20, 10)

    assert first.exact == 0 and first.total > 20
    assert later.offset == 20 and not set(ids(later.movies)) & set(ids(first.movies))


async def test_the_index_follows_a_catalogue_that_changed(
    storage: Storage, database_url: str
) -> None:
    assert (await storage.search("godfater")).total == 0  # builds the index
    await poke(  # another process adds a movie
        database_url,
        "INSERT INTO movies (movie_id, title, year, genres, search_title, search_name,"
        " search_alt) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (999, "Godfather, The (1972)", 1972, "Drama", *search_fields("Godfather, The (1972)")),
    )

    assert ids((await storage.search("godfater")).movies) == [999]


@pytest.mark.parametrize(
    ("word", "typos"),
    [("the", 0), ("wars", 1), ("matrix", 1), ("godfater", 2), ("1995", 0), ("x2", 0)],
)
def test_the_typo_budget_grows_with_the_word(word: str, typos: int) -> None:
    assert allowed_typos(word) == typos


def index_of(*titles: str) -> TitleIndex:
    """An index of `titles` (movie ids 1, 2, ...; the first the most rated)."""
    rows = [(i, search_fields(t)[0], 100 - i) for i, t in enumerate(titles, 1)]
    return TitleIndex(rows)


def closest(index: TitleIndex, query: str) -> list[int]:
    return [m.movie_id for m in index.closest(query, 10)]


def test_a_number_matches_only_as_a_whole_word() -> None:
    index = index_of("Terminator 2: Judgment Day (1991)", "Terminator 3 (2003)")

    assert closest(index, "termnator 2") == [1]


def test_the_first_letter_must_be_right() -> None:
    index = index_of("Godfather, The (1972)")

    assert (closest(index, "godfathr"), closest(index, "odfather")) == ([1], [])


def test_only_the_fewest_typos_come_back_the_more_rated_first() -> None:
    titles = ("Tokyo Godfathers (2003)", "Godfather, The (1972)", "Godfather: Part II (1974)")

    # "godfater" is one typo from "godfather", two from "godfathers" (the most rated here).
    assert [(m.movie_id, m.typos) for m in index_of(*titles).closest("godfater", 10)] == [
        (2, 1),
        (3, 1),
    ]


def test_every_query_word_must_match() -> None:
    index = index_of("Star Wars (1977)", "Star Trek (1979)")

    assert (closest(index, "star wras"), closest(index, "star wras zzzz")) == ([1], [])
