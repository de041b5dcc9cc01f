"""The model the bot serves, replaceable while requests are in flight, and where it is kept.

Handlers call `get()` once per request and keep that object for the whole
request, so a swap in between never mixes two models in one answer. Swapping is
a single reference assignment under a lock: atomic for readers in any thread.

The holder also knows the models directory its artifacts live in, and owns the lock under
which they are rewritten, activated or rolled back: forgetting a person
(bot.training.forgetting) and publishing a newly trained model (bot.training.retrainer)
both change artifacts and the served model, and must never interleave.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from recsys.interface import Recommender


class ModelHolder:
    """Holds the current recommender; `swap` replaces it for every later `get`."""

    def __init__(
        self, model: Recommender, *, personal: bool, models_dir: Path | None = None
    ) -> None:
        self._lock = threading.Lock()
        self._model = model
        self._personal = personal
        self.models_dir = models_dir
        """Where the served model's artifacts are kept; None when there is no such folder
        (a holder made for a test), and then forgetting someone touches no files."""
        self.disk_lock = asyncio.Lock()
        """Held while the artifacts in `models_dir` are rewritten, activated or rolled back."""
        self.forgotten: set[int] = set()
        """Person ids forgotten since the current training run started (the retrainer clears
        it as a run starts): that run's model is published without them even when their id
        was given to someone new meanwhile."""

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
