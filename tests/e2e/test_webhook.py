"""Webhook mode (issue 12): the real bot process takes updates POSTed to its URL.

The fake Bot API records the bot's setWebhook; the tests then act as Telegram does: take the
pending updates off its queue and POST them to the bot's URL, with the secret or without.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import socket
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.botapi import FakeBotApi, make_user
from tests.support.harness import BotProcess, free_port

pytestmark = pytest.mark.e2e

SECRET = "webhook-secret_0123456789abcdef"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HELP = "How it works"
_ids = iter(range(960_001, 961_000))


class Hooked:
    """The bot in webhook mode and where it listens."""

    def __init__(self, process: BotProcess, port: int) -> None:
        self.process = process
        self.base = f"http://127.0.0.1:{port}"
        self.url = f"{self.base}/telegram/updates"
        self.port = port


@pytest.fixture(scope="module")
def hooked(
    api: FakeBotApi,
    template: Path,
    movielens_sample: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Hooked]:
    """A bot of its own over a copy of the template (no import, no first training)."""
    workdir = tmp_path_factory.mktemp("webhook") / "bot"
    shutil.copytree(template, workdir, symlinks=True)
    port = free_port()
    env = {
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/updates",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }
    process = BotProcess(api, workdir, movielens_sample, env=env)
    process.start()
    try:
        process.wait_webhook()
        yield Hooked(process, port)
    finally:
        process.stop()


def post(url: str, body: bytes, secret: str | None = SECRET) -> int:
    """POST as Telegram does; the HTTP status of the answer."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read().decode()


def says_help(api: FakeBotApi, since: int = 0) -> dict[int, int]:
    """How many /help answers each chat got since a mark."""
    counts: dict[int, int] = {}
    for call in api.calls("sendMessage", since=since):
        if call.ok and call.chat_id is not None and HELP in str(call.params.get("text")):
            counts[call.chat_id] = counts.get(call.chat_id, 0) + 1
    return counts


def pending_help(api: FakeBotApi) -> tuple[int, dict[str, Any]]:
    """A new person's /help, taken off the fake server's queue as Telegram would deliver it."""
    user = make_user(next(_ids), "Hook")
    api.send_text(user, "/help")
    (update,) = api.take_updates()
    return user["id"], update


def inbox_row(database: Path, update_id: int) -> tuple[Any, ...] | None:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        return db.execute(
            "SELECT update_id, done_at FROM inbox WHERE update_id = ?", (update_id,)
        ).fetchone()


def wait_help(api: FakeBotApi, chat_id: int, since: int) -> None:
    api.wait_for(
        lambda c: c.ok and c.method == "sendMessage" and c.chat_id == chat_id,
        lambda c: HELP in str(c.params.get("text")),
        timeout=20,
        since=since,
    )


def test_the_bot_sets_its_webhook_with_the_secret_and_never_polls(
    hooked: Hooked, api: FakeBotApi
) -> None:
    assert api.webhook == {
        "url": hooked.url,
        "secret_token": SECRET,
        "allowed_updates": ["message", "callback_query"],
        "drop_pending_updates": False,
    }
    assert api.calls("getUpdates") == []


def test_an_update_posted_with_the_secret_is_stored_and_handled(
    hooked: Hooked, api: FakeBotApi
) -> None:
    mark = api.mark()
    chat_id, update = pending_help(api)
    assert post(hooked.url, json.dumps(update).encode()) == 200
    assert inbox_row(hooked.process.database, update["update_id"]) is not None  # before the 200
    wait_help(api, chat_id, mark)
    assert says_help(api, mark) == {chat_id: 1}


def test_an_update_posted_without_the_right_secret_is_refused_and_never_stored(
    hooked: Hooked, api: FakeBotApi
) -> None:
    mark = api.mark()
    refused_chat, refused = pending_help(api)
    body = json.dumps(refused).encode()
    statuses = [post(hooked.url, body, secret=None), post(hooked.url, body, secret="guess")]
    later_chat, later = pending_help(api)  # handled after the refused ones would have been
    assert post(hooked.url, json.dumps(later).encode()) == 200
    wait_help(api, later_chat, mark)
    assert statuses == [403, 403]
    assert inbox_row(hooked.process.database, refused["update_id"]) is None
    assert refused_chat not in says_help(api, mark)


def test_an_update_telegram_sends_twice_is_handled_once(hooked: Hooked, api: FakeBotApi) -> None:
    mark = api.mark()
    chat_id, update = pending_help(api)
    body = json.dumps(update).encode()
    statuses = [post(hooked.url, body), post(hooked.url, body)]
    wait_help(api, chat_id, mark)
    later_chat, later = pending_help(api)
    post(hooked.url, json.dumps(later).encode())
    wait_help(api, later_chat, mark)
    assert statuses == [200, 200]
    assert says_help(api, mark)[chat_id] == 1


def test_a_body_that_is_not_an_update_is_refused_400(hooked: Hooked) -> None:
    assert post(hooked.url, b'{"not": "an update"}') == 400


def test_health_and_metrics_are_served_beside_the_webhook(hooked: Hooked) -> None:
    health_status, health = get(f"{hooked.base}/healthz")
    metrics_status, metrics = get(f"{hooked.base}/metrics")
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
    }
    assert (health_status, json.loads(health)["status"]) == (200, "ok")
    assert metrics_status == 200
    assert samples[("moviebot_webhook_requests_total", (("status", "403"),))] >= 2
    assert samples[("moviebot_webhook_requests_total", (("status", "400"),))] >= 1
    assert (
        samples[("moviebot_updates_handled_total", (("kind", "command"), ("outcome", "ok")))] >= 3
    )


def test_a_port_already_taken_stops_the_start_in_one_line(
    api: FakeBotApi, template: Path, movielens_sample: Path, tmp_path: Path
) -> None:
    shutil.copytree(template, tmp_path / "bot", symlinks=True)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/updates",
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
        }
        process = BotProcess(api, tmp_path / "bot", movielens_sample, env=env).start()
        try:
            code = process.process.wait(60) if process.process else None
        finally:
            process.stop()
    log = process.log()
    assert code == 1
    assert re.search(r"ERROR bot: cannot run the bot: OSError: .*address already in use", log)
    assert "Traceback" not in log


def test_a_stop_exits_0_closes_the_port_and_logged_neither_token_nor_secret(
    hooked: Hooked, api: FakeBotApi
) -> None:
    code = hooked.process.stop()
    with socket.socket() as probe:
        refused = probe.connect_ex(("127.0.0.1", hooked.port)) != 0
    log = hooked.process.log()
    assert code == 0 and refused
    assert " ERROR " not in log
    for secret in (api.token, api.token.split(":", 1)[1], SECRET):
        assert secret not in log
