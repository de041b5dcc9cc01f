"""The models lock replicas take to change the shared models directory, on SQLite and
PostgreSQL: a second holder waits for the first, and a wait past its bound is a clear error.

Every test takes `database_url` (tests/bot/storage/conftest.py), so it runs on both backends;
two lock objects stand for two replicas (on PostgreSQL, two connections).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.storage.cluster import training_lock
from bot.storage.models_lock import (
    FileModelsLock,
    ModelsLockUnavailable,
    PostgresModelsLock,
    models_lock,
)

WAITED_S = 0.3
"""How long a waiter is watched still waiting: far past a free lock's few milliseconds."""
TAKEN_WITHIN_S = 5.0


async def test_a_second_holder_waits_until_the_first_lets_go(database_url: str) -> None:
    first, second = models_lock(database_url), models_lock(database_url)
    entered = asyncio.Event()

    async def wait_then_hold() -> None:
        async with second.hold():
            entered.set()

    async with first.hold():
        waiter = asyncio.create_task(wait_then_hold())
        await asyncio.sleep(WAITED_S)
        assert not entered.is_set()
    await asyncio.wait_for(waiter, TAKEN_WITHIN_S)
    assert entered.is_set()


async def test_a_wait_past_its_bound_is_a_clear_error(database_url: str) -> None:
    impatient = models_lock(database_url, wait_s=0.2)
    async with models_lock(database_url).hold():
        with pytest.raises(ModelsLockUnavailable, match="changing the models directory for over"):
            async with impatient.hold():
                pytest.fail("held while another holder had it")
    async with impatient.hold():  # free again: taken at once
        pass


async def test_a_holder_that_raises_lets_go(database_url: str) -> None:
    with pytest.raises(RuntimeError):
        async with models_lock(database_url).hold():
            raise RuntimeError("the sweep broke")
    async with models_lock(database_url, wait_s=0.2).hold():
        pass


async def test_it_is_not_the_training_lock(database_url: str) -> None:
    """A run holds the training lock for minutes: /forget must not wait for it."""
    async with training_lock(database_url).try_hold() as held:
        assert held
        async with models_lock(database_url, wait_s=0.2).hold():  # taken at once
            pass


def test_the_lock_is_chosen_from_the_database(tmp_path: Path) -> None:
    database = tmp_path / "moviebot.db"
    lock = models_lock(f"sqlite:///{database}")
    assert isinstance(lock, FileModelsLock) and lock.path == tmp_path / "moviebot.db.models.lock"
    url = "postgresql://bot:secret@db:5432/moviebot"
    lock = models_lock(url, wait_s=5)
    assert isinstance(lock, PostgresModelsLock) and (lock.url, lock.wait_s) == (url, 5)


async def test_an_unreachable_server_is_unavailable_not_a_crash() -> None:
    with pytest.raises(ModelsLockUnavailable, match="cannot reach PostgreSQL for the models lock"):
        async with models_lock("postgresql://postgres@127.0.0.1:1/nothing").hold():
            pass
