"""Updates nobody planned for, through the real bot process: each is ignored on purpose or
answered, none reaches the error handler, and nobody in particular gets no identity.

Edited messages and channel posts are dropped (the log says so); a sticker in a private
chat gets a pointer to text; a command with no person behind it (no `from`, an anonymous
group admin) gets a pointer to a private chat; forged callback data holding a lone
surrogate is refused like any forged data.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any

import pytest

from bot.chat import texts
from tests.support.botapi import FakeBotApi, User
from tests.support.harness import BotProcess, Person, person_known, stored_ratings

pytestmark = pytest.mark.e2e
ANONYMOUS_ADMIN: dict[str, Any] = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
STICKER = {
    "file_id": "sticker-1",
    "file_unique_id": "s1",
    "type": "regular",
    "width": 512,
    "height": 512,
    "is_animated": False,
    "is_video": False,
}
_message_ids = itertools.count(700_001)
"""Ids of the messages people send here: far from the ids the fake server gives out."""
_groups = itertools.count(1)


def raw_message(
    chat: dict[str, Any], sender: User | None, text: str | None = None, **content: Any
) -> dict[str, Any]:
    """A message body as Telegram sends it; a leading /command gets its entity."""
    body: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat,
        **content,
    }
    if sender is not None:
        body["from"] = sender
    if text is not None:
        body["text"] = text
        if text.startswith("/"):
            body["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
    return body


def private(user: User) -> dict[str, Any]:
    return {"id": user["id"], "type": "private", "first_name": user["first_name"]}


@pytest.fixture
def group() -> dict[str, Any]:
    return {"id": -1002000000000 - next(_groups), "type": "supergroup", "title": "Film club"}


@pytest.fixture
def bot_log(bot: BotProcess) -> Iterator[None]:
    """The test's stretch of the bot's log has no traceback and no crashed update."""
    start = len(bot.log())
    yield
    stretch = bot.log()[start:]
    assert "Traceback" not in stretch
    assert "error while handling update" not in stretch


def sent_to(api: FakeBotApi, chat_id: int, since: int) -> list[str]:
    return [
        c.params.get("text", "") for c in api.calls("sendMessage", since) if c.chat_id == chat_id
    ]


@pytest.mark.usefixtures("bot_log")
def test_edited_messages_and_channel_posts_are_ignored(
    bot: BotProcess, person: Person, fake_api: FakeBotApi
) -> None:
    person.rate(person.tap(person.say("/popular"), "1. "), "4")
    channel: dict[str, Any] = {"id": -1003000000001, "type": "channel", "title": "Film news"}
    mark = fake_api.mark()
    odd = {
        "edited_message": raw_message(private(person.user), person.user, "/forget", edit_date=1),
        "channel_post": raw_message(channel, None, "/popular", sender_chat=channel),
        "edited_channel_post": raw_message(
            channel, None, "/help", sender_chat=channel, edit_date=1
        ),
    }
    for kind, body in odd.items():
        update_id = fake_api.send_raw({kind: body})
        bot.wait_log(rf"ignored update {update_id} \({kind}\)")

    assert person.say("/help")["text"].startswith("How it works")
    assert len(sent_to(fake_api, person.id, mark)) == 1  # the help, nothing for the edit
    assert sent_to(fake_api, channel["id"], mark) == []
    assert len(stored_ratings(bot.database, person.id)) == 1


@pytest.mark.usefixtures("bot_log")
def test_a_sticker_in_private_gets_a_pointer_to_text(
    bot: BotProcess, person: Person, fake_api: FakeBotApi
) -> None:
    mark = fake_api.mark()
    fake_api.send_raw({"message": raw_message(private(person.user), person.user, sticker=STICKER)})
    assert (
        fake_api.wait_message(person.id, since=mark, timeout=20)["text"]
        == texts.current().text_only
    )


@pytest.mark.usefixtures("bot_log")
def test_an_anonymous_admin_is_told_to_rate_in_private(
    bot: BotProcess, fake_api: FakeBotApi, group: dict[str, Any]
) -> None:
    mark = fake_api.mark()
    anonymous = raw_message(group, ANONYMOUS_ADMIN, "/myratings@movie_test_bot", sender_chat=group)
    fake_api.send_raw({"message": anonymous})
    reply = fake_api.wait_message(group["id"], since=mark, timeout=20)
    assert reply["text"] == texts.current().needs_a_person
    assert not person_known(bot.database, ANONYMOUS_ADMIN["id"])


@pytest.mark.usefixtures("bot_log")
def test_a_command_without_from_is_told_to_rate_in_private(
    bot: BotProcess, fake_api: FakeBotApi, group: dict[str, Any]
) -> None:
    mark = fake_api.mark()
    fake_api.send_raw({"message": raw_message(group, None, "/popular@movie_test_bot")})
    assert (
        fake_api.wait_message(group["id"], since=mark, timeout=20)["text"]
        == texts.current().needs_a_person
    )


@pytest.mark.usefixtures("bot_log")
def test_a_press_by_an_anonymous_admin_is_refused_on_the_button(
    bot: BotProcess, person: Person, fake_api: FakeBotApi
) -> None:
    popular = person.say("/popular")
    data = next(b["callback_data"] for b in popular["reply_markup"]["inline_keyboard"][0])
    query_id = "anonymous-press-1"
    fake_api.send_raw(
        {
            "callback_query": {
                "id": query_id,
                "from": ANONYMOUS_ADMIN,
                "message": popular,
                "chat_instance": "1",
                "data": data,
            }
        }
    )
    assert (
        fake_api.wait_answer(query_id, timeout=20).params.get("text")
        == texts.current().needs_a_person
    )
    assert not person_known(bot.database, ANONYMOUS_ADMIN["id"])


@pytest.mark.usefixtures("bot_log")
@pytest.mark.parametrize("data", ["v1|s\udcbfx", "v1|r|1|\udcbf|p0", "\udcff\udcfe"])
def test_callback_data_with_a_lone_surrogate_is_refused_like_forged_data(
    bot: BotProcess, person: Person, data: str
) -> None:
    popular = person.say("/popular")
    person.rate(person.tap(popular, "1. "), "3.5")
    before = stored_ratings(bot.database, person.id)
    answer = person.press_only(person.current(popular), data)
    assert answer.params.get("text") == texts.current().bad_button
    assert stored_ratings(bot.database, person.id) == before
    bot.wait_log(rf"rejected callback data from {person.id}: not UTF-8")


@pytest.mark.errors_expected  # the unreadable update is logged as an error, once
def test_an_update_the_library_cannot_read_is_skipped_and_intake_goes_on(
    bot: BotProcess, person: Person, fake_api: FakeBotApi
) -> None:
    broken_poll = {"id": "p1", "question": "?", "options": [], "total_voter_count": 0}
    update_id = fake_api.send_raw(
        {"message": raw_message(private(person.user), person.user, poll=broken_poll)}
    )
    assert person.say("/help")["text"].startswith("How it works")
    bot.wait_log(rf"update {update_id} cannot be read")
