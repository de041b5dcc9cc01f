"""Delivery: the fake server's updates POSTed to replicas in turn, as Telegram and a load
balancer would; a replica that does not answer has its updates taken by the next one."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.botapi import FakeBotApi, make_user
from tests.support.delivery import SECRET_HEADER, Delivery
from tests.support.harness import free_port

SECRET = "delivery-secret"


class Replica(ThreadingHTTPServer):
    """A webhook endpoint that records the update ids and secrets it was sent."""

    def __init__(self) -> None:
        self.received: list[tuple[int, str | None]] = []
        replica = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                replica.received.append((body["update_id"], self.headers.get(SECRET_HEADER)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                """Quiet."""

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/hook"
        threading.Thread(target=self.serve_forever, daemon=True).start()


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi("1:delivery") as server:
        yield server


def send(api: FakeBotApi, count: int) -> None:
    for n in range(count):
        api.send_text(make_user(100 + n, "P"), "/start")


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_updates_go_to_each_replica_in_turn_with_the_secret(api: FakeBotApi) -> None:
    a, b = Replica(), Replica()
    delivery = Delivery(api, [a.url, b.url], SECRET, connections=1).start()
    try:
        send(api, 6)
        wait_until(lambda: len(a.received) + len(b.received) == 6)
    finally:
        delivery.stop()
        a.shutdown()
        b.shutdown()
    assert delivery.delivered == [3, 3] and delivery.failed_posts == 0
    assert {secret for _, secret in a.received + b.received} == {SECRET}
    assert sorted(u for u, _ in a.received + b.received) == list(range(1, 7))


def test_a_replica_that_is_down_has_its_updates_retried_on_the_next(api: FakeBotApi) -> None:
    up = Replica()
    down = f"http://127.0.0.1:{free_port()}/hook"  # nobody listens there
    delivery = Delivery(api, [down, up.url], SECRET, connections=4).start()
    try:
        send(api, 4)
        wait_until(lambda: len(up.received) == 4)
    finally:
        delivery.stop()
        up.shutdown()
    assert delivery.delivered == [0, 4] and delivery.failed_posts == 2
    assert delivery.undelivered == 0
