"""/export against the real bot: a CSV document whose rows are what /myratings, /watchlist and
/hidden show, and nothing about the person posted in a group."""

from __future__ import annotations

import csv
import io

import pytest

from bot.chat import texts
from tests.support.botapi import FakeBotApi, buttons
from tests.support.harness import BotProcess, Person, listed_movies, numbered_buttons

pytestmark = pytest.mark.e2e
GROUP = {"id": -1_009_911, "type": "group", "title": "Export night"}


def document_rows(api: FakeBotApi, person: Person, since: int) -> list[dict[str, str]]:
    call = api.wait_for(
        lambda c: c.ok and c.method == "sendDocument" and c.chat_id == person.id, since=since
    )
    return list(csv.DictReader(io.StringIO(call.files["document"].decode("utf-8"))))


def shown_stars(message: dict) -> list[str]:
    """The stars on each numbered button of a list: "3. Title ★4.5" -> "4.5"."""
    return [button["text"].rsplit("★", 1)[1] for button in numbered_buttons(message)]


def test_the_document_holds_what_myratings_shows_then_the_marks(
    fake_api: FakeBotApi, bot: BotProcess, person: Person
) -> None:
    listing = person.say("/popular")
    for number, stars in (("1. ", "4"), ("2. ", "2.5"), ("3. ", "5")):
        person.rate(person.tap(listing, number), stars)
    person.tap(person.tap(listing, "4. "), texts.current().button_later)
    person.tap(person.tap(listing, "5. "), texts.current().button_not_seen)
    mine = person.say("/myratings")
    later, hidden = listed_movies(person.say("/watchlist")), listed_movies(person.say("/hidden"))

    mark = fake_api.mark()
    fake_api.send_text(person.user, "/export")
    rows = document_rows(fake_api, person, mark)

    ratings = [r for r in rows if r["signal"] == "rating"]
    assert [int(r["movieId"]) for r in ratings] == listed_movies(mine)
    assert [f"{float(r['rating']):g}" for r in ratings] == shown_stars(mine) == ["5", "2.5", "4"]
    assert [texts.short(r["title"]) for r in ratings] == [
        b["text"].split(". ", 1)[1].rsplit(" ★", 1)[0] for b in numbered_buttons(mine)
    ]
    marks = [(int(r["movieId"]), r["signal"], r["rating"]) for r in rows[len(ratings) :]]
    assert sorted(marks) == sorted([(later[0], "later", ""), (hidden[0], "not_seen", "")])
    assert all(r["timestamp"].isdigit() for r in rows)


def test_in_a_group_it_answers_to_ask_in_private_and_posts_nothing(
    fake_api: FakeBotApi, bot: BotProcess, person: Person
) -> None:
    person.rate(person.tap(person.say("/popular"), "1. "), "4")
    mark = fake_api.mark()

    fake_api.send_text(person.user, "/export", chat=GROUP)
    answer = fake_api.wait_for(
        lambda c: c.ok and c.method == "sendMessage" and c.chat_id == GROUP["id"], since=mark
    )

    assert answer.result["text"] == texts.current().groups.private_only
    assert buttons(answer.result)[0]["url"] == "https://t.me/movie_test_bot"
    assert fake_api.calls("sendDocument", since=mark) == []


def test_with_nothing_stored_it_says_so(bot: BotProcess, person: Person) -> None:
    assert person.say("/export")["text"] == texts.current().export_nothing
