"""Every Bot API call the bot makes: Telegram's rate limits, and retries of its hiccups.

Telegram limits what a bot sends, not what it answers: about 30 messages a second overall,
about one a second in one private chat (short bursts pass) and 20 a minute in a group.
`answerCallbackQuery` is not a message, so a button press is answered at once, never behind
everyone's edits (measured before: p50 5.6 s for the first answer under a 200-person burst,
because PTB's AIORateLimiter queued the handlers that answer behind their own edits).

Real Telegram answers 5xx, drops connections and times out now and then; each call is tried
again with backoff and jitter for a bounded time (`RetryPolicy`). Answers and edits are
idempotent and retried on any transient failure. A message send is retried only when
Telegram surely did not take it (flood control, a 5xx answer, a refused or dropped
connection): a dropped connection is the one case where the first attempt may have
arrived, and then the person can see the message twice (rare, accepted; without the retry
they would see an error instead). A send whose answer timed out is not retried: it arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import warnings
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.chat.turns import give_up_turn

log = logging.getLogger(__name__)

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]
Request = Callable[..., Coroutine[Any, Any, JSONResult]]

OVERALL_PER_S = 30
PRIVATE_BURST, PRIVATE_PERIOD_S = 5, 5.0
"""One message a second per private chat on average, five at once: Telegram allows short
bursts, and someone tapping through cards quickly should not wait for each screen."""
GROUP_PER_MINUTE = 20
IDLE_LIMITERS = 1024
"""Per-chat limiters kept before the idle ones (full capacity) are dropped."""
IDEMPOTENT = frozenset(
    {"answerCallbackQuery", "editMessageText", "editMessageReplyMarkup", "editMessageCaption",
     "deleteMessage", "setMyCommands", "deleteMyCommands", "getMe", "deleteWebhook",
     "setMyDescription", "setMyShortDescription", "setWebhook"}
)  # fmt: skip
"""Calls that do the same thing when repeated, so any transient failure is retried."""
ALREADY_ANSWERED = "query is too old"
"""Telegram's reason for refusing a second answer to a press."""


