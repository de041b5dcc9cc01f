"""Training runs end to end inside the bot's process: swap, reject, fail, one at a time."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.storage import Storage
from bot.training.model_holder import ModelHolder
from bot.training.retrainer import Retrainer
from bot.training.runs import run_curve
from recsys import artifacts
from tests.support.training import fast_options, fault_env


async def test_admin_run_swaps_in_the_new_model_and_rollback_brings_back_the_old(
    retrainer: Retrainer, holder: ModelHolder, storage: Storage, workdir: Path
) -> None:
    old = holder.get()
    events: list[dict] = []

    async def progress(event: dict) -> None:
        events.append(event)

    report = await retrainer.run("admin:7", progress)

    assert report.status == "succeeded", report.reason
    assert holder.get() is not old
    assert holder.get().info.version == report.version
    current = artifacts.current_path(workdir / "models")
    previous = artifacts.previous_path(workdir / "models")
    assert current is not None and current.name == report.version
    assert previous is not None and previous.name == old.info.version
    assert any(e["event"] == "epoch" for e in events)
    run = (await storage.model_runs(limit=1))[0]
    assert (run.trigger, run.status, run.error) == ("admin:7", "succeeded", None)
    assert report.data is not None and run.n_ratings == report.data["n_ratings"] > 0
    assert report.new is not None and run.metrics["rmse"] == pytest.approx(report.new["rmse"])
    assert "current_rmse" in run.metrics and "popularity_ndcg@10" in run.metrics
    assert len(run_curve(run.metrics)) == len(report.history) > 0
    assert run.artifact_path == str(workdir / "models" / report.version)

    assert await retrainer.rollback() == old.info.version == holder.get().info.version
    current = artifacts.current_path(workdir / "models")
    assert current is not None and current.name == old.info.version


async def test_a_worse_model_is_rejected_and_the_old_one_keeps_serving(
    storage: Storage, holder: ModelHolder, workdir: Path
) -> None:
    # a margin of -50% demands a new model twice as good: impossible, so it must be rejected
    retrainer = Retrainer(storage, holder, fast_options(workdir / "models", margin=-0.5))
    old, before = holder.get(), artifacts.list_versions(workdir / "models")

    report = await retrainer.run("schedule")

    assert report.status == "rejected"
    assert "worse than the current" in report.reason
    assert holder.get() is old
    assert artifacts.list_versions(workdir / "models") == before  # the loser is not kept
    run = (await storage.model_runs(limit=1))[0]
    assert run.status in ("rejected", "failed")
    assert run.error is not None and "worse than the current" in run.error


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("raise", "RuntimeError: injected training failure"),
        ("crash", "exited with code 137"),
    ],
)
async def test_a_failing_run_leaves_the_old_model_and_says_why(
    retrainer: Retrainer,
    holder: ModelHolder,
    storage: Storage,
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
    reason: str,
) -> None:
    for name, value in fault_env(fault).items():
        monkeypatch.setenv(name, value)
    old, current = holder.get(), artifacts.current_path(workdir / "models")

    report = await retrainer.run("admin:7")

    assert report.status == "failed"
    assert reason in report.reason
    assert holder.get() is old
    assert artifacts.current_path(workdir / "models") == current
    run = (await storage.model_runs(limit=1))[0]
    assert run.status == "failed" and run.error is not None and reason in run.error


async def test_runs_never_overlap_and_a_run_past_the_timeout_is_killed(
    storage: Storage, holder: ModelHolder, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in fault_env("hang").items():
        monkeypatch.setenv(name, value)
    retrainer = Retrainer(storage, holder, fast_options(workdir / "models", timeout_s=4))
    old = holder.get()

    first = asyncio.create_task(retrainer.run("schedule"))
    while not retrainer.busy:  # the first run holds the lock
        await asyncio.sleep(0.01)
    second = await retrainer.run("admin:7")
    skipped = await retrainer.run_if_new_ratings()
    report = await first

    assert second.status == "busy" and skipped is None
    assert report.status == "failed" and "timed out" in report.reason
    assert holder.get() is old
    runs = await storage.model_runs(limit=10)
    assert [r.trigger for r in runs if r.started_at >= runs[0].started_at] == ["schedule"]


async def test_scheduled_run_needs_a_new_rating(retrainer: Retrainer, storage: Storage) -> None:
    assert (await storage.last_successful_run()) is not None  # the template's first model

    assert await retrainer.run_if_new_ratings() is None
    assert len(await storage.model_runs()) == 1

    await storage.record_rating(555, 1, 4.5)
    report = await retrainer.run_if_new_ratings()
    assert report is not None and report.trigger == "schedule"
    assert report.status in ("succeeded", "rejected"), report.reason
