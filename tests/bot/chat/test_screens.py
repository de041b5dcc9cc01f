"""Screens built from a real database: numbering, paging, counters, genres."""

from __future__ import annotations

import pandas as pd
import pytest

from bot.chat import callbacks as cb
from bot.chat import screens, texts
from bot.training.model_holder import ModelHolder
from recsys.popularity import PopularityRecommender
from tests.support import keyboard as kb
from tests.support.catalogue import title


def labels(screen: screens.Screen) -> list[str]:
    return [b.text for row in kb.rows(screen.markup) for b in row]


async def test_popular_pages_number_the_50_most_rated_movies(storage) -> None:
    first = await screens.popular(storage, 42, 0)
    last = await screens.popular(storage, 42, 4)
    assert labels(first)[:2] == [f"1. {title(1)}", f"2. {title(2)}"]
    assert labels(first)[-2:] == ["Next »", "Rate by genre"]
    assert labels(last)[9] == f"50. {title(50)}" and labels(last)[-2:] == [
        "« Prev",
        "Rate by genre",
    ]
    assert "page 5/5" in last.text


async def test_the_popular_list_offers_rating_by_genre(storage) -> None:
    screen = await screens.popular(storage, 42, 0)
    offer = kb.rows(screen.markup)[-1]
    assert [(b.text, kb.parsed(b)) for b in offer] == [("Rate by genre", cb.PickGenreToRate())]


def test_rating_by_genre_offers_the_models_genres(holder) -> None:
    screen = screens.genres_to_rate(holder)
    assert labels(screen) == ["Comedy", "Drama", "Sci-Fi", "« Back"]
    assert kb.parsed(kb.rows(screen.markup)[0][0]) == cb.PopularIn("Comedy", 0)


async def test_a_genre_page_lists_its_most_rated_movies_to_rate(storage, holder) -> None:
    await storage.record_rating(42, 3, 4.0)  # comedies are movies 3, 6, 9, ... (i % 3 == 0)
    await storage.mark(42, 6, "not_seen")
    screen = await screens.popular_in(storage, holder, 42, "Comedy", 0)
    assert labels(screen)[:3] == [f"1. {title(3)} ★4", f"2. {title(9)}", f"3. {title(12)}"]
    assert "<b>Popular in Comedy</b> (page 1/2)" in screen.text  # 19 comedies left
    assert "Rated: 1. Rate 4 more for personal picks." in screen.text
    rows = kb.rows(screen.markup)
    assert kb.parsed(rows[0][0]) == cb.OpenCard(3, cb.PopularIn("Comedy", 0))
    assert [kb.parsed(b) for b in rows[-2] + rows[-1]] == [
        cb.PopularIn("Comedy", 1),
        cb.PickGenreToRate(),
    ]


async def test_a_genre_page_past_the_end_shows_the_last_one(storage, holder) -> None:
    screen = await screens.view(storage, holder, 42, cb.PopularIn("Comedy", 4))
    assert "(page 2/2)" in screen.text and labels(screen)[0] == f"11. {title(33)}"
    assert labels(screen)[-2:] == ["« Prev", "« Genres"]


async def test_a_genre_is_matched_loosely_and_an_unknown_one_offers_the_genres(
    storage, holder
) -> None:
    loose = await screens.popular_in(storage, holder, 42, "sci fi", 0)
    unknown = await screens.popular_in(storage, holder, 42, "Western", 0)
    assert "Popular in Sci-Fi" in loose.text
    assert unknown.text == texts.current().unknown_genre_to_rate
    assert labels(unknown) == ["Comedy", "Drama", "Sci-Fi", "« Back"]


async def test_a_genre_with_everything_rated_or_hidden_says_so(storage, holder) -> None:
    for movie in range(3, 61, 3):
        await storage.mark(42, movie, "not_interested")
    screen = await screens.popular_in(storage, holder, 42, "Comedy", 0)
    assert "every popular movie in Comedy" in screen.text
    assert labels(screen) == ["« Genres"]


