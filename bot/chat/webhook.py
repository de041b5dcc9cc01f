"""The webhook: Telegram POSTs each update to WEBHOOK_URL, and the bot's own server takes it.

PTB's `run_webhook` needs its Updater, which this bot replaced with the inbox
(bot.chat.intake), so the server is aiohttp's and a request goes the way a polled batch
goes, through the intake's `take`:

- without the secret Telegram was given (the X-Telegram-Bot-Api-Secret-Token header,
  compared in constant time): 403, and the body is never read;
- a body that is not an update: 400, nothing stored;
- an update: written to the inbox, queued, then answered 200 (from then on Telegram does not
  send it again); one Telegram sends again (it got no answer in time) is answered 200 and
  not handled twice.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web
from telegram import Bot, Update

from bot.chat.metrics import Metrics

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WARN_EVERY_S = 60.0
"""Refused requests are logged at most once a minute, with how many there were: anyone on
the internet can send them, and the log must not be theirs to fill."""

Take = Callable[[Sequence[Update]], Awaitable[int]]
"""Store updates in the inbox and queue the new ones (bot.chat.intake.Intake.take)."""


class Receiver:
    """The handler of the webhook's POSTs."""

    def __init__(self, secret: str, take: Take, bot: Bot, metrics: Metrics) -> None:
        self._secret = secret.encode()
        self._take = take
        self._bot = bot
        self._metrics = metrics
        self._refused: dict[int, int] = {}
        """Requests refused with each status since its last warning."""
        self._warned_at: dict[int, float] = {}

    async def receive(self, request: web.Request) -> web.Response:
        """Refuse (403, 400) or store and queue the update (200)."""
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self._secret):
            return self._refuse(403, "without the right secret")
        update = self._update(await request.read())
        if update is None:
            return self._refuse(400, "whose body is not a Telegram update")
        await self._take([update])
        self._metrics.webhook_answered(200)
        return web.Response()

    def _update(self, body: bytes) -> Update | None:
        """The update in the body; None when it is not one (not JSON, no update_id, ...)."""
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or type(data.get("update_id")) is not int:
                return None
            return Update.de_json(data, self._bot)
        except (ValueError, TypeError, KeyError, AttributeError):  # what PTB raises for junk
            return None

    def _refuse(self, status: int, why: str) -> web.Response:
        self._metrics.webhook_answered(status)
        self._refused[status] = self._refused.get(status, 0) + 1
        now = time.monotonic()
        if now - self._warned_at.get(status, -WARN_EVERY_S) >= WARN_EVERY_S:
            count = self._refused.pop(status)
            log.warning("webhook: %d request(s) %s refused (HTTP %d)", count, why, status)
            self._warned_at[status] = now
        return web.Response(status=status)


def add_webhook(
    app: web.Application, path: str, secret: str, take: Take, bot: Bot, metrics: Metrics
) -> None:
    """Take Telegram's POSTs at `path` (the path of WEBHOOK_URL)."""
    app.router.add_post(path, Receiver(secret, take, bot, metrics).receive)
