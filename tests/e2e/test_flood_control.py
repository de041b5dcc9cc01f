"""Telegram's flood control (429 with retry_after): replies go through PTB's rate limiter,
which waits and sends again instead of losing the message or crashing the handler."""

from __future__ import annotations

import pytest

from tests.support.botapi import FakeBotApi
from tests.support.harness import BotProcess, Person

pytestmark = pytest.mark.e2e


def test_a_reply_refused_by_flood_control_is_sent_after_the_wait(
    bot: BotProcess, person: Person, fake_api: FakeBotApi
):
    mark = fake_api.mark()
    fake_api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    reply = person.say("/help")
    refused, sent = fake_api.calls("sendMessage", since=mark)[:2]
    assert (refused.ok, sent.ok) == (False, True)
    assert sent.at - refused.at >= 1.0
    assert "/recommend" in reply["text"]