@dataclass(frozen=True)
class RetryPolicy:
    """How long and how often a failed call is tried again."""

    budget_s: float = 20.0
    """Give up once the failed attempts and the pauses between them would pass this long
    (waiting for the rate limits does not count: under load it is most of the time)."""
    answer_budget_s: float = 8.0
    """Answers to presses: Telegram stops accepting them a few seconds later anyway."""
    first_delay_s: float = 0.1
    max_delay_s: float = 2.0
    """About 13 attempts in the 20 s budget and 8 for an answer: under the load benchmark's
    20% of failing calls, 0.25 s doubling to 4 s left two answers of 1,500 unanswered."""

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Exponential backoff with jitter: 0.1, 0.2, 0.4 ... 2, 2 s, each x 0.5-1.5."""
        return min(self.max_delay_s, self.first_delay_s * 2**attempt) * rng.uniform(0.5, 1.5)

    def budget(self, endpoint: str) -> float:
        return self.answer_budget_s if endpoint == "answerCallbackQuery" else self.budget_s


def not_sent(error: NetworkError) -> bool:
    """Whether Telegram surely did not perform the call: it answered with an error (5xx), or
    the request never left (connection refused, no free connection, connect timeout)."""
    cause = error.__cause__
    if cause is None:
        return not isinstance(error, TimedOut)  # an HTTP error answer, e.g. 500 or 502
    return isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def dropped(error: NetworkError) -> bool:
    """The server closed the connection without an answer: it may or may not have acted."""
    return isinstance(error.__cause__, httpx.RemoteProtocolError | httpx.ReadError)


def retryable(error: Exception, endpoint: str) -> bool:
    """Whether `error` from `endpoint` is worth another attempt (see the module docstring)."""
    if isinstance(error, RetryAfter):
        return True
    if not isinstance(error, NetworkError) or isinstance(error, BadRequest):
        return False
    return endpoint in IDEMPOTENT or not_sent(error) or dropped(error)


def wait_for(error: Exception, attempt: int, policy: RetryPolicy, rng: random.Random) -> float:
    """Seconds before the next attempt: what flood control asks for, else the backoff."""
    if isinstance(error, RetryAfter):
        with warnings.catch_warnings():  # PTB 22 warns that this int becomes a timedelta
            warnings.simplefilter("ignore", PTBDeprecationWarning)
            value = error.retry_after
        return value.total_seconds() if isinstance(value, timedelta) else float(value)
    return policy.delay(attempt, rng)


class Limits:
    """The per-chat and overall limiters for messages (sends and edits)."""

    def __init__(self, overall_per_s: float = OVERALL_PER_S) -> None:
        self.overall = AsyncLimiter(overall_per_s, 1)
        self._chats: dict[int | str, AsyncLimiter] = {}

    def chat(self, chat_id: int | str) -> AsyncLimiter:
        """The chat's limiter: a group (negative id, or a @channel name) or a private chat."""
        if len(self._chats) > IDLE_LIMITERS:
            for key, limiter in list(self._chats.items()):
                if limiter.has_capacity(limiter.max_rate):
                    del self._chats[key]
        if chat_id not in self._chats:
            group = isinstance(chat_id, str) or chat_id < 0
            self._chats[chat_id] = (
                AsyncLimiter(GROUP_PER_MINUTE, 60) if group
                else AsyncLimiter(PRIVATE_BURST, PRIVATE_PERIOD_S)
            )  # fmt: skip
        return self._chats[chat_id]

    @contextlib.asynccontextmanager
    async def turn(self, endpoint: str, data: dict[str, Any]) -> AsyncIterator[None]:
        """Wait until a call may go out: messages wait for their chat, then for the overall
        limit; everything else (answers, getUpdates, getMe) goes at once."""
        chat_id = data.get("chat_id")
        if chat_id is None or not is_message(endpoint):
            yield
            return
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)
        chat = self.chat(chat_id)
        if not (chat.has_capacity() and self.overall.has_capacity()):
            give_up_turn()  # only waiting from here: the chat's next update may start
        async with chat, self.overall:
            yield


def is_message(endpoint: str) -> bool:
    """Calls that Telegram counts as messages: sends, edits, copies and forwards."""
    return endpoint.startswith(("send", "edit", "copy", "forward")) and endpoint != (
        "sendChatAction"
    )


class OutgoingLimiter(BaseRateLimiter[int]):
    """PTB's hook around every request: the limits above plus bounded retries."""

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        seed: int | None = None,
        overall_per_s: float = OVERALL_PER_S,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self._limits = Limits(overall_per_s)
        self._rng = random.Random(seed)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Request,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONResult:
        if endpoint == "getUpdates":  # the intake loop has its own backoff
            return await callback(*args, **kwargs)
        spent = 0.0  # in calls and pauses, not in waiting for the limits
        attempt = 0
        while True:
            called = time.monotonic()
            try:
                async with self._limits.turn(endpoint, data):
                    called = time.monotonic()
                    return await callback(*args, **kwargs)
            except BadRequest as error:
                if attempt and endpoint == "answerCallbackQuery" and _answered(error):
                    return True  # an earlier attempt got through before its answer was lost
                raise
            except (NetworkError, RetryAfter) as error:  # TimedOut is a NetworkError
                if not retryable(error, endpoint):
                    raise
                pause = wait_for(error, attempt, self.policy, self._rng)
                spent += time.monotonic() - called
                if spent + pause > self.policy.budget(endpoint):
                    log.warning(
                        "%s failed after %d attempts in %.1f s: %s: %s",
                        endpoint, attempt + 1, spent, type(error).__name__, error,
                    )  # fmt: skip
                    raise
                log.info(
                    "%s failed (%s: %s); try %d in %.2f s",
                    endpoint, type(error).__name__, error, attempt + 2, pause,
                )  # fmt: skip
            attempt += 1
            spent += pause
            await asyncio.sleep(pause)


def _answered(error: BadRequest) -> bool:
    return ALREADY_ANSWERED in error.message.lower()
