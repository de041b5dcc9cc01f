"""Replicas (issue 14): two bot processes in webhook mode on one PostgreSQL database and one
models directory. One trains at a time; what one publishes, the other serves."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from tests.support.botapi import FakeBotApi, find_button, make_user
from tests.support.data import REPO
from tests.support.delivery import post_update
from tests.support.harness import BotProcess, free_port
from tests.support.postgres import fresh_database

pytestmark = pytest.mark.e2e

SECRET = "replica-secret_0123456789abcdef"
ADMIN = 970_001
STARTED = re.compile(r"training run (\d+) started \((first-start|admin:\d+)\)")


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    loop = asyncio.new_event_loop()
    stack = AsyncExitStack()
    try:
        yield loop.run_until_complete(stack.enter_async_context(fresh_database()))
    finally:
        loop.run_until_complete(stack.aclose())
        loop.close()


class Replica:
    def __init__(self, process: BotProcess, port: int) -> None:
        self.process = process
        self.url = f"http://127.0.0.1:{port}/hook"

    def post(self, update: dict) -> int:
        return post_update(self.url, SECRET, update)


@pytest.fixture(scope="module")
def replicas(
    api: FakeBotApi,
    movielens_sample: Path,
    postgres_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[list[Replica]]:
    root = tmp_path_factory.mktemp("replicas")
    started: list[Replica] = []
    try:
        for name in ("a", "b"):
            port = free_port()
            env = {
                "DATABASE_URL": postgres_url,
                "MODEL_DIR": str(root / "models"),
                "WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
                "WEBHOOK_SECRET": SECRET,
                "WEBHOOK_LISTEN": "127.0.0.1",
                "WEBHOOK_PORT": str(port),
                "MODEL_POLL_SECONDS": "0.5",
                "PYTHONPATH": str(REPO),  # this checkout's code, not the installed one
            }
            process = BotProcess(api, root / name, movielens_sample, admin_ids=(ADMIN,), env=env)
            process.models = root / "models"  # shared by both
            process.start()
            started.append(Replica(process, port))
            process.wait_webhook(timeout=120)  # one at a time: the first imports MovieLens
        yield started
    finally:
        for replica in started:
            replica.process.stop()


def runs_started(replica: Replica) -> list[str]:
    return [m.group(2) for m in STARTED.finditer(replica.process.log())]


def test_one_replica_trains_the_first_model_and_both_serve_it(replicas: list[Replica]) -> None:
    a, b = replicas
    a.process.wait_log(r"training run \d+ succeeded", timeout=180)
    version = (a.process.models / "current").resolve().name
    # b loads it at its own start when a finished first, else picks it up once published.
    b.process.wait_log(rf"serving model {version}", timeout=30)
    assert runs_started(a) == ["first-start"]
    assert runs_started(b) == []


def test_retrain_sent_to_both_replicas_starts_one_run(
    api: FakeBotApi, replicas: list[Replica]
) -> None:
    a, b = replicas
    admin = make_user(ADMIN, "Admin")
    since = api.mark()
    api.send_text(admin, "/retrain")
    api.send_text(admin, "/retrain")
    first, second = api.take_updates()
    assert a.post(first) == 200 and b.post(second) == 200
    api.wait_for(
        lambda c: c.method in ("sendMessage", "editMessageText"),
        lambda c: "already going" in str(c.params.get("text")),
        timeout=60,
        since=since,
    )
    deadline = time.monotonic() + 30
    while not (admin_runs := [r for r in runs_started(a) + runs_started(b) if r != "first-start"]):
        assert time.monotonic() < deadline, "neither replica started the run"
        time.sleep(0.1)
    assert admin_runs == [f"admin:{ADMIN}"]

    trained, other = (a, b) if f"admin:{ADMIN}" in runs_started(a) else (b, a)
    run_id = re.findall(rf"training run (\d+) started \(admin:{ADMIN}\)", trained.process.log())[0]
    ended = trained.process.wait_log(rf"training run {run_id} (succeeded|rejected|failed)", 180)
    if ended.group(1) == "succeeded":  # the other replica serves the new model too
        version = (trained.process.models / "current").resolve().name
        other.process.wait_log(f"serving model {version}, published by another replica", 10)


def test_ratings_through_either_replica_are_stored_once(
    api: FakeBotApi, replicas: list[Replica], postgres_url: str
) -> None:
    """Each movie's card is opened through one replica and rated through the other, the
    replicas taking turns: every rating is in the shared database once, as given."""
    person = make_user(970_101, "Rater")
    chat = person["id"]
    given = {356: "5", 318: "4.5", 296: "3", 593: "2", 2571: "0.5", 260: "4"}
    for turn, (movie, value) in enumerate(given.items()):
        opens, rates = replicas[turn % 2], replicas[(turn + 1) % 2]
        since = api.mark()
        api.send_text(person, f"/start rate_{movie}")
        (update,) = api.take_updates()
        assert opens.post(update) == 200
        card = api.wait_for(
            "sendMessage",
            lambda c: c.params.get("chat_id") == chat and "MovieLens: ★" in str(c.params["text"]),
            timeout=30,
            since=since,
        ).result
        query = api.press(person, card, find_button(card, value)["callback_data"])
        (update,) = api.take_updates()
        assert rates.post(update) == 200
        assert api.wait_answer(query, timeout=30).params.get("text", "").startswith("Saved")
    stored = asyncio.run(_ratings_of(postgres_url, chat))
    assert stored == [(movie, float(value)) for movie, value in sorted(given.items())]


async def _ratings_of(url: str, telegram_id: int) -> list[tuple[int, float]]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT r.movie_id, r.rating FROM ratings r JOIN people p USING (person_id)"
            " WHERE p.telegram_id = $1 ORDER BY r.movie_id",
            telegram_id,
        )
    finally:
        await conn.close()
    return [(int(r["movie_id"]), float(r["rating"])) for r in rows]
