"""Telegram's side of webhook mode for the fake Bot API: updates POSTed to the bot's replicas.

In webhook mode Telegram takes each update off its queue and POSTs it to the bot's URL, up to
``max_connections`` requests at once (40 unless setWebhook says otherwise), retrying an update
whose POST failed. With several replicas behind one URL, a load balancer in front of them
picks one per request; `Delivery` does the same, round-robin, the worst case for a bot that
would keep anything per process (the same person's presses land on different replicas).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.support.botapi import FakeBotApi

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TELEGRAM_CONNECTIONS = 40
RETRY_AFTER_S = 0.5
ATTEMPTS = 20


def post_update(url: str, secret: str, update: dict[str, Any], timeout: float = 10.0) -> int:
    """POST one update as Telegram does; returns the HTTP status (urllib raises on others)."""
    request = urllib.request.Request(
        url,
        data=json.dumps(update).encode(),
        headers={"Content-Type": "application/json", SECRET_HEADER: secret},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return int(response.status)


class Delivery:
    """Hands every update the fake server queues to one of ``urls``, until stopped."""

    def __init__(
        self,
        api: FakeBotApi,
        urls: list[str],
        secret: str,
        connections: int = TELEGRAM_CONNECTIONS,
    ) -> None:
        self.api, self.urls, self.secret = api, urls, secret
        self.pool = ThreadPoolExecutor(connections, thread_name_prefix="webhook")
        self.turn = itertools.cycle(range(len(urls)))
        self.delivered = [0] * len(urls)
        self.failed_posts = 0
        """POSTs that failed and were tried again (a replica refusing or not listening)."""
        self.undelivered = 0
        """Updates given up on after ATTEMPTS tries (Telegram would drop them too, later)."""
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True, name="delivery")

    def start(self) -> Delivery:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(5)
        self.pool.shutdown(wait=True, cancel_futures=False)

    def _run(self) -> None:
        while not self._stopping.is_set():
            for update in self.api.take_updates(wait=0.2):
                with self._lock:
                    replica = next(self.turn)
                self.pool.submit(self._deliver, update, replica)

    def _deliver(self, update: dict[str, Any], replica: int) -> None:
        for attempt in range(ATTEMPTS):
            index = (replica + attempt) % len(self.urls)  # a retry may go elsewhere
            try:
                post_update(self.urls[index], self.secret, update)
            except (urllib.error.URLError, OSError):
                with self._lock:
                    self.failed_posts += 1
                time.sleep(RETRY_AFTER_S)
                continue
            with self._lock:
                self.delivered[index] += 1
            return
        with self._lock:
            self.undelivered += 1