async def test_my_ratings_clamp_a_page_that_no_longer_exists(storage) -> None:
    for movie in range(1, 13):
        await storage.record_rating(42, movie, 3.5)
    screen = await screens.my_ratings(storage, 42, 7)
    assert "page 2/2" in screen.text and len([t for t in labels(screen) if "★3.5" in t]) == 2


async def test_search_results_open_cards_that_return_to_the_search(storage, holder) -> None:
    screen = await screens.search(storage, holder, 42, "movie 17")
    data = kb.data(kb.rows(screen.markup)[0][0])
    assert labels(screen)[0] == f"1. {title(17)}"
    assert cb.parse(data) == cb.OpenCard(17, cb.Search("movie 17"))


async def test_search_without_matches_says_so(storage, holder) -> None:
    screen = await screens.search(storage, holder, 42, "zzzz")
    assert "No movie title contains" in screen.text and screen.markup is None


async def test_search_says_how_many_match_and_pages_by_ten(storage, holder) -> None:
    first = await screens.search(storage, holder, 42, "movie")
    assert first.text.startswith("<b>60 movies match “movie”</b> (page 1/6)")
    assert labels(first)[0] == f"1. {title(1)}" and labels(first)[-1] == "Next »"
    assert kb.parsed(kb.rows(first.markup)[-1][0]) == cb.Search("movie", 1)


async def test_a_search_page_numbers_on_and_its_cards_come_back_to_it(storage, holder) -> None:
    screen = await screens.view(storage, holder, 42, cb.Search("movie", 2))
    rows = kb.rows(screen.markup)
    assert "(page 3/6)" in screen.text and labels(screen)[0] == f"21. {title(21)}"
    assert kb.parsed(rows[0][0]) == cb.OpenCard(21, cb.Search("movie", 2))
    assert [kb.parsed(b) for b in rows[-1]] == [
        cb.Search("movie", 1),
        cb.Search("movie", 3),
    ]


async def test_the_last_search_page_has_no_next_and_later_pages_show_it(storage, holder) -> None:
    last = await screens.search(storage, holder, 42, "movie", 5)
    past = await screens.search(storage, holder, 42, "movie", 9)
    assert labels(last)[-1] == "« Prev" and labels(last)[0] == f"51. {title(51)}"
    assert (past.text, labels(past)) == (last.text, labels(last))


async def test_one_page_of_results_has_no_page_buttons(storage, holder) -> None:
    screen = await screens.search(storage, holder, 42, "movie 17")
    assert screen.text.startswith("<b>1 movie matches “movie 17”</b>\n")
    assert labels(screen) == [f"1. {title(17)}"]


async def test_a_search_with_a_typo_says_the_titles_are_only_close(storage, holder) -> None:
    screen = await screens.search(storage, holder, 42, "moive 17")
    assert screen.text.startswith("No exact match for “moive 17”; <b>closest titles</b>:")
    assert labels(screen)[0] == f"1. {title(17)}"


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
    for row in kb.rows(screen.markup):
        action = kb.parsed(row[0])
        assert isinstance(action, cb.OpenCard) and isinstance(action.back, cb.Search)
        assert action.back.query.isprintable()


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
    for row in kb.rows(screen.markup):
        for button in row:
            kb.parsed(button)


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
    shown = {kb.movie_id(kb.parsed(row[0])) for row in kb.rows(screen.markup)[::2][:-1]}
    assert len(shown) == 10 and not shown & {1, 2, 3}


async def test_hidden_and_watchlist_list_their_own_marks(storage) -> None:
    await storage.mark(42, 1, "not_seen")
    await storage.mark(42, 2, "later")
    await storage.mark(42, 3, "not_interested")
    hidden = await screens.marked_list(storage, 42, cb.Hidden(0))
    watchlist = await screens.marked_list(storage, 42, cb.Watchlist(0))
    assert labels(hidden) == [f"1. {title(3)}", f"2. {title(1)}"]  # newest first
    assert labels(watchlist) == [f"1. {title(2)}"]
    opened = kb.parsed(kb.rows(hidden.markup)[0][0])
    assert opened == cb.OpenCard(3, cb.Hidden(0))
