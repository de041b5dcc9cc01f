"""Serving the model another replica published: a watch on the shared models dir's `current`.

With several replicas on one models directory, the one that trained a model switches the
`current` pointer (recsys.pointers) and swaps the model into its own holder; every other
replica notices here, within one poll interval, and swaps the same model in. A poll is cheap
(one readlink, in a thread so a slow shared filesystem never stalls the event loop); the
artifact is loaded in a thread only when the pointer names a model other than the one served,
and swapped in (atomically, bot.training.model_holder) only once it loaded. A new artifact
that does not load is logged and the old model goes on serving; it is tried again after
RETRY_POLLS polls (the pointer may have been read from a filesystem still catching up), or
at once when the pointer moves on.

This replica's own publishes, rollbacks and rewrites (bot.training.retrainer,
bot.training.forgetting) switch the pointer and swap the holder together under the holder's
`disk_lock`: a poll skips while that lock is held and after it finds the pointer naming the
model already served, so they are never loaded twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from pathlib import Path

from bot.training.model_holder import ModelHolder
from recsys import artifacts
from recsys.pointers import CURRENT

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 10.0
RETRY_POLLS = 30
"""Polls between two attempts at a pointer whose artifact did not load (5 minutes at 10 s)."""


class ModelPickup:
    """Polls ``models_dir/current`` every ``interval_s`` and serves what it names."""

    def __init__(self, holder: ModelHolder, models_dir: Path, interval_s: float) -> None:
        if interval_s <= 0:
            raise ValueError("the poll interval must be more than zero seconds")
        self.holder = holder
        self.models_dir = models_dir
        self.interval_s = interval_s
        self._task: asyncio.Task[None] | None = None
        self._failed: str | None = None  # the pointer target that last failed to load
        self._failed_polls = 0

    def start(self) -> None:
        """Start polling in the background (call from the running event loop)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._poll_forever(), name="model-pickup")

    async def stop(self) -> None:
        """Stop polling; a load in flight is abandoned (its thread finishes on its own)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def check(self) -> bool:
        """One poll: True when it swapped a new model in."""
        if self.holder.disk_lock.locked():  # this replica is changing the models: not now
            return False
        target = await asyncio.to_thread(_pointed, self.models_dir)
        if target is None or target == self._served() or self._waiting(target):
            return False
        try:
            model = await asyncio.to_thread(artifacts.load, self.models_dir / target)
        except (artifacts.ArtifactError, OSError) as err:
            self._failed, self._failed_polls = target, 0
            serving = self._served() or "the popularity ranking"
            log.error("model %s is unusable; still serving %s: %s", target, serving, err)
            return False
        async with self.holder.disk_lock:
            # This replica may have published or rolled back while the model loaded.
            if await asyncio.to_thread(_pointed, self.models_dir) != target:
                return False
            if target == self._served():
                return False
            self.holder.swap(model)
        self._failed = None
        log.info("serving model %s, published by another replica", target)
        return True

    def _served(self) -> str:
        return self.holder.get().info.version if self.holder.personal else ""

    def _waiting(self, target: str) -> bool:
        """True while a target that failed to load waits for its next attempt."""
        if target != self._failed:
            return False
        self._failed_polls += 1
        return self._failed_polls < RETRY_POLLS

    async def _poll_forever(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await self.check()
            except Exception:  # whatever went wrong, the served model stays and polling goes on
                log.exception("checking %s for a new model failed", self.models_dir / CURRENT)


def _pointed(models_dir: Path) -> str | None:
    """The name of the artifact ``current`` points to; None when there is no pointer."""
    try:
        return Path(os.readlink(models_dir / CURRENT)).name
    except OSError:  # no pointer yet (or not a link): nothing to pick up
        return None
