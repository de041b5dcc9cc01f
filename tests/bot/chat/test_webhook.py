"""The webhook's answers (bot.chat.webhook), in process: what is taken, what is refused."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from telegram import Bot, Update

from bot.chat.intake import Intake
from bot.chat.metrics import Metrics
from bot.chat.webhook import SECRET_HEADER, add_webhook
from bot.storage import Storage

SECRET = "s3cret_-webhook"
PATH = "/telegram"
BOT = Bot("123456:AAHsecret-Token_value42")


def update_body(update_id: int, text: str = "/help") -> dict[str, Any]:
    chat = {"id": 42, "type": "private", "first_name": "Ann"}
    sender = {"id": 42, "is_bot": False, "first_name": "Ann"}
    message = {"message_id": 7, "date": 0, "chat": chat, "from": sender, "text": text}
    return {"update_id": update_id, "message": message}


class Taken:
    """Stands in for Intake.take: records what the webhook hands over."""

    def __init__(self) -> None:
        self.updates: list[Update] = []

    async def __call__(self, updates: Sequence[Update]) -> int:
        self.updates.extend(updates)
        return len(updates)


async def client_for(take: Any) -> TestClient:
    app = web.Application()
    add_webhook(app, PATH, SECRET, take, BOT, Metrics())
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.fixture
async def taken() -> Taken:
    return Taken()


@pytest.fixture
async def client(taken: Taken) -> AsyncIterator[TestClient]:
    client = await client_for(taken)
    yield client
    await client.close()


async def test_an_update_with_the_secret_is_taken_and_answered_200(
    client: TestClient, taken: Taken
) -> None:
    response = await client.post(PATH, json=update_body(5), headers={SECRET_HEADER: SECRET})
    assert response.status == 200
    assert [(u.update_id, u.message and u.message.text) for u in taken.updates] == [(5, "/help")]
    assert taken.updates[0].get_bot() is BOT  # the handlers can answer through it


@pytest.mark.parametrize("headers", [{}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET + "x"}])
async def test_a_request_without_the_right_secret_is_refused_403_and_not_taken(
    client: TestClient, taken: Taken, headers: dict[str, str]
) -> None:
    response = await client.post(PATH, json=update_body(5), headers=headers)
    assert response.status == 403
    assert taken.updates == []


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'{"message": {}}',
        b'{"update_id": "5"}',
        b'{"update_id": 5, "message": 3}',
    ],
)
async def test_a_body_that_is_not_an_update_is_refused_400_and_not_taken(
    client: TestClient, taken: Taken, body: bytes
) -> None:
    response = await client.post(PATH, data=body, headers={SECRET_HEADER: SECRET})
    assert response.status == 400
    assert taken.updates == []


async def test_only_the_webhook_path_takes_posts(client: TestClient, taken: Taken) -> None:
    elsewhere = await client.post("/", json=update_body(5), headers={SECRET_HEADER: SECRET})
    fetched = await client.get(PATH, headers={SECRET_HEADER: SECRET})
    assert (elsewhere.status, fetched.status) == (404, 405)
    assert taken.updates == []


async def test_refusals_are_logged_once_a_minute_with_their_count(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.chat.webhook"):
        for _ in range(5):
            await client.post(PATH, json=update_body(5), headers={SECRET_HEADER: "guess"})
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ["webhook: 1 request(s) without the right secret refused (HTTP 403)"]
    assert "guess" not in caplog.text and SECRET not in caplog.text


async def test_an_update_telegram_sends_again_is_answered_200_and_queued_once(
    tmp_path: Path,
) -> None:
    storage = await Storage.open(tmp_path / "bot.db")
    queue: asyncio.Queue[object] = asyncio.Queue()
    intake = Intake(SimpleNamespace(update_queue=queue, bot=BOT), storage, ["message"])  # type: ignore[arg-type]
    client = await client_for(intake.take)
    try:
        answers = [
            (await client.post(PATH, json=update_body(9), headers={SECRET_HEADER: SECRET})).status
            for _ in range(2)
        ]
        stored = await storage.undone_updates()
    finally:
        await client.close()
        await storage.close()
    assert answers == [200, 200]
    assert queue.qsize() == 1
    assert [(update_id, json.loads(body)["update_id"]) for update_id, body in stored] == [(9, 9)]
