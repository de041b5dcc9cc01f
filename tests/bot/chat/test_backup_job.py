"""The BACKUP_SCHEDULE job on PTB's real JobQueue (APScheduler), every second: it keeps the
newest BACKUP_KEEP backups, and a failed backup is one WARNING line while the bot goes on."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from telegram.ext import ApplicationBuilder

from bot.chat import jobs
from bot.chat.context import CONTEXT_TYPES, BotApplication
from bot.config import Settings
from bot.storage import Storage

DONE = "backed up the database"
FAILED = "scheduled backup failed"


async def scheduled(storage: Storage, backup_dir: Path, keep: int) -> BotApplication:
    """An Application over ``storage`` with BACKUP_SCHEDULE every second, its jobs added."""
    settings = Settings(
        token="123:TEST", backup_schedule="1s", backup_dir=backup_dir, backup_keep=keep
    )
    application: BotApplication = (
        ApplicationBuilder().token(settings.token).context_types(CONTEXT_TYPES).build()
    )
    application.bot_data.settings, application.bot_data.storage = settings, storage
    jobs.schedule_backups(application, settings)
    return application


@pytest.fixture
async def running(storage: Storage) -> AsyncIterator[Callable[[Path, int], Awaitable[None]]]:
    """Starts the backup schedule (every second) for a folder and BACKUP_KEEP; stops it after."""
    started: list[BotApplication] = []

    async def start(backup_dir: Path, keep: int) -> None:
        application = await scheduled(storage, backup_dir, keep)
        assert application.job_queue is not None
        await application.job_queue.start()
        started.append(application)

    yield start
    for application in started:
        assert application.job_queue is not None
        await application.job_queue.stop()


async def wait_until(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met after {timeout} s")
        await asyncio.sleep(0.05)


async def test_scheduled_backups_keep_the_newest_n(
    running: Callable[[Path, int], Awaitable[None]],
    storage: Storage,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    folder = tmp_path / "backups"

    await running(folder, 2)
    await wait_until(lambda: caplog.text.count(DONE) >= 4)

    kept = sorted(p.name for p in folder.iterdir() if p.suffix == ".db")
    assert len(kept) == 2
    assert all(name.startswith("bot-") and name.endswith("Z.db") for name in kept)


async def test_a_failed_scheduled_backup_is_one_warning_and_the_bot_goes_on(
    running: Callable[[Path, int], Awaitable[None]],
    storage: Storage,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    not_a_folder = tmp_path / "backups"
    not_a_folder.write_text("a file where the backups should go")

    await running(not_a_folder, 2)
    await wait_until(lambda: caplog.text.count(FAILED) >= 2)  # and the next tick tried again
    await storage.record_rating(77, 2, 4.0)

    failures = [r for r in caplog.records if FAILED in r.getMessage()]
    assert {r.levelno for r in failures} == {logging.WARNING}
    assert all("\n" not in r.getMessage() and r.exc_info is None for r in failures)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert [(r.movie_id, r.rating) for r in await storage.ratings_of(77)] == [(2, 4.0)]


async def test_backups_are_off_by_default() -> None:
    settings = Settings(token="123:TEST")
    application: BotApplication = (
        ApplicationBuilder().token(settings.token).context_types(CONTEXT_TYPES).build()
    )

    jobs.schedule_backups(application, settings)

    assert application.job_queue is not None
    assert application.job_queue.jobs() == ()
