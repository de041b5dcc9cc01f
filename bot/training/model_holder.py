"""The model the bot serves, replaceable while requests are in flight, and where it is kept.

Handlers call `get()` once per request and keep that object for the whole
request, so a swap in between never mixes two models in one answer. Swapping is
a single reference assignment under a lock: atomic for readers in any thread.

The holder also knows the models directory its artifacts live in, and owns the locks under
which they are rewritten, activated or rolled back (`changing_models`): forgetting a person
(bot.training.forgetting) and publishing a newly trained model (bot.training.retrainer)
both change artifacts and the served model, and must never interleave, in this process
(`disk_lock`) nor with another replica on the same directory (`models_lock`). The order is
always disk_lock, then models_lock, so two callers never wait on each other's second lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from pathlib import Path

from bot.storage.models_lock import ModelsLock
from recsys.interface import Recommender


class ModelHolder:
    """Holds the current recommender; `swap` replaces it for every later `get`."""

    def __init__(
        self,
        model: Recommender,
        *,
        personal: bool,
        models_dir: Path | None = None,
        models_lock: ModelsLock | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._model = model
        self._personal = personal
        self.models_dir = models_dir
        """Where the served model's artifacts are kept; None when there is no such folder
        (a holder made for a test), and then forgetting someone touches no files."""
        self.disk_lock = asyncio.Lock()
        """Held while the artifacts in `models_dir` are rewritten, activated or rolled back,
        or while a model is swapped in (pickup): this process's order."""
        self.models_lock = models_lock
        """Held inside `disk_lock` while the artifacts change: the order between replicas
        (bot.storage.models_lock); None when no other process shares `models_dir`."""
        self.forgotten: set[int] = set()
        """Person ids forgotten since the current training run started (the retrainer clears
        it as a run starts): that run's model is published without them even when their id
        was given to someone new meanwhile."""

    @contextlib.asynccontextmanager
    async def changing_models(self) -> AsyncIterator[None]:
        """Both locks, for a change to the models directory; ModelsLockUnavailable (with
        `disk_lock` let go again) when another replica keeps the directory past the wait."""
        async with self.disk_lock:
            if self.models_lock is None:
                yield
                return
            async with self.models_lock.hold():
                yield

    def get(self) -> Recommender:
        return self._model

    @property
    def personal(self) -> bool:
        """False while only the popularity fallback is being served."""
        return self._personal

    def swap(self, model: Recommender, *, personal: bool = True) -> Recommender:
        """Serve `model` from now on and return the one it replaced."""
        with self._lock:
            old, self._model, self._personal = self._model, model, personal
        return old
