"""/forget: confirmation by buttons, then every row about the person is gone."""

from __future__ import annotations

import pytest

from tests.support.harness import BotProcess, Person, button_texts, person_known, stored_ratings

pytestmark = pytest.mark.e2e


def rate_first(person: Person, count: int) -> None:
    popular = person.say("/popular")
    for number in range(1, count + 1):
        card = person.tap(person.current(popular), f"{number}. ")
        person.rate(card, "4")


def test_forget_asks_first_and_then_deletes_everything(bot: BotProcess, person: Person):
    rate_first(person, 2)
    assert len(stored_ratings(bot.database, person.id)) == 2

    ask = person.say("/forget")
    assert "2 ratings" in ask["text"]
    assert len(button_texts(ask)) == 2
    cancelled = person.tap(ask, "Cancel")
    assert "nothing was deleted" in cancelled["text"].lower()
    assert len(stored_ratings(bot.database, person.id)) == 2

    ask = person.say("/forget")
    done = person.tap(ask, "Yes")
    assert "deleted" in done["text"]
    assert stored_ratings(bot.database, person.id) == {}
    assert not person_known(bot.database, person.id)

    # The person can start over afterwards.
    assert "haven't rated" in person.say("/myratings")["text"]


def test_forget_with_nothing_stored_says_so(bot: BotProcess, person: Person):
    assert "nothing stored" in person.say("/forget")["text"]
    assert not person_known(bot.database, person.id)
