"""A person's way through the bot: onboarding, rating with buttons, recommendations,
changing and removing ratings. The real bot process, a real SQLite file, a real model."""

from __future__ import annotations

import re

import pytest

from bot.chat import texts
from tests.support.botapi import NOT_MODIFIED, FakeBotApi, buttons, find_button
from tests.support.harness import (
    BotProcess,
    Person,
    button_texts,
    listed_movies,
    numbered_buttons,
    stored_ratings,
)

pytestmark = pytest.mark.e2e
RATING_LABELS = ["0.5", "1", "1.5", "2", "2.5", "3", "3.5", "4", "4.5", "5"]


def rating_values(card: dict) -> list[str]:
    return [t.split()[0] for t in button_texts(card) if re.fullmatch(r"\d(\.5)?( ✓)?", t)]


def test_start_rate_five_then_recommend(bot: BotProcess, person: Person, fake_api: FakeBotApi):
    welcome, popular = person.say_all("/start", 2)
    assert "/recommend" in welcome["text"]
    assert [b["text"].split(".")[0] for b in numbered_buttons(popular)] == [
        str(n) for n in range(1, 11)
    ]
    assert any("Next" in t for t in button_texts(popular))

    values = {1: "5", 2: "4.5", 3: "4", 4: "2", 5: "5"}
    ids = listed_movies(popular)
    screen = popular
    for number, value in values.items():
        card = person.tap(screen, f"{number}. ")
        assert rating_values(card) == RATING_LABELS
        assert {"Not seen", "« Back"} <= set(button_texts(card))
        assert re.search(r"Genres: .+\nMovieLens: ★\d\.\d average from \d+ ratings", card["text"])
        screen = person.rate(card, value)
        assert person.answers[-1].params.get("text", "").startswith("Saved")
        assert numbered_buttons(screen)[number - 1]["text"].endswith(f"★{value}")
        assert f"Rated: {number}." in screen["text"]
    assert stored_ratings(bot.database, person.id) == {
        ids[n - 1]: float(v) for n, v in values.items()
    }
    offer = person.wait_sent("personal recommendations")
    from_offer = person.tap(offer, "Show my recommendations")
    assert "Picked for you" in from_offer["text"]

    recs = person.say("/recommend")
    assert listed_movies(recs) == listed_movies(from_offer)
    first = listed_movies(recs)
    assert len(first) == 10
    assert not set(first) & set(ids[:5])
    assert recs["text"].count("predicted ★") == 10
    assert "Picked for you" in recs["text"]
    assert "because you rated" in recs["text"]

    # Rating a recommended movie right there changes the next list.
    card = person.tap(recs, "1. ")
    after = person.rate(card, "0.5")
    second = listed_movies(after)
    assert first[0] not in second
    assert second[:9] != first[1:], "the new rating did not move anything else in the list"
    assert stored_ratings(bot.database, person.id)[first[0]] == 0.5


def test_few_ratings_give_a_less_personal_list(bot: BotProcess, person: Person):
    popular = person.say("/popular")
    person.rate(person.tap(popular, "1. "), "4")
    recs = person.say("/recommend")
    assert "less personal" in recs["text"]
    assert len(listed_movies(recs)) == 10
    assert listed_movies(popular)[0] not in listed_movies(recs)


def test_back_stores_nothing(bot: BotProcess, person: Person):
    popular = person.say("/popular")
    after_back = person.tap(person.tap(popular, "2. "), "« Back")
    assert numbered_buttons(after_back) == numbered_buttons(popular)
    assert stored_ratings(bot.database, person.id) == {}


def test_unknown_commands_get_an_answer(bot: BotProcess, person: Person):
    assert "/help" in person.say("/frobnicate")["text"]


def test_popular_pages_number_fifty_movies(bot: BotProcess, person: Person):
    page = person.say("/popular")
    seen: list[str] = []
    for _ in range(5):
        seen += [b["text"].split(".")[0] for b in numbered_buttons(page)]
        if "Next »" not in button_texts(page):
            break
        page = person.tap(page, "Next")
    assert seen == [str(n) for n in range(1, 51)]
    assert "« Prev" in button_texts(page)
    assert numbered_buttons(person.tap(page, "« Prev"))[0]["text"].startswith("31. ")


