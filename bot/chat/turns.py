"""A chat's turn: what a handler holds while it decides, and gives up once it only waits.

The processor (bot.chat.processor) hands each update its chat's turn and a slot. Once the
handler's work is done and committed it mostly waits for Telegram's limits (a group: 20
messages a minute); `give_up_turn` (called by bot.chat.outgoing before a message waits) lets
the chat's next update start meanwhile: its press is answered at once, and its messages
queue behind the earlier ones in the chat's limiter, so they still go out in order. Without
this a person's next press waited for the previous screen's place in the 30-a-second queue
(measured under a 200-person load: p95 6.6 s for the first answer to a press).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextvars import ContextVar


class Turn:
    """A chat's lock and a global slot, held by one update's handler until given up."""

    def __init__(
        self,
        chat: asyncio.Lock | None,
        slots: asyncio.Semaphore,
        on_give_up: Callable[[], None] | None = None,
    ) -> None:
        self._chat = chat
        self._slots = slots
        self._held = False
        self._on_give_up = on_give_up

    async def take(self) -> None:
        """Wait for the chat's turn (in arrival order), then for a slot."""
        if self._chat is not None:
            await self._chat.acquire()
        try:
            await self._slots.acquire()
        except BaseException:
            if self._chat is not None:
                self._chat.release()
            raise
        self._held = True

    def give_up(self) -> None:
        """Let the chat's next update start while this one waits; `on_give_up` is told."""
        if self._held and self._on_give_up is not None:
            self._on_give_up()
        self.finish()

    def finish(self) -> None:
        """Release the turn and slot (the update is handled); safe to call more than once."""
        if self._held:
            self._held = False
            self._slots.release()
            if self._chat is not None:
                self._chat.release()


CURRENT: ContextVar[Turn | None] = ContextVar("bot_chat_turn", default=None)
"""The turn of the update the running task handles (None outside a handler, e.g. in a job)."""


def give_up_turn() -> None:
    """Called before waiting for a rate limit: the current update's chat may move on."""
    turn = CURRENT.get()
    if turn is not None:
        turn.give_up()
