"""Checks over the whole e2e run, after every other test: each button press was answered,
and the bot token never showed up in the run's output (the bot process's log, with its
error paths exercised, and everything pytest captured in this directory)."""

from __future__ import annotations

import pytest

from tests.e2e import conftest
from tests.support.botapi import FakeBotApi
from tests.support.harness import BotProcess, Person

pytestmark = [pytest.mark.e2e, pytest.mark.run_last]


@pytest.mark.errors_expected
def test_errors_are_logged_and_reported_without_the_token(
    bot: BotProcess, person: Person, fake_api: FakeBotApi
):
    # A failed long poll and a failed reply: both are logged, in one line each.
    fake_api.fail_next("getUpdates", 502, "Bad Gateway")
    mark = fake_api.mark()
    fake_api.fail_next("sendMessage", 400, "Bad Request: injected failure")
    fake_api.send_text(person.user, "/help")
    sorry = fake_api.wait_for(
        "sendMessage", lambda c: c.ok and c.chat_id == person.id, timeout=30, since=mark
    )
    assert "went wrong" in sorry.result["text"]
    bot.wait_log(r"error while handling update \d+")  # the failed reply
    bot.wait_log(r"getUpdates failed \(NetworkError: Bad Gateway\)")  # the failed long poll

    token = fake_api.token
    secret = token.split(":", 1)[1]
    outputs = {"bot log": bot.log(), "pytest captured": "\n".join(conftest.CAPTURED)}
    for name, text in outputs.items():
        assert text, f"{name} is empty: nothing was checked"
        assert token not in text, f"the token is in the {name}"
        assert secret not in text, f"the token's secret is in the {name}"


def test_every_press_was_answered(bot: BotProcess, fake_api: FakeBotApi):
    assert fake_api.calls("answerCallbackQuery")
    assert fake_api.unanswered() == []
