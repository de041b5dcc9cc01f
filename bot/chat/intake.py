"""Taking updates in (by long polling, or from the webhook), so that nothing received is lost.

PTB's Updater confirms a batch (the next getUpdates offset) as soon as it has queued it, so a
crash lost every update fetched and not yet handled (measured: `kill -9` under a 200-person
load left 167 presses and messages never answered, and Telegram does not send them again).
Here each batch is written to the inbox (one transaction) before the next getUpdates confirms
it, each update is marked done once handled (FairProcessor.on_done), and at start-up the
updates a crash or a stop left undone are handled first. A replayed rating press stores the
same rating again; an update done before a crash is never handled twice, except one whose
done mark the crash itself cut off. The webhook (bot.chat.webhook) goes through the same
`take`: an update is in the inbox before Telegram hears that it arrived, and one Telegram
sends again is not handled twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
import warnings
from collections.abc import Sequence

from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.warnings import PTBUserWarning

from bot.chat.context import BotApplication
from bot.storage import DatabaseLost, Storage, StorageError

log = logging.getLogger(__name__)

POLL_TIMEOUT_S = 10
"""How long one getUpdates waits for an update (long polling)."""
FIRST_BACKOFF_S, MAX_BACKOFF_S = 0.5, 10.0
"""After a failed getUpdates: 0.5, 1, 2 ... 10 s (x 0.5-1.5 jitter), never the minutes PTB's
own backoff reached after a burst of failures (measured: intake stopped for ~100 s)."""
PRUNE_EVERY_S = 3600.0


class Intake:
    """The long-polling loop, the webhook's way in, and the inbox behind both."""

    def __init__(
        self,
        application: BotApplication,
        storage: Storage,
        allowed_updates: Sequence[str],
        *,
        poll_timeout: int = POLL_TIMEOUT_S,
        seed: int | None = None,
    ) -> None:
        self._application = application
        self._storage = storage
        self._allowed = list(allowed_updates)
        self._poll_timeout = poll_timeout
        self._rng = random.Random(seed)
        self._offset: int | None = None
        self._pruned_at = 0.0

    async def start(self) -> int:
        """Queue what the last run left undone; how many updates that was. Before any new
        update is taken in, or one would be queued twice (from the inbox and as it came)."""
        last = await self._storage.last_update_id()
        self._offset = None if last is None else last + 1
        left = await self._storage.undone_updates()
        bot = self._application.bot
        for update_id, body in left:
            try:
                update = Update.de_json(json.loads(body), bot)
            except (ValueError, TypeError, KeyError) as error:
                log.error("update %s in the inbox cannot be read (%s): skipped", update_id, error)
                await self.done(update_id)
                continue
            await self._application.update_queue.put(update)
        if left:
            log.info("handling %d updates left undone by the last run", len(left))
        return len(left)

    async def run(self) -> None:
        """Fetch, store, queue, until cancelled; an invalid token ends it (raised)."""
        failures = 0
        while True:
            try:
                updates = await self._application.bot.get_updates(
                    offset=self._offset,
                    timeout=self._poll_timeout,
                    allowed_updates=self._allowed,
                    read_timeout=self._poll_timeout + 10,
                )
            except InvalidToken:
                raise
            except (TypeError, ValueError, KeyError):  # PTB logged the data it cannot read
                updates = tuple(await self._readable_updates())
            except TelegramError as error:
                pause = min(MAX_BACKOFF_S, FIRST_BACKOFF_S * 2**failures)
                pause *= self._rng.uniform(0.5, 1.5)
                failures += 1
                log.warning(
                    "getUpdates failed (%s: %s); again in %.1f s",
                    type(error).__name__,
                    error,
                    pause,
                )
                await asyncio.sleep(pause)
                continue
            failures = 0
            if updates:
                await self.take(updates)
                self._offset = max(self._offset or 0, updates[-1].update_id + 1)
            await self._prune()

    async def keep_pruned(self) -> None:
        """Prune the inbox every PRUNE_EVERY_S until cancelled (in webhook mode, where no
        polling loop does it)."""
        while True:
            await self._prune_now()
            await asyncio.sleep(PRUNE_EVERY_S)

    async def _readable_updates(self) -> list[Update]:
        """The pending updates read one by one, when PTB cannot read the whole batch (an
        update with fields it does not know): the unreadable ones are logged and skipped,
        so one of them never stops the intake."""
        with warnings.catch_warnings():  # PTB prefers get_updates, which cannot skip one
            warnings.simplefilter("ignore", PTBUserWarning)
            raw = await self._application.bot.do_api_request(
                "getUpdates", api_kwargs={"offset": self._offset, "timeout": 0}
            )
        readable: list[Update] = []
        for item in raw if isinstance(raw, list) else ():
            try:
                update = Update.de_json(item, self._application.bot)
            except (TypeError, ValueError, KeyError) as error:
                log.error("update %s cannot be read (%s): skipped", item.get("update_id"), error)
                self._offset = int(item["update_id"]) + 1
                continue
            readable.append(update)
        return readable

    async def done(self, update_id: int) -> None:
        """Mark an update handled (FairProcessor.on_done)."""
        try:
            await self._storage.mark_updates_done([update_id])
        except DatabaseLost:
            pass  # logged once by the storage; a restart on the right file replays it
        except StorageError as error:
            log.warning("could not mark update %s done: %s", update_id, error)

    async def take(self, updates: Sequence[Update]) -> int:
        """Store the batch, then queue the updates not seen before (how many); only then may
        Telegram be told they arrived (the next getUpdates, the webhook's answer). If the
        database refuses the batch they are still handled (so people hear that it cannot
        save), only not durably."""
        rows = [(u.update_id, u.to_json()) for u in updates]
        try:
            fresh = set(await self._storage.store_updates(rows))
        except DatabaseLost:  # the storage logged it, once; the handlers tell people
            fresh = {u.update_id for u in updates}
        except StorageError as error:  # DatabaseBusy above all: a lock held outside the bot
            log.warning("could not store %d fetched updates (%s): handled anyway", len(rows), error)
            fresh = {u.update_id for u in updates}
        for update in updates:
            if update.update_id in fresh:
                await self._application.update_queue.put(update)
        return len(fresh)

    async def _prune(self) -> None:
        now = time.monotonic()
        if now - self._pruned_at < PRUNE_EVERY_S:
            return
        self._pruned_at = now
        await self._prune_now()

    async def _prune_now(self) -> None:
        try:
            await self._storage.prune_inbox()
            await self._storage.prune_message_owners()
        except StorageError as error:
            log.warning("could not prune the inbox: %s", error)
