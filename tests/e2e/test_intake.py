"""Nothing fetched is lost, and one busy chat does not hold up the others (issue 10).

The real bot process against the fake Bot API: a crash (SIGKILL) or a stop (SIGTERM) with
updates fetched and not yet handled, then a restart; and a group flooding the bot while
someone else waits for a private reply.
"""

from __future__ import annotations

import itertools
import time

import pytest

from tests.support.botapi import FakeBotApi, Message, make_user
from tests.support.harness import BotProcess, Person

pytestmark = pytest.mark.e2e

_ids = itertools.count(950_001)
HELP = "How it works"


def help_replies(api: FakeBotApi, chat_id: int, since: int) -> int:
    return sum(
        1
        for call in api.calls("sendMessage", since=since)
        if call.ok and call.chat_id == chat_id and HELP in str(call.params.get("text"))
    )


def wait_replies(api: FakeBotApi, chats: list[int], since: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(help_replies(api, chat, since) for chat in chats):
            return
        time.sleep(0.2)
    missing = [chat for chat in chats if not help_replies(api, chat, since)]
    raise AssertionError(f"{len(missing)} of {len(chats)} people never got an answer")


def burst(api: FakeBotApi, people: int) -> tuple[list[int], Message]:
    """`people` new people send /help at once; their chats and the last message."""
    users = [make_user(next(_ids), "Burst") for _ in range(people)]
    messages = [api.send_text(user, "/help") for user in users]
    return [user["id"] for user in users], messages[-1]


def refuse_sends(api: FakeBotApi, count: int, retry_after: int) -> None:
    """Telegram's flood control refuses the next `count` sends: the bot holds those updates,
    fetched and confirmed but unanswered, for `retry_after` seconds."""
    for _ in range(count):
        api.fail_next("sendMessage", 429, "Too Many Requests", retry_after=retry_after)


def wait_confirmed(api: FakeBotApi, timeout: float = 10.0) -> None:
    """Until the bot's next getUpdates has confirmed everything sent so far."""
    deadline = time.monotonic() + timeout
    while api.pending_updates() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert api.pending_updates() == 0


@pytest.mark.errors_expected  # a killed bot's training run, if any, is marked failed
def test_a_crash_loses_no_update_that_was_fetched(bot: BotProcess, fake_api: FakeBotApi):
    mark = fake_api.mark()
    refuse_sends(fake_api, 40, retry_after=5)
    chats, _ = burst(fake_api, 40)
    wait_confirmed(fake_api)  # Telegram will not send these again
    bot.kill()
    assert not any(help_replies(fake_api, chat, mark) for chat in chats)
    bot.start()
    bot.wait_polling()
    wait_replies(fake_api, chats, mark)
    assert all(help_replies(fake_api, chat, mark) == 1 for chat in chats)
    assert "handling 40 updates left undone by the last run" in bot.log()


def test_a_stop_hands_back_what_it_could_not_finish(bot: BotProcess, fake_api: FakeBotApi):
    mark = fake_api.mark()
    refuse_sends(fake_api, 60, retry_after=12)  # longer than the stop waits
    chats, _ = burst(fake_api, 60)
    wait_confirmed(fake_api)
    started = time.monotonic()
    code = bot.stop()
    assert code == 0 and time.monotonic() - started < 10.0
    assert not any(help_replies(fake_api, chat, mark) for chat in chats)
    bot.start()
    bot.wait_polling()
    wait_replies(fake_api, chats, mark)
    assert all(help_replies(fake_api, chat, mark) == 1 for chat in chats)


def test_a_flooding_group_does_not_hold_up_a_private_chat(
    bot: BotProcess, fake_api: FakeBotApi, person: Person
):
    group = {"id": -1_009_000_000_001, "type": "group", "title": "Flood"}
    flooder = make_user(next(_ids), "Flood")
    for _ in range(60):
        fake_api.send_text(flooder, "/help", chat=group)
    time.sleep(1.0)  # the group's first sends are out; the rest wait for its limit
    started = time.monotonic()
    person.say("/help")
    assert time.monotonic() - started < 1.0
