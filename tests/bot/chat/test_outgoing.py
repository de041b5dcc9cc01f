"""Retries of Telegram's transient failures and the per-chat limits (bot.chat.outgoing)."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.chat.outgoing import Limits, OutgoingLimiter, RetryPolicy, is_message, retryable

FAST = RetryPolicy(budget_s=2.0, answer_budget_s=1.0, first_delay_s=0.01, max_delay_s=0.05)


def network(cause: Exception | None, message: str = "boom") -> NetworkError:
    error = NetworkError(message)
    error.__cause__ = cause
    return error


def timed_out(cause: Exception) -> TimedOut:
    error = TimedOut()
    error.__cause__ = cause
    return error


REFUSED = network(httpx.ConnectError("refused"))
DROPPED = network(httpx.RemoteProtocolError("Server disconnected without sending a response."))
SERVER_ERROR = network(None, "Internal Server Error")
READ_TIMEOUT = timed_out(httpx.ReadTimeout("slow"))
CONNECT_TIMEOUT = timed_out(httpx.ConnectTimeout("slow"))


class Script:
    """A request that fails with the given errors, in order, then succeeds."""

    def __init__(self, *errors: Exception, result: Any = None) -> None:
        self.errors = list(errors)
        self.calls = 0
        self.result = {"message_id": 1} if result is None else result

    async def __call__(self) -> Any:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return self.result


async def send(limiter: OutgoingLimiter, script: Script, endpoint: str, chat_id: int = 7) -> Any:
    data = {} if endpoint == "answerCallbackQuery" else {"chat_id": chat_id}
    return await limiter.process_request(script, (), {}, endpoint, data, None)


@pytest.mark.parametrize(
    ("error", "endpoint", "expected"),
    [
        (SERVER_ERROR, "sendMessage", True),
        (REFUSED, "sendMessage", True),
        (DROPPED, "sendMessage", True),  # may have arrived: the rare duplicate is accepted
        (CONNECT_TIMEOUT, "sendMessage", True),
        (READ_TIMEOUT, "sendMessage", False),  # it arrived: Telegram most likely sent it
        (READ_TIMEOUT, "editMessageText", True),
        (READ_TIMEOUT, "answerCallbackQuery", True),
        (RetryAfter(1), "sendMessage", True),
        (BadRequest("Message is not modified"), "editMessageText", False),
        (Forbidden("bot was blocked by the user"), "sendMessage", False),
    ],
)
def test_what_is_retried(error: Exception, endpoint: str, expected: bool) -> None:
    assert retryable(error, endpoint) is expected


@pytest.mark.parametrize("error", [SERVER_ERROR, REFUSED, DROPPED, CONNECT_TIMEOUT])
async def test_a_transient_failure_is_retried_until_it_succeeds(error: Exception) -> None:
    script = Script(error, error)
    assert await send(OutgoingLimiter(FAST, seed=1), script, "sendMessage") == {"message_id": 1}
    assert script.calls == 3


async def test_a_send_that_timed_out_reading_is_not_sent_twice() -> None:
    script = Script(READ_TIMEOUT)
    with pytest.raises(TimedOut):
        await send(OutgoingLimiter(FAST), script, "sendMessage")
    assert script.calls == 1


async def test_flood_control_waits_the_time_telegram_asks_for() -> None:
    script = Script(RetryAfter(1))
    started = time.monotonic()
    await send(OutgoingLimiter(FAST), script, "editMessageText")
    assert time.monotonic() - started >= 1.0 and script.calls == 2


async def test_retries_stop_at_the_budget_with_one_warning(caplog) -> None:
    script = Script(*[SERVER_ERROR] * 1000)
    with caplog.at_level(logging.INFO, logger="bot.chat.outgoing"), pytest.raises(NetworkError):
        await send(OutgoingLimiter(FAST, seed=2), script, "answerCallbackQuery")
    assert 5 < script.calls < 1000
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "failed after" in warnings[0].getMessage()
    assert all(r.exc_info is None for r in caplog.records)  # lines, not tracebacks


async def test_an_answer_whose_first_attempt_arrived_counts_as_answered() -> None:
    script = Script(DROPPED, BadRequest("Query is too old and response timeout expired"))
    assert await send(OutgoingLimiter(FAST), script, "answerCallbackQuery") is True


async def test_a_first_bad_request_is_raised_at_once() -> None:
    script = Script(BadRequest("Query is too old and response timeout expired"))
    with pytest.raises(BadRequest):
        await send(OutgoingLimiter(FAST), script, "answerCallbackQuery")
    assert script.calls == 1


def test_only_messages_are_limited() -> None:
    assert is_message("sendMessage") and is_message("editMessageText")
    assert not is_message("answerCallbackQuery") and not is_message("sendChatAction")
    assert not is_message("getUpdates")


async def test_answers_are_not_queued_behind_a_chats_messages() -> None:
    limiter = OutgoingLimiter(FAST)
    # Use up one private chat's burst: its next message has to wait about a second.
    for _ in range(5):
        await send(limiter, Script(), "sendMessage", chat_id=5)
    waiting = asyncio.create_task(send(limiter, Script(), "sendMessage", chat_id=5))
    started = time.monotonic()
    await send(limiter, Script(result=True), "answerCallbackQuery")
    answered = time.monotonic() - started
    await waiting
    assert answered < 0.5 < time.monotonic() - started


def test_groups_get_the_group_limit_and_private_chats_the_private_one() -> None:
    limits = Limits()
    assert limits.chat(-100123).max_rate == 20 and limits.chat(-100123).time_period == 60
    assert limits.chat(42).max_rate == 5 and limits.chat(42).time_period == 5.0
    assert limits.chat("@channel").time_period == 60


async def test_the_overall_limit_is_this_processs_share_of_the_bots() -> None:
    """MESSAGES_PER_SECOND=15 (one of two replicas): of 20 messages to 20 chats, 15 go at once
    and 5 wait a third of a second; at 30/s all 20 go at once."""
    elapsed = {}
    for per_s in (30.0, 15.0):
        limiter = OutgoingLimiter(FAST, overall_per_s=per_s)
        started = time.monotonic()
        await asyncio.gather(
            *(send(limiter, Script(), "sendMessage", chat_id=chat) for chat in range(1, 21))
        )
        elapsed[per_s] = time.monotonic() - started
    assert elapsed[30.0] < 0.15 and elapsed[15.0] > 0.25
