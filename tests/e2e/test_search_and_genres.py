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


def test_search_counts_the_matches_and_pages_through_them(bot: BotProcess, person: Person):
    # The bot's catalogue is the 600 most-rated movies: 16 titles hold "star".
    first = person.say("/search star")
    assert first["text"].startswith("16 movies match “star” (page 1/2)")
    assert "« Prev" not in button_texts(first)

    second = person.tap(first, "Next »")
    assert "(page 2/2)" in second["text"] and "Next »" not in button_texts(second)
    assert [b["text"].split(".")[0] for b in numbered_buttons(second)] == [
        str(n) for n in range(11, 17)
    ]
    card = person.tap(second, "11. ")
    back = person.rate(card, "4")
    assert "(page 2/2)" in back["text"] and numbered_buttons(back)[0]["text"].endswith("★4")
    assert stored_ratings(bot.database, person.id) == {listed_movies(second)[0]: 4.0}

    again = person.tap(back, "« Prev")
    assert "(page 1/2)" in again["text"] and listed_movies(again) == listed_movies(first)


def test_a_typo_finds_the_closest_titles_and_says_so(bot: BotProcess, person: Person):
    results = person.say("godfater")
    assert results["text"].startswith("No exact match for “godfater”; closest titles")
    assert numbered_buttons(results)[0]["text"].startswith("1. Godfather, The (1972)")


def test_rate_by_genre_from_start_lists_that_genres_most_rated(bot: BotProcess, person: Person):
    _, popular = person.say_all("/start", 2)
    picker = person.tap(popular, "Rate by genre")
    assert "Animation" in button_texts(picker)

    animation = person.tap(picker, "Animation")
    movies = listed_movies(animation)
    assert len(movies) == 10
    assert all("Animation" in genres for genres in movie_genres(bot.database, movies).values())
    assert "Rated: 0. Rate 5 more for personal picks." in animation["text"]

    card = person.tap(animation, "1. ")
    back = person.rate(card, "4.5")
    assert back["text"].startswith("Popular in Animation (page 1/")
    assert "Rated: 1. Rate 4 more for personal picks." in back["text"]
    assert numbered_buttons(back)[0]["text"].endswith("★4.5")
    assert stored_ratings(bot.database, person.id) == {movies[0]: 4.5}

    page_two = person.tap(back, "Next »")
    assert numbered_buttons(page_two)[0]["text"].startswith("11. ")
    assert not set(listed_movies(page_two)) & set(movies)


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