def test_rerating_updates_in_place_and_removing_works(bot: BotProcess, person: Person):
    popular = person.say("/popular")
    movie = listed_movies(popular)[2]
    card = person.tap(popular, "3. ")
    person.rate(card, "2")
    card = person.tap(person.current(popular), "3. ")
    assert "★2" in card["text"]
    assert "2 ✓" in button_texts(card)
    person.rate(card, "4.5")
    assert stored_ratings(bot.database, person.id) == {movie: 4.5}

    mine = person.say("/myratings")
    assert numbered_buttons(mine)[0]["text"].endswith("★4.5")
    assert listed_movies(mine) == [movie]

    card = person.tap(mine, "1. ")
    assert "4.5 ✓" in button_texts(card)
    after = person.tap(card, "Remove")
    assert person.answers[-1].params.get("text", "").startswith("Removed")
    assert stored_ratings(bot.database, person.id) == {}
    assert "haven't rated" in after["text"]


def test_same_button_twice_is_harmless(bot: BotProcess, person: Person, fake_api: FakeBotApi):
    popular = person.say("/popular")
    card = person.tap(popular, "1. ")
    open_again = numbered_buttons(popular)[0]["callback_data"]
    mark = fake_api.mark()
    assert person.press_only(card, open_again).ok
    edit = fake_api.wait_for("editMessageText", since=mark)
    assert edit.error == NOT_MODIFIED  # Telegram refused the identical card...
    assert person.say("/help")["text"]  # ...and the bot shrugged it off
    sent = [c.result["text"] for c in fake_api.calls("sendMessage", since=mark) if c.ok]
    assert not any("went wrong" in text for text in sent)


def test_rapid_presses_are_all_answered_and_stored_once(
    bot: BotProcess, person: Person, fake_api: FakeBotApi
):
    popular = person.say("/popular")
    movie = listed_movies(popular)[0]
    card = person.tap(popular, "1. ")
    values = ["3", "3.5", "4", "4.5", "5"]
    rates = [
        next(b["callback_data"] for b in buttons(card) if b["text"] == value) for value in values
    ]
    queries = [fake_api.press(person.user, card, d) for d in rates + rates]  # no waiting
    for query in queries:
        assert fake_api.wait_answer(query).ok
    stored = stored_ratings(bot.database, person.id)
    assert list(stored) == [movie]
    assert stored[movie] in {float(v) for v in values}


def test_my_ratings_are_paged_newest_first(bot: BotProcess, person: Person):
    page = person.say("/popular")
    for number in range(1, 12):
        if number == 11:
            page = person.tap(page, "Next")
        page = person.rate(person.tap(page, f"{number}. "), "3")
    mine = person.say("/myratings")
    assert "11 (page 1/2)" in mine["text"]
    assert len(numbered_buttons(mine)) == 10
    newest = numbered_buttons(page)[0]["text"].replace("11. ", "1. ", 1)  # Popular No. 11
    assert numbered_buttons(mine)[0]["text"] == newest
    last = person.tap(mine, "Next")
    assert [b["text"].split(".")[0] for b in numbered_buttons(last)] == ["11"]


def test_a_press_on_a_deleted_message_gets_a_fresh_one(
    bot: BotProcess, person: Person, fake_api: FakeBotApi
):
    popular = person.say("/popular")
    movie = listed_movies(popular)[0]
    card = person.tap(popular, "1. ")
    five = next(b["callback_data"] for b in buttons(card) if b["text"] == "5")
    fake_api.delete_by_person(card)  # while the press is on its way
    mark = fake_api.mark()
    assert fake_api.wait_answer(fake_api.press(person.user, card, five)).ok
    fresh = fake_api.wait_for(
        "sendMessage", lambda c: c.ok and c.chat_id == person.id, since=mark
    ).result
    assert numbered_buttons(fresh)[0]["text"].endswith("★5")
    assert stored_ratings(bot.database, person.id) == {movie: 5.0}


def test_refresh_with_nothing_new_says_so(bot: BotProcess, person: Person):
    listed = person.say("/recommend")

    person.press_only(listed, find_button(listed, "Refresh")["callback_data"])

    assert person.answers[-1].params.get("text") == texts.current().nothing_new


def test_a_start_link_to_a_movie_opens_its_rating_card(bot: BotProcess, person: Person):
    popular = person.say("/popular")
    movie = listed_movies(popular)[2]

    card = person.say(f"/start rate_{movie}")

    assert rating_values(card) == RATING_LABELS
    person.rate(card, "4")
    assert stored_ratings(bot.database, person.id) == {movie: 4.0}


def test_a_start_link_to_an_unknown_movie_says_so_and_welcomes(bot: BotProcess, person: Person):
    said, welcome = person.say_all("/start rate_999999999", 2)

    assert said["text"] == texts.current().unknown_movie_link
    assert "/recommend" in welcome["text"]
