"""The RETRAIN_SCHEDULE job on PTB's real JobQueue (APScheduler) with a 1-second interval."""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from telegram.ext import ApplicationBuilder

from bot.chat import jobs
from bot.chat.context import CONTEXT_TYPES, BotApplication
from bot.chat.locales import admin as admin_locales
from bot.config import Settings
from bot.storage import Storage
from bot.training.model_holder import ModelHolder
from bot.training.retrainer import Retrainer
from recsys import artifacts
from tests.support.training import fast_options, fault_env

SKIPPED = "no new ratings since the last successful run"
FINISHED = re.compile(r"training run 2 (succeeded|rejected|failed)")


@pytest.fixture
async def application(template: Path, tmp_path: Path) -> AsyncIterator[BotApplication]:
    """An Application over a copy of the trained template, with the schedule every second."""
    workdir = tmp_path / "bot"
    shutil.copytree(template, workdir, symlinks=True)
    settings = Settings(token="123:TEST", model_dir=workdir / "models", retrain_schedule="1s")
    application: BotApplication = (
        ApplicationBuilder().token(settings.token).context_types(CONTEXT_TYPES).build()
    )
    storage = await Storage.open(workdir / "moviebot.db")
    holder = ModelHolder(artifacts.load_current(workdir / "models"), personal=True)
    resources = application.bot_data
    resources.settings, resources.storage, resources.holder = settings, storage, holder
    resources.retrainer = Retrainer(storage, holder, fast_options(settings.model_dir, margin=1.0))
    yield application
    await storage.close()


async def wait_until(condition: Callable[[], bool], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met after {timeout} s")
        await asyncio.sleep(0.1)


async def test_schedule_skips_without_new_ratings_runs_after_one_and_never_overlaps(
    application: BotApplication, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # At least 3 epochs (patience 2) x 1.5 s: the run outlasts several ticks however fast
    # training gets (a quiet machine trained the template's sample in 1.8 s, under the 2 s
    # asserted below).
    for name, value in fault_env("slow").items():
        monkeypatch.setenv(name, value)
    caplog.set_level(logging.INFO)
    storage = application.bot_data.storage
    assert storage is not None and application.job_queue is not None
    jobs.schedule(application, "1s")
    await application.job_queue.start()
    try:
        # two ticks; the template's run saw every rating, so both skip
        await wait_until(lambda: caplog.text.count(SKIPPED) >= 2)
        assert len(await storage.model_runs()) == 1

        await storage.record_rating(321, 1, 5.0)
        await wait_until(lambda: FINISHED.search(caplog.text) is not None)
        # a later tick: the rating is in run 2's snapshot, so it skips again
        skipped = caplog.text.count(SKIPPED)
        await wait_until(lambda: caplog.text.count(SKIPPED) > skipped)
    finally:
        await application.job_queue.stop()

    runs = await storage.model_runs()
    assert [r.trigger for r in runs] == ["schedule", "first-start"]
    assert runs[0].status in ("succeeded", "rejected"), runs[0].error
    assert runs[0].finished_at is not None
    # the run outlasted several 1-second ticks, and none of them started a second one
    assert runs[0].finished_at - runs[0].started_at > timedelta(seconds=2)
    assert "maximum number of running instances reached" in caplog.text


class Admins:
    """The parts of the context `scheduled_run` uses: two admins, one who chose Russian."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.settings = Settings(token="123:TEST", admin_ids=frozenset({7, 8}))
        self.application = SimpleNamespace(running=False)
        failed = SimpleNamespace(status="failed", reason="the worker ran out of memory")
        self.retrainer = SimpleNamespace(run_if_new_ratings=lambda **_: _done(failed))
        self.job = None  # called directly, not by the job queue: no tick to claim
        self.sent: list[tuple[int, str]] = []
        self.bot = self

    async def send_message(self, chat_id: int, text: str) -> None:
        self.sent.append((chat_id, text))


async def _done(value: object) -> object:
    return value


async def test_a_failed_scheduled_run_is_told_to_each_admin_in_their_language(
    tmp_path: Path,
) -> None:
    async with await Storage.open(tmp_path / "bot.db") as storage:
        await storage.set_language(8, "ru")
        context = Admins(storage)

        await jobs.scheduled_run(context)  # type: ignore[arg-type]

    assert sorted(context.sent) == [
        (7, admin_locales.EN.scheduled_failed.format(reason="the worker ran out of memory")),
        (8, admin_locales.RU.scheduled_failed.format(reason="the worker ran out of memory")),
    ]
