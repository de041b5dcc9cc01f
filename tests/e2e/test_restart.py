"""Restarting the bot process: people's ratings and their recommendations survive, and
the trained model is loaded from its artifact instead of being trained again."""

from __future__ import annotations

import pytest

from tests.support.harness import BotProcess, Person, listed_movies, numbered_buttons

pytestmark = pytest.mark.e2e


def test_ratings_and_recommendations_survive_a_restart(bot: BotProcess, person: Person):
    popular = person.say("/popular")
    for number, value in zip(range(1, 6), ("5", "4", "3.5", "1", "4.5"), strict=True):
        person.rate(person.tap(person.current(popular), f"{number}. "), value)
    person.wait_sent("personal recommendations")  # the offer after the fifth rating
    ratings_before = person.say("/myratings")
    recs_before = person.say("/recommend")
    trainings = bot.log().count("training process")

    assert bot.restart() == 0  # a clean shutdown on SIGTERM

    ratings_after = person.say("/myratings")
    assert [b["text"] for b in numbered_buttons(ratings_after)] == [
        b["text"] for b in numbered_buttons(ratings_before)
    ]
    recs_after = person.say("/recommend")
    assert "Picked for you" in recs_after["text"]  # served by the model, not the fallback
    assert listed_movies(recs_after) == listed_movies(recs_before)
    assert bot.log().count("training process") == trainings  # loaded, not retrained
