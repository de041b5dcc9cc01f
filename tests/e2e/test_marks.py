"""Not seen, Not interested, Later: stored per person, honoured by every list, undone, forgotten."""

from __future__ import annotations

from typing import Any

import pytest

from bot.chat import callbacks
from tests.support.botapi import Message, buttons
from tests.support.harness import (
    BotProcess,
    Person,
    listed_movies,
    numbered_buttons,
    stored_marks,
    stored_ratings,
)

pytestmark = pytest.mark.e2e


def mark_button(message: Message, movie_id: int, label: str) -> dict[str, Any]:
    """The `label` button that acts on `movie_id` (the rows under each recommendation)."""
    for button in buttons(message):
        action = callbacks.parse(button["callback_data"])
        if button["text"] == label and getattr(action, "movie_id", None) == movie_id:
            return button
    raise LookupError(f"no {label!r} button for movie {movie_id}")


def rate_popular(person: Person, count: int, value: str = "4") -> None:
    popular = person.say("/popular")
    for number in range(1, count + 1):
        person.rate(person.tap(person.current(popular), f"{number}. "), value)


def test_not_seen_hides_a_movie_from_the_popular_list_until_undone(
    bot: BotProcess, person: Person
) -> None:
    popular = person.say("/popular")
    first = listed_movies(popular)[0]

    after = person.tap(person.tap(popular, "1. "), "Not seen")

    assert "/hidden" in (person.answers[-1].params.get("text") or "")
    assert first not in listed_movies(after)
    assert listed_movies(after)[0] == listed_movies(popular)[1]  # the list moved up by one
    assert first not in listed_movies(person.say("/popular"))
    assert stored_marks(bot.database, person.id) == {first: "not_seen"}
    assert stored_ratings(bot.database, person.id) == {}

    hidden = person.say("/hidden")
    assert listed_movies(hidden) == [first]
    card = person.tap(hidden, "1. ")
    person.tap(card, "Undo Not seen")
    assert stored_marks(bot.database, person.id) == {}
    assert listed_movies(person.say("/popular"))[0] == first


def test_not_interested_and_later_keep_movies_out_of_recommendations(
    bot: BotProcess, person: Person
) -> None:
    rate_popular(person, 5)
    person.wait_sent("enough for personal")  # the offer after the fifth rating, not a reply
    recs = person.say("/recommend")
    dismissed, saved = listed_movies(recs)[:2]

    after = person.press(recs, mark_button(recs, dismissed, "Not interested")["callback_data"])
    assert dismissed not in listed_movies(after)
    after = person.press(after, mark_button(after, saved, "Later")["callback_data"])
    assert saved not in listed_movies(after)

    for _ in range(2):  # later lists too, not just the one edited
        assert not {dismissed, saved} & set(listed_movies(person.say("/recommend")))
    assert stored_marks(bot.database, person.id) == {dismissed: "not_interested", saved: "later"}

    watchlist = person.say("/watchlist")
    assert listed_movies(watchlist) == [saved]
    assert listed_movies(person.say("/hidden")) == [dismissed]

    # Seen it after all: a rating takes it off the watchlist.
    person.rate(person.tap(watchlist, "1. "), "5")
    assert saved not in stored_marks(bot.database, person.id)
    assert stored_ratings(bot.database, person.id)[saved] == 5.0
    assert "empty" in person.say("/watchlist")["text"]


def test_the_card_shows_a_prediction_once_the_person_has_rated(
    bot: BotProcess, person: Person
) -> None:
    popular = person.say("/popular")
    before = person.tap(popular, "2. ")
    assert "I think you'd rate it" not in before["text"]
    person.tap(before, "« Back")
    person.rate(person.tap(person.current(popular), "1. "), "5")

    card = person.tap(person.current(popular), "2. ")

    assert "I think you'd rate it ★" in card["text"]


def test_more_like_this_lists_rateable_movies_without_the_ones_rated(
    bot: BotProcess, person: Person
) -> None:
    rate_popular(person, 2)
    popular = person.say("/popular")
    card = person.tap(popular, "3. ")
    like = person.tap(card, "More like this")

    movies = listed_movies(like)
    assert movies and "More like" in like["text"]
    assert not set(movies) & set(stored_ratings(bot.database, person.id))
    similar_card = person.tap(like, "1. ")
    back = person.rate(similar_card, "4")
    assert numbered_buttons(back) and movies[0] not in listed_movies(back)


def test_forget_deletes_marks_too(bot: BotProcess, person: Person) -> None:
    popular = person.say("/popular")
    person.tap(person.tap(popular, "1. "), "Later")
    assert len(stored_marks(bot.database, person.id)) == 1

    ask = person.say("/forget")
    assert "saved" in ask["text"]
    person.tap(ask, "Yes")

    assert stored_marks(bot.database, person.id) == {}
    assert "empty" in person.say("/watchlist")["text"]
