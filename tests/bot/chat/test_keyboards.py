"""Keyboards: button texts people and tests look for, data that parses, Telegram's limits."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.chat import callbacks as cb
from bot.chat import keyboards, texts
from tests.support import keyboard as kb

GENRES = ["Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary"]
GENRES += ["Drama", "Fantasy", "Film-Noir", "Horror", "IMAX", "Musical", "Mystery", "Romance"]
GENRES += ["Sci-Fi", "Thriller", "War", "Western"]


def buttons(markup: InlineKeyboardMarkup) -> list[InlineKeyboardButton]:
    return [b for row in markup.inline_keyboard for b in row]


def assert_within_telegram_limits(markup: InlineKeyboardMarkup) -> None:
    assert len(buttons(markup)) <= 100
    assert all(len(row) <= 8 for row in markup.inline_keyboard)
    for button in buttons(markup):
        assert len(kb.data(button).encode()) <= 64
        kb.parsed(button)  # raises on anything the bot would reject


def test_card_has_ratings_half_to_five_then_the_three_marks_more_like_this_and_back() -> None:
    markup = keyboards.card(2571, None, None, cb.Popular(2))
    labels = [b.text for b in buttons(markup)]
    values = ["0.5", "1", "1.5", "2", "2.5", "3", "3.5", "4", "4.5", "5"]
    marks = ["Not seen", "Not interested", "Later"]
    assert labels == [*values, *marks, "More like this", "« Back"]
    rates = [kb.parsed(b) for b in buttons(markup)[:10]]
    assert rates == [cb.Rate(2571, half, cb.Popular(2)) for half in range(1, 11)]
    assert [kb.parsed(b) for b in buttons(markup)[10:]] == [
        cb.NotSeen(2571, cb.Popular(2)),
        cb.NotInterested(2571, cb.Popular(2)),
        cb.Later(2571, cb.Popular(2)),
        cb.Similar(2571),
        cb.Popular(2),
    ]
    assert_within_telegram_limits(markup)


def test_card_of_a_rated_movie_marks_the_rating_and_offers_removal() -> None:
    markup = keyboards.card(2571, 4.5, None, cb.Search("matrix"))
    labels = [b.text for b in buttons(markup)]
    assert labels[8] == "4.5 ✓" and labels[8].startswith("4.5")
    assert labels[10:] == ["Remove rating", "More like this", "« Back"]
    assert kb.parsed(buttons(markup)[10]) == cb.Remove(2571, cb.Search("matrix"))


def test_card_of_a_marked_movie_offers_the_undo_instead_of_the_marks() -> None:
    markup = keyboards.card(2571, None, "later", cb.Watchlist(0))
    labels = [b.text for b in buttons(markup)]
    assert labels[10:] == ["Remove from watchlist", "More like this", "« Back"]
    assert kb.parsed(buttons(markup)[10]) == cb.Undo(2571, cb.Watchlist(0))


def test_movie_list_numbers_each_button_and_adds_page_buttons() -> None:
    entries = [(11 + i, 100 + i, f"Movie {i} (2000)", 4.0 if i == 0 else None) for i in range(10)]
    markup = keyboards.movie_list(entries, cb.Popular(1), cb.Popular(0), cb.Popular(2))
    labels = [b.text for b in buttons(markup)]
    assert labels[0] == "11. Movie 0 (2000) ★4" and labels[1] == "12. Movie 1 (2000)"
    assert labels[-2:] == ["« Prev", "Next »"]
    assert kb.parsed(buttons(markup)[3]) == cb.OpenCard(103, cb.Popular(1))
    assert_within_telegram_limits(markup)


def test_recommendations_end_with_genres_and_refresh_for_the_same_genre() -> None:
    entries = [(i, i, f"Movie {i}", None) for i in range(1, 11)]
    markup = keyboards.recommendations(entries, "Comedy")
    last = markup.inline_keyboard[-1]
    assert [b.text for b in last] == [texts.current().button_genres, texts.current().button_refresh]
    assert kb.parsed(last[1]) == cb.Recs("Comedy")
    assert_within_telegram_limits(markup)


def test_each_recommendation_has_the_three_marks_under_it() -> None:
    entries = [(i, 100 + i, f"Movie {i}", None) for i in range(1, 11)]
    rows = keyboards.recommendations(entries, None).inline_keyboard
    for n in range(10):
        movie, marks = rows[2 * n], rows[2 * n + 1]
        assert kb.parsed(movie[0]) == cb.OpenCard(101 + n, cb.Recs(None))
        assert [b.text for b in marks] == ["Not seen", "Not interested", "Later"]
        assert {kb.movie_id(kb.parsed(b)) for b in marks} == {101 + n}


def test_the_longest_genre_still_fits_in_the_mark_buttons() -> None:
    genre = "A" * 30  # the longest genre a Recs view carries
    markup = keyboards.recommendations([(1, cb.MAX_MOVIE_ID, "Movie", None)], genre)
    assert_within_telegram_limits(markup)


def test_genre_picker_offers_every_genre_and_all() -> None:
    markup = keyboards.genres(GENRES)
    parsed = [kb.parsed(b) for b in buttons(markup)]
    assert parsed == [cb.Recs(g) for g in GENRES] + [cb.Recs(None)]
    assert_within_telegram_limits(markup)


def test_forget_buttons_are_bound_to_the_person() -> None:
    markup = keyboards.forget(42)
    assert [kb.parsed(b) for b in buttons(markup)] == [
        cb.Forget(42, True),
        cb.Forget(42, False),
    ]


def test_a_catalogue_with_very_many_genres_still_fits_telegrams_limits() -> None:
    many = [f"Genre {chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(150)]
    markup = keyboards.genres(many)
    assert_within_telegram_limits(markup)
    assert buttons(markup)[-1].text == texts.current().button_all_genres
    assert len(texts.unknown_genre("x" * 100, many * 3)) <= texts.MAX_MESSAGE


def test_genres_to_rate_lead_to_each_genres_popular_list_and_back() -> None:
    markup = keyboards.genres_to_rate(GENRES)
    parsed = [kb.parsed(b) for b in buttons(markup)]
    assert parsed == [cb.PopularIn(g, 0) for g in GENRES] + [cb.Popular(0)]
    assert buttons(markup)[-1].text == texts.current().button_back
    assert_within_telegram_limits(markup)
    assert_within_telegram_limits(keyboards.genres_to_rate(GENRES * 10))


def test_movie_list_puts_its_footer_in_a_row_after_the_page_buttons() -> None:
    entries = [(1, 100, "Movie (2000)", None)]
    footer = [(texts.current().button_rate_by_genre, cb.PickGenreToRate())]
    markup = keyboards.movie_list(entries, cb.Popular(0), None, cb.Popular(1), footer=footer)
    assert [[b.text for b in row] for row in markup.inline_keyboard] == [
        ["1. Movie (2000)"],
        ["Next »"],
        ["Rate by genre"],
    ]
    assert kb.parsed(markup.inline_keyboard[-1][0]) == cb.PickGenreToRate()
