"""Callback data is untrusted: any client can send any bytes. Each forged or malformed
press gets an answer, changes nothing in the database, and the bot keeps working."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tests.support.botapi import FakeBotApi
from tests.support.harness import BotProcess, Person, listed_movies, stored_ratings

pytestmark = pytest.mark.e2e
_others = itertools.count(990_001)


def forged(movie: int, victim: int) -> dict[str, str]:
    return {
        "garbage": "\x00\xff not callback data",
        "too long": "v1|r|1|10|p0|" + "x" * 80,
        "empty view": "v1|",
        "unknown movie": "v1|r|999999999|10|p0",
        "unknown movie card": "v1|m|999999999|p0",
        "rating 7": f"v1|r|{movie}|14|p0",
        "rating 0": f"v1|r|{movie}|0|p0",
        "negative rating": f"v1|r|{movie}|-2|p0",
        "fractional rating": f"v1|r|{movie}|9.5|p0",
        "movie id with sign": f"v1|r|+{movie}|8|p0",
        "other version": f"v2|r|{movie}|8|p0",
        "no version": f"r|{movie}|8|p0",
        "page out of range": "v1|p99",
        "someone else's forget": f"v1|f|{victim}|1",
        "extra field": f"v1|r|{movie}|8|p0|p1",
        "sql": "v1|r|1 OR 1=1|8|p0",
    }


def test_forged_presses_are_answered_and_change_nothing(
    bot: BotProcess, person: Person, fake_api: FakeBotApi
):
    victim = Person(fake_api, next(_others), "Bob")
    bob_list = victim.say("/popular")
    victim.rate(victim.tap(bob_list, "1. "), "5")
    popular = person.say("/popular")
    movie = listed_movies(popular)[1]
    person.rate(person.tap(popular, "2. "), "3")
    before = {p.id: stored_ratings(bot.database, p.id) for p in (person, victim)}

    for name, data in forged(movie, victim.id).items():
        answer = person.press_only(person.current(popular), data)
        assert answer.ok, name
        assert answer.params.get("text"), f"{name}: the press got no explanation"
        assert "went wrong" not in answer.params["text"], f"{name}: handled as a crash"

    assert {p.id: stored_ratings(bot.database, p.id) for p in (person, victim)} == before
    # Still working for both: a real button press and a command.
    card = person.tap(person.current(popular), "3. ")
    person.rate(card, "4.5")
    assert stored_ratings(bot.database, person.id)[listed_movies(popular)[2]] == 4.5
    assert "Your ratings" in victim.say("/myratings")["text"]


def test_removing_a_rating_that_is_not_there_changes_nothing(bot: BotProcess, person: Person):
    popular = person.say("/popular")
    movie = listed_movies(popular)[0]
    answer = person.press_only(popular, f"v1|x|{movie}|p0")  # a stale "Remove" button
    assert answer.params.get("text") == "You hadn't rated that movie."
    assert stored_ratings(bot.database, person.id) == {}


def test_a_rating_in_a_group_belongs_to_whoever_pressed(
    bot: BotProcess, person: Person, fake_api: FakeBotApi
):
    friend = Person(fake_api, next(_others), "Cleo")
    group: dict[str, Any] = {
        "id": -1000000000000 - person.id,
        "type": "supergroup",
        "title": "Movie night",
    }
    mark = fake_api.mark()
    fake_api.send_text(person.user, "/popular@movie_test_bot", chat=group)
    popular = fake_api.wait_message(group["id"], since=mark)
    movie = listed_movies(popular)[0]

    mark = fake_api.mark()
    fake_api.wait_answer(fake_api.press_button(friend.user, popular, "1. "))
    card = fake_api.wait_message(group["id"], since=mark)
    fake_api.wait_answer(fake_api.press_button(friend.user, card, "4"))

    assert stored_ratings(bot.database, friend.id) == {movie: 4.0}
    assert stored_ratings(bot.database, person.id) == {}
