"""Replicas serve what another one published: the poll of the shared models dir's `current`."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import pytest

from bot.training.model_holder import ModelHolder
from bot.training.pickup import RETRY_POLLS, ModelPickup
from recsys import artifacts, pointers
from recsys.trained import TrainedRecommender
from tests.recsys.test_artifacts import tiny_recommender
from tests.support.data import REPO

INTERVAL_S = 0.25
LOAD_SLACK_S = 2.0
"""A tiny artifact loads in milliseconds; the slack is for a busy 2-core machine."""
PUBLISH = "import sys; from recsys import artifacts; artifacts.activate(sys.argv[1], sys.argv[2])"
"""What the replica that trained a model does to publish it (after saving it, unactivated)."""


@pytest.fixture
def models(tmp_path: Path) -> Path:
    return tmp_path / "models"


@pytest.fixture
def serving(models: Path) -> ModelHolder:
    """A replica serving the models dir's first model."""
    first = artifacts.save(tiny_recommender(seed=1), models)
    return ModelHolder(artifacts.load(first), personal=True, models_dir=models)


async def publish_elsewhere(models: Path, artifact: Path) -> None:
    """Switch `current` to `artifact` from another process."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", PUBLISH, str(models), str(artifact), cwd=REPO
    )
    assert await child.wait() == 0


async def test_a_model_published_by_another_process_is_served_within_the_poll_interval(
    serving: ModelHolder, models: Path
) -> None:
    first = serving.get()
    second = artifacts.save(tiny_recommender(seed=2), models, activate=False)
    pickup = ModelPickup(serving, models, INTERVAL_S)
    pickup.start()
    try:
        await asyncio.sleep(2 * INTERVAL_S)
        assert serving.get() is first  # polls that find the served model change nothing
        await publish_elsewhere(models, second)
        loop = asyncio.get_running_loop()
        published = loop.time()
        while serving.get().info.version != second.name:
            assert loop.time() - published < INTERVAL_S + LOAD_SLACK_S, "not picked up"
            await asyncio.sleep(0.02)
        assert serving.personal
    finally:
        await pickup.stop()
    await pickup.stop()  # twice is harmless


async def test_a_corrupt_artifact_is_refused_and_the_old_model_keeps_serving(
    serving: ModelHolder, models: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old = serving.get()
    bad = artifacts.save(tiny_recommender(seed=3), models, activate=False)
    (bad / artifacts.WEIGHTS).write_bytes(b"not an npz file")
    pointers.switch(models, bad.name)  # as a broken publisher could, past activate's check
    pickup = ModelPickup(serving, models, INTERVAL_S)

    with caplog.at_level(logging.ERROR, logger="bot.training.pickup"):
        assert not await pickup.check()
    assert serving.get() is old
    assert f"model {bad.name} is unusable; still serving {old.info.version}" in caplog.text

    caplog.clear()
    for _ in range(RETRY_POLLS - 1):  # not tried again at every poll...
        assert not await pickup.check()
    assert caplog.text == ""
    assert not await pickup.check()  # ...but after RETRY_POLLS polls
    assert "unusable" in caplog.text

    good = artifacts.save(tiny_recommender(seed=4), models)  # the pointer moves on: at once
    assert await pickup.check()
    assert serving.get().info.version == good.name


async def test_this_replicas_own_publish_is_not_loaded_again(
    serving: ModelHolder, models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pickup = ModelPickup(serving, models, INTERVAL_S)
    new = artifacts.save(tiny_recommender(seed=5), models, activate=False)
    model = artifacts.load(new)
    loads: list[Path] = []
    real_load = artifacts.load

    def recording_load(path: Path) -> TrainedRecommender:
        loads.append(path)
        return real_load(path)

    monkeypatch.setattr(artifacts, "load", recording_load)

    async with serving.disk_lock:  # as the retrainer publishes: activate, then swap
        artifacts.activate(models, new)
        assert not await pickup.check()  # mid-publish: the poll keeps out
        serving.swap(model)
    assert not await pickup.check()
    assert loads == [] and serving.get() is model


async def test_a_replica_serving_popularity_picks_up_the_first_model(
    models: Path,
) -> None:
    holder = ModelHolder(tiny_recommender(seed=6), personal=False, models_dir=models)
    pickup = ModelPickup(holder, models, INTERVAL_S)
    assert not await pickup.check()  # no model anywhere yet
    first = artifacts.save(tiny_recommender(seed=7), models)
    assert await pickup.check()
    assert holder.personal and holder.get().info.version == first.name


async def test_a_publish_here_while_loading_wins(
    serving: ModelHolder, models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pointer moved on (this replica published) while another's model loaded: the
    loaded one is dropped, not swapped over the newer one."""
    theirs = artifacts.save(tiny_recommender(seed=8), models)
    ours = artifacts.save(tiny_recommender(seed=9), models, activate=False)
    ours_model = artifacts.load(ours)
    real_load = artifacts.load

    def load_while_we_publish(path: Path) -> object:
        loaded = real_load(path)
        artifacts.activate(models, ours)
        serving.swap(ours_model)
        return loaded

    monkeypatch.setattr(artifacts, "load", load_while_we_publish)
    assert not await ModelPickup(serving, models, INTERVAL_S).check()
    assert serving.get() is ours_model
    assert artifacts.current_path(models) == models / ours.name != models / theirs.name


def test_the_interval_must_be_positive(serving: ModelHolder, models: Path) -> None:
    with pytest.raises(ValueError, match="more than zero"):
        ModelPickup(serving, models, 0)
