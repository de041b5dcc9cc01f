"""The model the bot serves from, replaceable while requests are in flight.

Handlers call `get()` once per request and keep that object for the whole
request, so a swap in between never mixes two models in one answer. Swapping is
a single reference assignment under a lock: atomic for readers in any thread.
"""

from __future__ import annotations

import threading

from recsys.interface import Recommender


class ModelHolder:
    """Holds the current recommender; `swap` replaces it for every later `get`."""

    def __init__(self, model: Recommender, *, personal: bool) -> None:
        self._lock = threading.Lock()
        self._model = model
        self._personal = personal

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
