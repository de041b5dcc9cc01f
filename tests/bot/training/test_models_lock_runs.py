"""Replicas changing one models directory: publish, /forget, /rollback and the start-up sweep
wait for the models lock, and a run that lost the training lock publishes nothing.

A second lock object on the same database (another connection on PostgreSQL) stands for
another replica in the middle of a change. The runs train for real (FAST: seconds).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from bot.storage import Storage
from bot.storage.cluster import training_lock
from bot.storage.models_lock import ModelsLock, models_lock
from bot.training.forgetting import forget_in_models
from bot.training.model_holder import ModelHolder
from bot.training.retrainer import LOST, RetrainBusy, Retrainer
from bot.training.serving import load_model
from recsys import artifacts
from recsys.forgetting import users_of
from tests.support.postgres import database_of, fresh_database
from tests.support.training import fast_options

WAITED_S = 0.5
"""How long a change is watched still waiting for the lock another replica holds."""
DONE_WITHIN_S = 60.0


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Where the models lock lives; the template's SQLite file holds the data either way."""
    async with database_of(request.param, tmp_path) as database:
        yield database


def replica(workdir: Path, lock: ModelsLock) -> ModelHolder:
    """The template's model, served with the models lock, as the bot serves it."""
    models = workdir / "models"
    return ModelHolder(
        artifacts.load_current(models), personal=True, models_dir=models, models_lock=lock
    )


async def test_forget_waits_while_another_replica_changes_the_models(
    storage: Storage, workdir: Path, database: str
) -> None:
    holder = replica(workdir, models_lock(database))
    someone = first_user(workdir)

    async with models_lock(database).hold():
        forgetting = asyncio.create_task(forget_in_models(storage, holder, [someone]))
        await asyncio.sleep(WAITED_S)
        assert not forgetting.done() and someone in holding(workdir)
    swept = await asyncio.wait_for(forgetting, DONE_WITHIN_S)

    assert (swept.holding, swept.failed) == (1, {})
    assert someone not in holding(workdir) and someone not in users_of(current(workdir))
    assert holder.get().info.version == current(workdir).name  # the rewrite serves


async def test_forget_past_the_wait_is_reported_and_changes_nothing(
    storage: Storage, workdir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = workdir / "moviebot.db"
    holder = replica(workdir, models_lock(database, wait_s=0.2))
    someone = first_user(workdir)
    served = holder.get()

    with caplog.at_level(logging.ERROR):
        async with models_lock(database).hold():
            swept = await forget_in_models(storage, holder, [someone])

    assert "changing the models directory for over 0.2 s" in swept.failed["models"]
    assert someone in holding(workdir) and holder.get() is served
    assert someone in holder.forgotten  # a run going now still publishes without them
    assert "not removed from the stored models yet" in caplog.text
    assert not holder.disk_lock.locked()


async def test_a_publish_waits_while_another_replica_changes_the_models(
    storage: Storage, workdir: Path
) -> None:
    database = workdir / "moviebot.db"
    holder = replica(workdir, models_lock(database))
    retrainer = Retrainer(storage, holder, fast_options(workdir / "models", margin=1.0))
    before = artifacts.current_path(workdir / "models")
    loading = asyncio.Event()

    async def progress(event: dict) -> None:
        if event.get("stage") == "loading":  # trained: the publish comes next
            loading.set()

    async with models_lock(database).hold():
        running = asyncio.create_task(retrainer.run("admin:1", progress))
        await asyncio.wait_for(loading.wait(), DONE_WITHIN_S)
        await asyncio.sleep(WAITED_S)
        assert not running.done() and artifacts.current_path(workdir / "models") == before
    report = await asyncio.wait_for(running, DONE_WITHIN_S)

    assert report.status == "succeeded", report.reason
    assert current(workdir).name == report.version
    assert holder.get().info.version == report.version


async def test_a_rollback_past_the_wait_is_refused_and_changes_nothing(
    storage: Storage, workdir: Path
) -> None:
    database = workdir / "moviebot.db"
    holder = replica(workdir, models_lock(database, wait_s=0.2))
    retrainer = Retrainer(storage, holder, fast_options(workdir / "models"))
    before = artifacts.current_path(workdir / "models")

    async with models_lock(database).hold():
        with pytest.raises(RetrainBusy, match="changing the models directory"):
            await retrainer.rollback()

    assert artifacts.current_path(workdir / "models") == before
    assert not retrainer.busy


async def test_start_up_serves_when_the_models_lock_is_kept_elsewhere(
    storage: Storage, workdir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = workdir / "moviebot.db"
    lock = models_lock(database, wait_s=0.2)
    async with models_lock(database).hold():
        holder, needs_training = await load_model(workdir / "models", storage, models_lock=lock)

    assert not needs_training and holder.personal and holder.models_lock is lock
    assert "not checked for forgotten people at start-up" in caplog.text


async def test_a_run_that_loses_the_training_lock_mid_run_fails_and_publishes_nothing(
    storage: Storage, workdir: Path
) -> None:
    models = workdir / "models"
    before, versions = artifacts.current_path(models), artifacts.list_versions(models)
    async with fresh_database() as url:
        holder = replica(workdir, models_lock(url))
        options = fast_options(models, margin=1.0)  # would publish whatever it trains
        retrainer = Retrainer(storage, holder, options, cluster=training_lock(url))
        served, taken = holder.get(), list[bool]()

        async def lose_the_lock(event: dict) -> None:
            if event["event"] == "epoch" and not taken:
                await terminate_training_lock(url)
                async with training_lock(url).try_hold() as other:  # another replica could train
                    taken.append(bool(other))

        report = await retrainer.run("admin:1", lose_the_lock)

    assert taken == [True]
    assert (report.status, report.reason, report.version) == ("failed", LOST, None)
    assert artifacts.current_path(models) == before and holder.get() is served
    assert artifacts.list_versions(models) == versions  # its artifact is deleted
    run = (await storage.model_runs(limit=1))[0]
    assert (run.status, run.error) == ("failed", LOST)


async def terminate_training_lock(url: str) -> None:
    """End the session holding the training lock on the database at `url` (as a restarted
    server or a dropped connection would), and wait until the server has let the lock go."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = 'moviebot training lock' AND datname = current_database()"
        )
        while await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE application_name = 'moviebot training lock' AND datname = current_database()"
        ):
            await asyncio.sleep(0.02)
    finally:
        await conn.close()


def current(workdir: Path) -> Path:
    """The artifact the models directory's `current` names."""
    path = artifacts.current_path(workdir / "models")
    assert path is not None
    return path


def first_user(workdir: Path) -> int:
    """A user id the served (and only) model of the template holds."""
    return int(users_of(current(workdir))[0])


def holding(workdir: Path) -> set[int]:
    """Every user id any artifact in the models directory holds."""
    found: set[int] = set()
    for path in artifacts.list_versions(workdir / "models"):
        found.update(users_of(path).tolist())
    return found
