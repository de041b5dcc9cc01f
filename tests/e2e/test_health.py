"""Health and metrics (issue 12) of the real bot process, polling, with HEALTH_PORT set.

/healthz answers 200 while the database answers and a model serves, and 503 naming the
database once its file cannot be read; /metrics parses with Prometheus' own parser and counts
what the bot did.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from recsys import artifacts
from tests.support.botapi import FakeBotApi
from tests.support.harness import BotProcess, Person, free_port

pytestmark = pytest.mark.e2e

CANNOT_OVERRIDE = ("setpriv", "--bounding-set", "-dac_override,-dac_read_search")
"""Root reads any file whatever its mode: the bot runs without that power here, so that a
file made unreadable is unreadable to it, as to the unprivileged user of the Docker image."""


class Watched:
    def __init__(self, process: BotProcess, port: int) -> None:
        self.process = process
        self.base = f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def watched(
    api: FakeBotApi,
    template: Path,
    movielens_sample: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Watched]:
    """A polling bot of its own (these tests make its database unreadable), over a copy of the
    template, with /healthz and /metrics on a port of their own."""
    workdir = tmp_path_factory.mktemp("health") / "bot"
    shutil.copytree(template, workdir, symlinks=True)
    port = free_port()
    env = {"HEALTH_PORT": str(port), "HEALTH_LISTEN": "127.0.0.1"}
    command = [sys.executable, "-m", "bot"]
    if os.geteuid() == 0:
        command = [*CANNOT_OVERRIDE, *command]
    process = BotProcess(api, workdir, movielens_sample, env=env, command=command)
    process.start()
    try:
        process.wait_polling()
        yield Watched(process, port)
    finally:
        process.stop()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read().decode()


def metrics(watched: Watched) -> tuple[int, dict[tuple[str, tuple], float]]:
    """/metrics' status and its samples by (name, sorted labels)."""
    status, text = get(f"{watched.base}/metrics")
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    return status, samples


def healthz(watched: Watched) -> tuple[int, dict[str, str]]:
    status, body = get(f"{watched.base}/healthz")
    return status, json.loads(body)


def wait_until_every_update_is_done(database: Path, timeout: float = 30) -> None:
    """Until the bot has marked every update it fetched handled (its last write of a press)."""
    uri = database.absolute().as_uri() + "?mode=ro"
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
            (undone,) = db.execute("SELECT count(*) FROM inbox WHERE done_at IS NULL").fetchone()
        if undone == 0:
            return
        assert time.monotonic() < deadline, f"{undone} updates still undone after {timeout} s"
        time.sleep(0.05)


@contextlib.contextmanager
def unreadable(path: Path) -> Iterator[None]:
    mode = path.stat().st_mode
    path.chmod(0)
    try:
        yield
    finally:
        path.chmod(mode)


def test_healthz_is_200_naming_the_serving_model(watched: Watched) -> None:
    serving = artifacts.current_path(watched.process.models)
    assert serving is not None
    status, body = healthz(watched)
    assert status == 200
    assert body["status"] == body["database"] == "ok"
    assert body["model"].endswith(f" {serving.name}")


def test_metrics_parse_and_count_what_the_bot_did(watched: Watched, api: FakeBotApi) -> None:
    person = Person(api, 970_001, "Mia")
    person.rate(person.tap(person.say("/popular"), "1. "), "4")
    handled = "moviebot_updates_handled_total"
    pressed = (handled, (("kind", "callback_query"), ("outcome", "ok")))
    # An update is counted once its handlers are done, just after the reply the person
    # read went out: wait for the second press to be counted, then check everything.
    deadline = time.monotonic() + 10
    while True:
        status, samples = metrics(watched)
        if samples.get(pressed) == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    model = [labels for name, labels in samples if name == "moviebot_model_info"]
    assert status == 200
    assert samples[("moviebot_ratings_stored_total", ())] == 1
    assert samples[(handled, (("kind", "command"), ("outcome", "ok")))] == 1
    assert samples[(handled, (("kind", "callback_query"), ("outcome", "ok")))] == 2
    assert samples[("moviebot_reply_latency_seconds_count", (("kind", "callback_query"),))] == 2
    assert samples[("moviebot_errors_total", (("source", "update"),))] == 0
    current = artifacts.current_path(watched.process.models)
    assert current is not None
    assert dict(model[0])["version"] == current.name


def test_healthz_is_503_naming_the_database_while_its_file_cannot_be_read(
    watched: Watched,
) -> None:
    database = watched.process.database
    # A write landing while the file is unwritable makes the storage count it lost until a
    # restart (by design): let the earlier tests' presses finish marking their updates done.
    wait_until_every_update_is_done(database)
    with unreadable(database):
        status, body = healthz(watched)
    assert status == 503
    assert body["status"] == "fail"
    assert body["database"].startswith(f"cannot read the database {database}")
    assert healthz(watched)[0] == 200  # readable again: healthy again
