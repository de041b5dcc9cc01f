"""/healthz and /metrics (bot.chat.health), in process, over a real database file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.chat.context import Resources
from bot.chat.health import add_health
from bot.storage import Storage
from bot.training.model_holder import ModelHolder
from tests.bot.storage.faults import database_file, delete_keeping


@pytest.fixture
async def resources(storage: Storage, holder: ModelHolder) -> Resources:
    resources = Resources()
    resources.storage, resources.holder = storage, holder
    return resources


@pytest.fixture
async def client(resources: Resources) -> AsyncIterator[TestClient]:
    app = web.Application()
    add_health(app, resources)
    client = TestClient(TestServer(app))
    await client.start_server()
    yield client
    await client.close()


async def test_healthz_is_200_with_each_part_ok(client: TestClient) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {
        "status": "ok",
        "database": "ok",
        "model": "popularity fallback",
    }


async def test_healthz_names_the_trained_model_that_serves(
    client: TestClient, resources: Resources, holder: ModelHolder
) -> None:
    model = holder.get()
    model.info = replace(model.info, kind="mf_bias", version="v7")
    holder.swap(model, personal=True)
    assert (await (await client.get("/healthz")).json())["model"] == "mf_bias v7"


async def test_healthz_is_503_naming_the_database_when_its_file_cannot_be_read(
    client: TestClient, storage: Storage, tmp_path: Path
) -> None:
    # the bot's connections still read it
    delete_keeping(database_file(storage), tmp_path / "kept.db")
    response = await client.get("/healthz")
    body = await response.json()
    assert response.status == 503
    assert body["status"] == "fail"
    assert body["database"].startswith(f"cannot read the database {storage.path}")
    assert body["model"] == "popularity fallback"


async def test_healthz_is_503_before_the_database_and_model_are_there(
    client: TestClient, resources: Resources
) -> None:
    resources.storage = resources.holder = None
    response = await client.get("/healthz")
    assert response.status == 503
    assert await response.json() == {
        "status": "fail",
        "database": "not open",
        "model": "no model is loaded",
    }


async def test_metrics_are_prometheus_text_with_the_serving_model(
    client: TestClient, resources: Resources
) -> None:
    resources.metrics.rating_stored()
    response = await client.get("/metrics")
    families = {f.name: f for f in text_string_to_metric_families(await response.text())}
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert families["moviebot_ratings_stored"].samples[0].value == 1
    assert families["moviebot_model_info"].samples[0].labels["kind"] == "popularity"
