"""The RETRAIN_SCHEDULE job on PTB's real JobQueue (APScheduler) with a 1-second interval."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import timedelta
from pathlib import Path

import pytest
from telegram.ext import ApplicationBuilder

from bot import admin
from bot.config import Settings
from bot.model_holder import ModelHolder
from bot.storage import Storage
from tests.retrain.conftest import FAST


async def wait_for_runs(storage: Storage, count: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = await storage.model_runs(limit=20)
        if len(runs) >= count and all(r.status != "running" for r in runs):
            return
        await asyncio.sleep(0.2)
    raise TimeoutError(f"fewer than {count} finished runs after {timeout} s")


async def test_schedule_skips_without_new_ratings_runs_after_one_and_never_overlaps(
    storage: Storage,
    holder: ModelHolder,
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("TRAIN_CONFIG", json.dumps(FAST))
    caplog.set_level(logging.INFO)
    settings = Settings(
        token="123:TEST", model_dir=workdir / "models", retrain_schedule="1s", retrain_margin=1.0
    )
    application = ApplicationBuilder().token(settings.token).build()
    application.bot_data.update(settings=settings, storage=storage, model=holder)
    admin.register(application)
    await application.job_queue.start()
    try:
        await asyncio.sleep(2.5)  # two or three ticks; the template's run saw every rating
        assert len(await storage.model_runs()) == 1
        assert "no new ratings since the last successful run" in caplog.text

        await storage.record_rating(321, 1, 5.0)
        await wait_for_runs(storage, 2)
        await asyncio.sleep(2.5)  # more ticks: the rating is in run 2's snapshot, so skipped
    finally:
        await application.job_queue.stop()

    runs = await storage.model_runs()
    assert [r.trigger for r in runs] == ["schedule", "first-start"]
    assert runs[0].status in ("succeeded", "rejected"), runs[0].error
    # the run outlasted several 1-second ticks, and none of them started a second one
    assert runs[0].finished_at - runs[0].started_at > timedelta(seconds=2)
    assert "maximum number of running instances reached" in caplog.text
