"""The history of training runs: started, finished once, the last good one found."""

from __future__ import annotations

import pytest

from bot.storage import Storage, StorageError


async def test_a_run_is_recorded_from_start_to_finish(storage: Storage) -> None:
    run_id = await storage.start_model_run("admin")

    await storage.finish_model_run(
        run_id,
        status="succeeded",
        n_ratings=100,
        n_users=10,
        n_movies=20,
        metrics={"rmse": 0.85, "ndcg@10": 0.2},
        artifact_path="models/2027-01-01T00-00-00",
    )

    [run] = await storage.model_runs()
    assert (run.run_id, run.trigger, run.status, run.error) == (run_id, "admin", "succeeded", None)
    assert (run.n_ratings, run.n_users, run.n_movies) == (100, 10, 20)
    assert run.metrics == {"rmse": 0.85, "ndcg@10": 0.2}
    assert run.artifact_path == "models/2027-01-01T00-00-00"
    assert run.finished_at is not None and run.finished_at >= run.started_at


async def test_the_last_successful_run_skips_failures(storage: Storage) -> None:
    good = await storage.start_model_run("schedule")
    await storage.finish_model_run(good, status="succeeded")
    bad = await storage.start_model_run("schedule")
    await storage.finish_model_run(bad, status="failed", error="out of memory")

    last = await storage.last_successful_run()

    assert last is not None and last.run_id == good
    assert [(r.run_id, r.error) for r in await storage.model_runs()] == [
        (bad, "out of memory"),
        (good, None),
    ]


async def test_no_successful_run_yet(storage: Storage) -> None:
    rejected = await storage.start_model_run("schedule")
    await storage.finish_model_run(rejected, status="rejected", error="worse than the current")
    await storage.start_model_run("startup")

    assert await storage.last_successful_run() is None


async def test_a_run_finishes_only_once(storage: Storage) -> None:
    run_id = await storage.start_model_run("admin")
    await storage.finish_model_run(run_id, status="failed", error="first")

    with pytest.raises(StorageError, match="no running model run"):
        await storage.finish_model_run(run_id, status="succeeded")
    [run] = await storage.model_runs()
    assert (run.status, run.error) == ("failed", "first")


@pytest.mark.parametrize("status", ["running", "ok", ""])
async def test_a_finish_needs_a_final_status(storage: Storage, status: str) -> None:
    run_id = await storage.start_model_run("admin")

    with pytest.raises(StorageError, match="status"):
        await storage.finish_model_run(run_id, status=status)
    assert [r.status for r in await storage.model_runs()] == ["running"]


async def test_runs_left_running_by_a_dead_process_are_failed(storage: Storage) -> None:
    await storage.start_model_run("schedule")

    assert await storage.fail_unfinished_runs() == 1
    [run] = await storage.model_runs()
    assert (run.status, run.error) == ("failed", "the bot stopped during the run")


async def test_a_run_needs_a_trigger(storage: Storage) -> None:
    with pytest.raises(StorageError, match="trigger"):
        await storage.start_model_run("  ")
