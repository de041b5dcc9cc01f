"""Training runs with replicas: one at a time across processes, scheduled ticks run once.

A foreign holder of the cluster lock stands for another replica mid-run. No test here trains:
every run is refused before the worker starts, so a tiny model and an empty database do.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import Storage
from bot.storage.cluster import training_lock
from bot.training.model_holder import ModelHolder
from bot.training.retrainer import ELSEWHERE, PUBLISHED, RetrainBusy, Retrainer
from bot.training.runs import RunReport
from recsys import artifacts
from tests.recsys.test_artifacts import tiny_recommender
from tests.support.postgres import database_of
from tests.support.training import fast_options

UNREACHABLE = "postgresql://postgres@127.0.0.1:1/nothing"


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with database_of(request.param, tmp_path) as database:
        yield database


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    storage = await Storage.open(tmp_path / "runs.db")
    yield storage
    await storage.close()


def retrainer_on(storage: Storage, tmp_path: Path, database: str) -> Retrainer:
    holder = ModelHolder(tiny_recommender(), personal=True, models_dir=tmp_path / "models")
    options = fast_options(tmp_path / "models")
    return Retrainer(storage, holder, options, cluster=training_lock(database))


async def test_a_run_while_another_replica_trains_answers_busy(
    storage: Storage, tmp_path: Path, database: str
) -> None:
    retrainer = retrainer_on(storage, tmp_path, database)
    served = retrainer.holder.get()
    async with training_lock(database).try_hold() as held:
        assert held
        report = await retrainer.run("admin:7")
        assert (report.status, report.reason) == ("busy", ELSEWHERE)
        with pytest.raises(RetrainBusy, match="another replica"):
            await retrainer.rollback()
        assert not retrainer.busy  # nothing stays taken here
    assert await storage.model_runs() == []  # a refused run leaves no record
    assert retrainer.holder.get() is served


async def test_retrain_sent_to_two_replicas_starts_one_run(
    storage: Storage, tmp_path: Path, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = (retrainer_on(storage, tmp_path, database) for _ in range(2))
    going, finish = asyncio.Event(), asyncio.Event()

    async def long_run(retrainer: Retrainer, trigger: str, _progress: object) -> RunReport:
        going.set()  # what follows the locks, training to publish, stands still until told
        await finish.wait()
        return RunReport(trigger, "succeeded", "trained")

    monkeypatch.setattr(Retrainer, "_recorded_run", long_run)
    running = asyncio.create_task(first.run("admin:1"))
    await asyncio.wait_for(going.wait(), 30)

    assert (await second.run("admin:2")).reason == ELSEWHERE
    assert (await first.run("admin:3")).reason == "a training run is already going"
    finish.set()
    assert (await running).status == "succeeded"
    assert (await second.run("admin:4")).status == "succeeded"  # free again


async def test_runs_left_running_are_not_failed_while_another_replica_holds_the_lock(
    storage: Storage, tmp_path: Path, database: str
) -> None:
    elsewhere = await storage.start_model_run("admin:9")  # another replica's run, going on
    retrainer = retrainer_on(storage, tmp_path, database)
    async with training_lock(database).try_hold():
        assert await retrainer.recover() == 0
        assert (await storage.model_runs())[0].status == "running"
    assert await retrainer.recover() == 1  # that replica died: its run is over
    run = (await storage.model_runs())[0]
    assert (run.run_id, run.status) == (elsewhere, "failed")
    assert await retrainer.recover() == 0  # once per retrainer


async def test_only_the_replica_that_claims_the_tick_runs_it(
    storage: Storage, tmp_path: Path, database: str
) -> None:
    retrainer = retrainer_on(storage, tmp_path, database)
    claims: list[str] = []

    async def lose() -> bool:
        claims.append("lost")
        return False

    async def win() -> bool:
        claims.append("won")
        return True

    async def broken() -> bool:
        raise ConnectionError("the database went away")

    assert await retrainer.run_if_new_ratings(claim=lose) is None
    assert await retrainer.run_if_new_ratings(claim=broken) is None
    async with training_lock(database).try_hold():  # stops the winner before it trains
        report = await retrainer.run_if_new_ratings(claim=win)
    assert report is not None and report.status == "busy"
    assert claims == ["lost", "won"]


async def test_an_unreachable_lock_fails_the_run_and_refuses_a_rollback(
    storage: Storage, tmp_path: Path
) -> None:
    retrainer = retrainer_on(storage, tmp_path, UNREACHABLE)
    report = await retrainer.run("admin:10")
    assert report.status == "failed" and "lock is unavailable" in report.reason
    with pytest.raises(RetrainBusy, match="lock is unavailable"):
        await retrainer.rollback()
    assert await retrainer.recover() == 0
    assert await storage.model_runs() == []


async def test_a_first_start_serves_the_model_another_replica_published_meanwhile(
    storage: Storage, tmp_path: Path, database: str
) -> None:
    retrainer = retrainer_on(storage, tmp_path, database)
    published = artifacts.save(tiny_recommender(seed=11), tmp_path / "models")

    report = await retrainer.run("first-start", first=True)

    assert (report.status, report.reason) == ("busy", PUBLISHED)
    assert retrainer.holder.get().info.version == published.name
    assert await storage.model_runs() == []


async def test_a_first_start_trains_when_the_current_model_is_unusable(
    storage: Storage, tmp_path: Path, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    retrainer = retrainer_on(storage, tmp_path, database)
    broken = artifacts.save(tiny_recommender(seed=12), tmp_path / "models")
    (broken / artifacts.WEIGHTS).write_bytes(b"truncated")

    async def trained(_retrainer: Retrainer, trigger: str, _progress: object) -> RunReport:
        return RunReport(trigger, "succeeded", "trained")

    monkeypatch.setattr(Retrainer, "_recorded_run", trained)
    assert (await retrainer.run("first-start", first=True)).status == "succeeded"
