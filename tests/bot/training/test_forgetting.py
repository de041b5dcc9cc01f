"""Forgetting a person reaches the models: every stored artifact and the served model lose
their row at /forget, at start-up for anyone forgotten before, and when a run that read them
before they forgot publishes its model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.storage import Storage
from bot.training.forgetting import Swept, forget_in_models, forget_rows
from bot.training.model_holder import ModelHolder
from bot.training.retrainer import Retrainer
from bot.training.serving import load_model
from recsys import artifacts
from recsys.forgetting import users_of
from recsys.trained import TrainedRecommender
from tests.support.training import fast_options

ANN, BOB = 730_019_921, 730_019_922
"""Telegram ids."""


@pytest.fixture
def models(workdir: Path) -> Path:
    return workdir / "models"


@pytest.fixture
def kept(models: Path) -> ModelHolder:
    """The template's model, served as the bot serves it: with its models folder."""
    return ModelHolder(artifacts.load_current(models), personal=True, models_dir=models)


@pytest.fixture
def retrainer(storage: Storage, kept: ModelHolder, models: Path) -> Retrainer:
    """Publishes every model it trains (a margin of 100%): these tests are about who is in it."""
    return Retrainer(storage, kept, fast_options(models, margin=1.0))


def served(holder: ModelHolder) -> TrainedRecommender:
    """The model a holder serves: a trained one here, which knows its users."""
    model = holder.get()
    assert isinstance(model, TrainedRecommender), model
    return model


async def rate(storage: Storage, telegram_id: int) -> int:
    """Six ratings of popular movies; the person's id (the user id models know them by)."""
    for movie in await storage.popular_movies(6):
        await storage.record_rating(telegram_id, movie.movie_id, 4.5)
    person = await storage.person_id(telegram_id)
    assert person is not None
    return person


async def train(retrainer: Retrainer, progress=None) -> str:
    report = await retrainer.run("admin:1", progress)
    assert report.status == "succeeded", report.reason
    assert report.version is not None
    return report.version


def holding(models: Path) -> dict[str, list[int]]:
    """Every artifact under `models` and the user ids it holds."""
    return {p.name: users_of(p).tolist() for p in artifacts.list_versions(models)}


async def test_forget_removes_them_from_every_stored_model_and_from_the_served_one(
    storage: Storage, kept: ModelHolder, retrainer: Retrainer, models: Path
) -> None:
    ann = await rate(storage, ANN)
    await train(retrainer)
    await train(retrainer)
    held = [artifacts.current_path(models), artifacts.previous_path(models)]
    assert all(p is not None and ann in users_of(p) for p in held)

    swept = await forget_in_models(storage, kept, await forget_rows(storage, ANN))

    assert (swept.holding, swept.failed) == (2, {})
    assert all(ann not in users for users in holding(models).values())
    assert ann not in served(kept).users
    current = artifacts.current_path(models)
    assert current is not None and kept.get().info.version == current.name


async def test_no_file_of_any_model_holds_their_telegram_id_or_person_id(
    storage: Storage, kept: ModelHolder, retrainer: Retrainer, models: Path
) -> None:
    ann = await rate(storage, ANN)
    await train(retrainer)

    await forget_in_models(storage, kept, await forget_rows(storage, ANN))

    for file in (f for f in models.rglob("*") if f.is_file()):
        data = file.read_bytes()
        assert str(ANN).encode() not in data and ANN.to_bytes(8, "little") not in data, file
    for name in holding(models):
        loaded = artifacts.load(models / name)
        assert ann not in loaded.users and artifacts.load_training(models / name) is None


async def test_the_others_keep_their_rows_and_predictions(
    storage: Storage, kept: ModelHolder, retrainer: Retrainer, models: Path
) -> None:
    ann, bob = await rate(storage, ANN), await rate(storage, BOB)
    await train(retrainer)
    before = served(kept)
    movies = before.items.ids[:50]

    await forget_in_models(storage, kept, await forget_rows(storage, ANN))

    after = served(kept)
    assert ann not in after.users and bob in after.users and 1 in after.users
    bobs = np.full(movies.size, bob)
    np.testing.assert_array_equal(after.predict(bobs, movies), before.predict(bobs, movies))


async def test_rolling_back_after_forgetting_serves_the_previous_model_without_them(
    storage: Storage, kept: ModelHolder, retrainer: Retrainer, models: Path
) -> None:
    ann = await rate(storage, ANN)
    await train(retrainer)
    await train(retrainer)
    await forget_in_models(storage, kept, await forget_rows(storage, ANN))

    version = await retrainer.rollback()

    current = artifacts.current_path(models)
    assert current is not None and version == current.name == kept.get().info.version
    assert ann not in served(kept).users


async def test_a_run_that_read_them_before_they_forgot_publishes_without_them(
    storage: Storage, kept: ModelHolder, retrainer: Retrainer, models: Path
) -> None:
    ann = await rate(storage, ANN)
    swept: list[Swept] = []

    async def forget_while_training(event: dict) -> None:
        if event["event"] == "epoch" and not swept:  # the snapshot is read by now
            swept.append(await forget_in_models(storage, kept, await forget_rows(storage, ANN)))

    version = await train(retrainer, forget_while_training)

    assert swept and swept[0].holding == 0  # nothing on disk held them yet
    assert ann not in users_of(models / version)
    assert kept.get().info.version == version and ann not in served(kept).users


async def test_their_id_given_to_a_newcomer_meanwhile_is_still_removed_from_that_run(
    storage: Storage, kept: ModelHolder, retrainer: Retrainer, models: Path
) -> None:
    ann = await rate(storage, ANN)
    newcomer: list[int] = []

    async def forget_then_someone_new(event: dict) -> None:
        if event["event"] == "epoch" and not newcomer:
            await forget_in_models(storage, kept, await forget_rows(storage, ANN))
            newcomer.append(await rate(storage, BOB))

    version = await train(retrainer, forget_then_someone_new)

    assert newcomer == [ann]  # SQLite gives the highest free id again: the same number
    assert ann not in users_of(models / version)  # Ann's row was it; Bob was never trained


async def test_start_up_removes_people_forgotten_before_models_were_swept(
    storage: Storage, retrainer: Retrainer, models: Path
) -> None:
    ann = await rate(storage, ANN)
    await train(retrainer)
    await storage.forget_person(ANN)  # the database only, as /forget did before issue 11

    holder, needs_training = await load_model(models, storage)

    assert not needs_training and ann not in served(holder).users
    assert all(ann not in users for users in holding(models).values())
    assert holder.models_dir == models


async def test_a_model_that_cannot_be_read_is_reported_and_the_others_are_still_swept(
    storage: Storage, kept: ModelHolder, retrainer: Retrainer, models: Path
) -> None:
    ann = await rate(storage, ANN)
    await train(retrainer)
    broken = artifacts.previous_path(models)
    assert broken is not None
    (broken / "weights.npz").write_bytes(b"not a model")

    swept = await forget_in_models(storage, kept, await forget_rows(storage, ANN))

    assert list(swept.failed) == [broken.name] and swept.holding == 1
    assert ann not in served(kept).users


async def test_a_holder_without_a_models_folder_touches_no_files(
    storage: Storage, models: Path
) -> None:
    holder = ModelHolder(artifacts.load_current(models), personal=True)
    before = {p: p.stat().st_mtime_ns for p in models.rglob("*")}

    swept = await forget_in_models(storage, holder, [1, 2])

    assert (swept.rewritten, swept.failed) == ({}, {})
    assert {p: p.stat().st_mtime_ns for p in models.rglob("*")} == before
