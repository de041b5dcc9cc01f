"""The /retrain message: one message edited as a training run progresses."""

from __future__ import annotations

import logging
import time
from typing import Any

from telegram import Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.chat import admin_texts as texts

log = logging.getLogger(__name__)

EDIT_INTERVAL_S = 2.0
"""At most one progress edit per this many seconds: Telegram allows ~1 message a second a chat."""


class LiveMessage:
    """One message edited as a run progresses: throttled, and never an identical edit."""

    def __init__(self, message: Message, interval_s: float = EDIT_INTERVAL_S) -> None:
        self._message = message
        self._interval_s = interval_s
        self._state: dict[str, Any] = {}
        self._shown = message.text_html if message.text else ""
        self._last_edit = 0.0

    async def update(self, event: dict[str, Any]) -> None:
        """Takes one worker event; shows a new stage at once, epochs at most every interval."""
        kind = event.get("event")
        fields = {k: v for k, v in event.items() if k != "event"}
        if kind in ("epoch", "start"):
            self._state.update(fields, stage="training")
        elif kind == "stage":
            self._state["stage"] = event.get("stage")
        stage_changed = kind in ("stage", "start")
        if stage_changed or time.monotonic() - self._last_edit >= self._interval_s:
            await self._edit(texts.progress(self._state))

    async def finish(self, text: str) -> None:
        """The final edit is never throttled; if editing fails the result is sent anew."""
        if not await self._edit(text):
            await self._message.reply_text(text, parse_mode=ParseMode.HTML)

    async def _edit(self, text: str) -> bool:
        if text == self._shown:
            return True
        self._last_edit = time.monotonic()
        try:
            await self._message.edit_text(text, parse_mode=ParseMode.HTML)
        except BadRequest as err:
            if "not modified" in str(err).lower():
                self._shown = text
                return True
            log.warning("could not update the /retrain message: %s", err)
            return False
        except TelegramError as err:
            log.warning("could not update the /retrain message: %s", err)
            return False
        self._shown = text
        return True
