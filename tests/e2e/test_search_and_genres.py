"""Finding movies by title and restricting recommendations to a genre."""

from __future__ import annotations

import pytest

from tests.support.harness import (
    BotProcess,
    Person,
    button_texts,
    listed_movies,
    movie_genres,
    numbered_buttons,
    stored_ratings,
)

pytestmark = pytest.mark.e2e


def test_search_opens_a_card_and_rates_from_the_results(bot: BotProcess, person: Person):
    results = person.say("/search matrix")
    assert numbered_buttons(results)[0]["text"].startswith("1. Matrix, The (1999)")
    card = person.tap(results, "1. ")
    assert "Matrix, The (1999)" in card["text"]
    back = person.rate(card, "5")
    assert numbered_buttons(back)[0]["text"].endswith("★5")
    assert stored_ratings(bot.database, person.id) == {listed_movies(results)[0]: 5.0}


def test_plain_text_searches_and_nonsense_finds_nothing(bot: BotProcess, person: Person):
    assert any("Toy Story" in t for t in button_texts(person.say("toy story")))
    assert "No movie title contains" in person.say("/search qwxzzy")["text"]
    assert numbered_buttons(person.say("/search")) == []


def test_recommend_keeps_to_the_genre_asked_for(bot: BotProcess, person: Person):
    recs = person.say("/recommend comedy")
    movies = listed_movies(recs)
    assert len(movies) == 10
    assert all("Comedy" in genres for genres in movie_genres(bot.database, movies).values())

    picker = person.tap(recs, "Genres")
    drama = person.tap(picker, "Drama")
    movies = listed_movies(drama)
    assert movies
    assert all("Drama" in genres for genres in movie_genres(bot.database, movies).values())

    assert "don't know the genre" in person.say("/recommend westerns-in-space")["text"]


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("lock stock", "Lock, Stock & Two Smoking Barrels (1998)"),  # "&" in Telegram HTML
        (
            "fabuleux destin d'amélie poulain",
            "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)",
        ),
    ],
)
def test_awkward_titles_open_and_rate(bot: BotProcess, person: Person, query: str, title: str):
    results = person.say(f"/search {query}")
    card = person.tap(results, "1. ")
    assert title in card["text"]
    back = person.rate(card, "4")
    assert numbered_buttons(back)[0]["text"].endswith("★4")


def test_genre_names_are_matched_loosely(bot: BotProcess, person: Person):
    recs = person.say("/recommend sci fi")
    movies = listed_movies(recs)
    assert movies
    assert all("Sci-Fi" in genres for genres in movie_genres(bot.database, movies).values())


@pytest.mark.parametrize(
    "text",
    [
        "/search " + "matrix " * 570,  # near Telegram's 4096-character limit for a message
        "/recommend " + "x" * 4000,
        "/search <b>&amp; | v1|r|1|10|p0",
        "/search 🎬🍿 émoji",
        "<i>unclosed & stray",
    ],
)
def test_odd_input_gets_a_clear_answer(bot: BotProcess, person: Person, text: str):
    reply = person.say(text)
    assert reply["text"]
    assert len(reply["text"]) <= 4096
