"""Screens built from a real database: numbering, paging, counters, genres."""

from __future__ import annotations

import pandas as pd
import pytest

from bot.chat import callbacks as cb
from bot.chat import screens
from bot.training.model_holder import ModelHolder
from recsys.popularity import PopularityRecommender
from tests.support.catalogue import title


def labels(screen: screens.Screen) -> list[str]:
    return [b.text for row in screen.markup.inline_keyboard for b in row]


async def test_popular_pages_number_the_50_most_rated_movies(storage) -> None:
    first = await screens.popular(storage, 42, 0)
    last = await screens.popular(storage, 42, 4)
    assert labels(first)[:2] == [f"1. {title(1)}", f"2. {title(2)}"]
    assert labels(first)[-1] == "Next »"
    assert labels(last)[9] == f"50. {title(50)}" and labels(last)[-1] == "« Prev"
    assert "page 5/5" in last.text


async def test_my_ratings_clamp_a_page_that_no_longer_exists(storage) -> None:
    for movie in range(1, 13):
        await storage.record_rating(42, movie, 3.5)
    screen = await screens.my_ratings(storage, 42, 7)
    assert "page 2/2" in screen.text and len([t for t in labels(screen) if "★3.5" in t]) == 2


async def test_search_results_open_cards_that_return_to_the_search(storage, holder) -> None:
    screen = await screens.search(storage, holder, 42, "movie 17")
    data = screen.markup.inline_keyboard[0][0].callback_data
    assert labels(screen)[0] == f"1. {title(17)}"
    assert cb.parse(data) == cb.OpenCard(17, cb.Search("movie 17"))


async def test_search_without_matches_says_so(storage, holder) -> None:
    screen = await screens.search(storage, holder, 42, "zzzz")
    assert "No movie title contains" in screen.text and screen.markup is None


async def test_recommendations_skip_rated_movies_and_keep_the_genre(storage, holder) -> None:
    await storage.record_rating(42, 3, 5.0)  # movie 3 is a Comedy (3 % 3 == 0)
    screen = await screens.recommendations(storage, holder, 42, "comedy")
    movies = [int(t.split("Movie ")[1].split(" ")[0]) for t in labels(screen) if "Movie " in t]
    assert len(movies) == 10 and 3 not in movies and all(m % 3 == 0 for m in movies)
    assert "less personal" in screen.text


async def test_unknown_genre_is_reported(holder) -> None:
    with pytest.raises(screens.UnknownGenre):
        screens.resolve_genre("cowboys", holder)
    assert screens.resolve_genre("SCI FI", holder) == "Sci-Fi"


@pytest.mark.parametrize(
    "query",
    ["movie 17\u200b", "movie\u00ad 17", "\u200emovie 17", "movie 17 👨\u200d👩\u200d👧"],
    ids=["zero-width space", "soft hyphen", "direction mark", "emoji with joiners"],
)
async def test_search_buttons_work_when_the_query_holds_invisible_characters(
    storage, holder, query: str
) -> None:
    # Title search ignores these characters, so the search finds movies; the buttons must
    # then carry a query that the strict parser accepts, or every one of them is dead.
    screen = await screens.search(storage, holder, 42, query)
    assert labels(screen)[0] == f"1. {title(17)}"
    for row in screen.markup.inline_keyboard:
        action = cb.parse(row[0].callback_data)
        assert isinstance(action, cb.OpenCard) and action.back.query.isprintable()


@pytest.mark.parametrize("genre", ["Ciencia ficción", "Extremely Long Genre Name " * 3])
async def test_a_genre_that_cannot_travel_in_buttons_is_not_offered_or_resolved(
    storage, genre: str
) -> None:
    # A catalogue may hold genres no button can carry; /recommend with one must not build
    # buttons that the strict parser refuses (or fail to build them past 64 bytes).
    movies = pd.DataFrame({"movieId": [1, 2], "title": ["A", "B"], "genres": [[genre], ["Drama"]]})
    ratings = pd.DataFrame({"userId": [1, 1], "movieId": [1, 2], "rating": [4.0, 3.0]})
    holder = ModelHolder(PopularityRecommender.from_ratings(ratings, movies), personal=False)
    assert screens.offered_genres(holder) == ["Drama"]
    with pytest.raises(screens.UnknownGenre):
        await screens.recommendations(storage, holder, 42, genre)
    screen = await screens.recommendations(storage, holder, 42, "drama")
    for row in screen.markup.inline_keyboard:
        for button in row:
            cb.parse(button.callback_data)


async def test_the_popular_list_leaves_out_every_marked_movie(storage) -> None:
    for movie, kind in ((1, "not_seen"), (2, "not_interested"), (4, "later")):
        await storage.mark(42, movie, kind)
    screen = await screens.popular(storage, 42, 0)
    assert labels(screen)[:3] == [f"1. {title(3)}", f"2. {title(5)}", f"3. {title(6)}"]
    last = await screens.popular(storage, 42, 4)
    assert len([t for t in labels(last) if t[0].isdigit()]) == 10  # still 50 to rate


async def test_recommendations_leave_out_marked_movies(storage, holder) -> None:
    for movie, kind in ((1, "not_seen"), (2, "not_interested"), (3, "later")):
        await storage.mark(42, movie, kind)
    screen = await screens.recommendations(storage, holder, 42, None)
    shown = {
        cb.parse(row[0].callback_data).movie_id for row in screen.markup.inline_keyboard[::2][:-1]
    }
    assert len(shown) == 10 and not shown & {1, 2, 3}


async def test_hidden_and_watchlist_list_their_own_marks(storage) -> None:
    await storage.mark(42, 1, "not_seen")
    await storage.mark(42, 2, "later")
    await storage.mark(42, 3, "not_interested")
    hidden = await screens.marked_list(storage, 42, cb.Hidden(0))
    watchlist = await screens.marked_list(storage, 42, cb.Watchlist(0))
    assert labels(hidden) == [f"1. {title(3)}", f"2. {title(1)}"]  # newest first
    assert labels(watchlist) == [f"1. {title(2)}"]
    opened = cb.parse(hidden.markup.inline_keyboard[0][0].callback_data)
    assert opened == cb.OpenCard(3, cb.Hidden(0))
