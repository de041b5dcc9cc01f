"""Group chats: every bot message belongs to the person it answered; the group's own list."""

from __future__ import annotations

from typing import Any

import pytest

from bot.chat import callbacks, texts
from tests.support.botapi import FakeBotApi, Message, buttons, find_button
from tests.support.harness import (
    EDIT_METHODS,
    BotProcess,
    Person,
    button_texts,
    listed_movies,
    stored_ratings,
)
from tests.support.keyboard import movie_id

pytestmark = pytest.mark.e2e


def rate_from_popular(person: Person, numbers: range, value: str = "4.5") -> set[int]:
    """Rate the popular list's movies at `numbers` (in a private chat); their ids."""
    popular = person.say("/popular")
    rated = set()
    for number in numbers:
        card = person.tap(person.current(popular), f"{number}. ")
        rated.add(listed_movies(popular)[number - 1])
        person.rate(card, value)
    return rated


def copy_for(api: FakeBotApi, presser: Person, pressed: Message, since: int) -> Message:
    """The new message the bot sends `presser` in the group after a press on `pressed`."""
    call = api.wait_for(
        lambda c: c.ok and c.method == "sendMessage" and c.chat_id == pressed["chat"]["id"],
        lambda c: (
            (c.result.get("reply_to_message") or {}).get("message_id") == pressed["message_id"]
        ),
        since=since,
    )
    return api.message(pressed["chat"]["id"], call.result["message_id"]) or call.result


def edits_of(api: FakeBotApi, message: Message, since: int) -> list[Any]:
    return [
        call
        for call in api.calls(since=since)
        if call.method in EDIT_METHODS
        and call.chat_id == message["chat"]["id"]
        and call.params.get("message_id") == message["message_id"]
    ]


def test_the_group_list_is_for_both_members_and_excludes_what_either_rated(
    bot: BotProcess, person: Person, another: Person, group: dict[str, Any]
) -> None:
    alice, bob = person, another
    rated = rate_from_popular(alice, range(1, 6)) | rate_from_popular(bob, range(6, 11))
    alice.wait_sent("personal recommendations")
    alice_here, bob_here = alice.in_group(group), bob.in_group(group)
    bob_here.say("/help")  # Bob uses the bot in this group too

    listed = alice_here.say("/recommend")

    assert f"For {alice.user['first_name']} and {bob.user['first_name']}" in listed["text"]
    assert listed["reply_to_message"]["from"]["id"] == alice.id  # it answers Alice
    movies = listed_movies(listed)
    assert movies and not set(movies) & rated
    assert "because you rated" not in listed["text"]


def test_a_press_by_someone_else_opens_their_own_copy_and_never_edits_the_owners(
    bot: BotProcess, fake_api: FakeBotApi, person: Person, another: Person, group: dict[str, Any]
) -> None:
    alice, bob = person.in_group(group), another.in_group(group)
    listed = alice.say("/popular")
    before = alice.current(listed)
    mark = fake_api.mark()

    fake_api.press_button(bob.user, listed, "1. ")
    card = copy_for(fake_api, bob, listed, mark)
    bob.rate(card, "3.5")  # Bob's own copy: his presses edit it

    movie = listed_movies(listed)[0]
    assert card["text"].startswith(f"For {bob.user['first_name']}")
    assert stored_ratings(bot.database, bob.id) == {movie: 3.5}
    assert stored_ratings(bot.database, alice.id) == {}
    assert edits_of(fake_api, listed, mark) == []
    assert alice.current(listed) == before


def test_a_rating_pressed_on_someone_elses_card_is_stored_for_the_presser(
    bot: BotProcess, fake_api: FakeBotApi, person: Person, another: Person, group: dict[str, Any]
) -> None:
    alice, bob = person.in_group(group), another.in_group(group)
    card = alice.tap(alice.say("/popular"), "2. ")
    movie = movie_id(callbacks.parse(find_button(card, "4")["callback_data"]))
    mark = fake_api.mark()

    answer = bob.press_only(card, find_button(card, "4")["callback_data"])

    assert "Saved" in (answer.params.get("text") or "")
    assert stored_ratings(bot.database, bob.id) == {movie: 4.0}
    assert stored_ratings(bot.database, alice.id) == {}
    assert edits_of(fake_api, card, mark) == []


def test_group_lists_never_show_anyones_ratings(
    bot: BotProcess, person: Person, group: dict[str, Any]
) -> None:
    rate_from_popular(person, range(1, 4), "5")
    here = person.in_group(group)

    listed = here.say("/popular")

    assert "Rated:" not in listed["text"]
    assert not any("★" in text for text in button_texts(listed))


def test_personal_lists_are_offered_in_private_only(
    bot: BotProcess, person: Person, group: dict[str, Any]
) -> None:
    reply = person.in_group(group).say("/myratings")

    assert reply["text"] == texts.current().groups.private_only
    assert buttons(reply)[0]["url"] == "https://t.me/movie_test_bot"


def test_plain_text_in_a_group_is_a_search_only_when_it_replies_to_the_bot(
    bot: BotProcess, fake_api: FakeBotApi, person: Person, group: dict[str, Any]
) -> None:
    here = person.in_group(group)
    listed = here.say("/popular")
    mark = fake_api.mark()

    fake_api.send_text(person.user, "toy story", chat=group)
    asked = fake_api.reply_text(person.user, listed, "toy story")
    found = fake_api.wait_for(
        lambda c: c.ok and c.method == "sendMessage" and c.chat_id == group["id"], since=mark
    )

    # The chat's updates are handled in order, so an answer to the chatter would come first.
    assert found.result["reply_to_message"]["message_id"] == asked["message_id"]
    assert "Toy Story" in " ".join(button_texts(found.result))
