"""How updates share the bot: one at a time per chat, many chats at once, stale work shed.

PTB's default processor runs up to N updates at once in any order, so one busy group (60
`/help` at once, each waiting for the group's 20-a-minute limit) filled all 32 slots and
another person's private `/help` waited 26 s. Here each chat gets one turn at a time (its
updates are also handled in the order they came), so a flood holds one slot, and the rest
wait without holding any; a handler that only waits for Telegram's limits gives its turn
and slot up (bot.chat.turns). A press that waited too long for its turn is answered "busy, press
again" instead of being acted on late; a message that waited too long is dropped with a log
line. Stopping hands every update that has not started back to the inbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseUpdateProcessor

from bot.chat import language, texts
from bot.chat.turns import CURRENT, Turn
from bot.logs import DURATION, about_update

log = logging.getLogger(__name__)

MAX_RUNNING = 256
"""Updates handled at once across chats. Each chat has one turn, so this only bounds memory;
a handler mostly waits (for the database or Telegram), it rarely computes."""
MAX_HELD = 10_000
"""Updates inside the processor, waiting for their chat's turn or running (PTB's own bound,
which it takes before a chat's turn is known)."""
STALE_PRESS_S = 10.0
"""A press that waited this long for its turn is answered "busy" and not acted on: the person
has likely pressed again, and Telegram refuses answers a little later."""
STALE_MESSAGE_S = 60.0
"""A message that waited this long for its chat's turn (a flooded group) is dropped."""

Done = Callable[[int], Coroutine[Any, Any, None]]
Finished = Callable[[object, str, float], None]
"""Told of each update leaving the processor: the update, how ("ok", "shed", "handed_back",
"cut_short"), and the seconds since it arrived."""


def chat_key(update: object) -> int | None:
    """Whose turn an update takes: its chat, else its sender; None for neither."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


class FairProcessor(BaseUpdateProcessor):
    """Per-chat turns in arrival order, a global bound, shedding, and a hook once handled."""

    def __init__(
        self,
        max_running: int = MAX_RUNNING,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(MAX_HELD)
        self._slots = asyncio.Semaphore(max_running)
        self._clock = clock
        self._turns: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._running: set[asyncio.Task[Any]] = set()
        self._marked_early: set[int] = set()
        """Updates marked done before their handler finished (see _done_early)."""
        self._marking: set[asyncio.Task[None]] = set()
        self.stopping = False
        self.on_done: Done | None = None
        """Called with an update's id once it is handled (the inbox marks it done)."""
        self.on_finished: Finished | None = None
        """Called as each update leaves, however it ended (the metrics)."""

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's turn and a slot; shed or run; report it done. Every line logged
        meanwhile names the update and its person (bot.logs.about_update)."""
        if not isinstance(update, Update):
            await self._process(update, coroutine)
            return
        user = update.effective_user
        with about_update(update.update_id, user.id if user is not None else None):
            await self._process(update, coroutine)

    async def _process(self, update: object, coroutine: Awaitable[Any]) -> None:
        arrived = self._clock()
        key = chat_key(update)
        turn = Turn(self._lock(key), self._slots, lambda: self._done_early(update))
        outcome = "cut_short"  # unless it gets further: a stop cancelled it
        try:
            await turn.take()
            if self.stopping:
                outcome = "handed_back"
                _discard(coroutine)  # not started: left undone in the inbox, replayed later
                return
            if isinstance(update, Update) and await self._shed(update, self._clock() - arrived):
                outcome = "shed"
                _discard(coroutine)
            else:
                await self._run(coroutine, turn)
                outcome = "ok"
                if isinstance(update, Update):
                    took_ms = (self._clock() - arrived) * 1000
                    log.info(
                        "update %s handled in %.0f ms",
                        update.update_id,
                        took_ms,
                        extra={DURATION: took_ms},
                    )
        finally:
            turn.finish()
            self._unlock(key)
            if self.on_finished is not None:
                self.on_finished(update, outcome, self._clock() - arrived)
        if isinstance(update, Update) and self.on_done is not None:
            if update.update_id in self._marked_early:
                self._marked_early.discard(update.update_id)
            else:
                await self.on_done(update.update_id)

    async def _run(self, coroutine: Awaitable[Any], turn: Turn) -> None:
        """Run the handlers with `turn` as the current one (bot.chat.turns), trackable by
        `drain`."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        token = CURRENT.set(turn)
        try:
            await coroutine
        finally:
            CURRENT.reset(token)
            if task is not None:
                self._running.discard(task)

    def _done_early(self, update: object) -> None:
        """A press whose handler gave up its turn has been answered (answers never wait for
        the limits) and its change committed; only its screen waits for Telegram's limits.
        Mark it done now, so that a crash meanwhile does not handle it again at the restart
        (measured: 199 presses replayed after a kill, each answered "query is too old")."""
        if not isinstance(update, Update) or update.callback_query is None or not self.on_done:
            return
        self._marked_early.add(update.update_id)
        task = asyncio.create_task(self.on_done(update.update_id))
        self._marking.add(task)
        task.add_done_callback(self._marking.discard)

    async def drain(self, timeout: float) -> int:
        """Start nothing more; wait up to `timeout` s for the updates being handled, then
        cancel the rest (they stay undone in the inbox). How many were cancelled."""
        self.stopping = True
        running = set(self._running)
        late: set[asyncio.Task[Any]] = set()
        if running:
            _, late = await asyncio.wait(running, timeout=timeout)
            for task in late:
                task.cancel()
        await asyncio.gather(*self._marking, return_exceptions=True)
        return len(late)

    async def _shed(self, update: Update, waited: float) -> bool:
        """Whether the update waited too long to be worth doing; a press is told so."""
        query = update.callback_query
        if query is not None and waited > STALE_PRESS_S:
            log.warning("update %s waited %.0f s: answered busy", update.update_id, waited)
            # Before any handler: the app's language, as no stored choice has been read yet.
            app_language = getattr(query.from_user, "language_code", None)  # (a forged press)
            with language.using(language.choose(None, app_language)):
                text = texts.current().busy_press_again
            with contextlib.suppress(TelegramError):
                await query.answer(text)
            return True
        if query is None and waited > STALE_MESSAGE_S:
            log.warning("update %s waited %.0f s: dropped", update.update_id, waited)
            return True
        return False

    def _lock(self, key: int | None) -> asyncio.Lock | None:
        """The chat's lock (made on first use); None for updates without a chat or sender."""
        if key is None:
            return None
        self._waiting[key] = self._waiting.get(key, 0) + 1
        return self._turns.setdefault(key, asyncio.Lock())

    def _unlock(self, key: int | None) -> None:
        """Drop the chat's lock once no update of the chat holds or awaits it."""
        if key is None:
            return
        self._waiting[key] -= 1
        if not self._waiting[key]:
            del self._waiting[key], self._turns[key]


def _discard(coroutine: Awaitable[Any]) -> None:
    """Close a handler coroutine that will never run (so Python does not warn about it)."""
    if inspect.iscoroutine(coroutine):
        coroutine.close()
