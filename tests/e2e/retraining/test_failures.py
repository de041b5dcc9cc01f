"""A corrupt model on disk at start-up and training runs that fail, in the real bot process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.retraining.helpers import FINAL, run_rows, start_bot, wait_text
from tests.support.botapi import FakeBotApi
from tests.support.harness import BotProcess, Person, listed_movies
from tests.support.training import fault_env

ADMIN = 700_002
pytestmark = [pytest.mark.e2e, pytest.mark.errors_expected]


@pytest.fixture(scope="module")
def bot(
    api: FakeBotApi,
    template: Path,
    movielens_sample: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[BotProcess]:
    """Started over a corrupt current model, with every training run made to fail."""
    workdir = tmp_path_factory.mktemp("failures-e2e") / "bot"
    env = fault_env("raise")
    process = start_bot(api, template, workdir, movielens_sample, ADMIN, env, corrupt=True)
    yield process
    process.stop()


def test_corrupt_model_at_start_falls_back_with_a_clear_error(
    api: FakeBotApi, bot: BotProcess
) -> None:
    error = bot.wait_log(r"ERROR.*model artifact \S+ unusable: .*", timeout=90)
    assert "weights.npz" in error.group(0)
    # no other model on disk: the popularity list serves while a first training is tried
    bot.wait_log(r"training run \d+ failed: RuntimeError: injected training failure", timeout=90)
    reply = Person(api, 700_300, "Ann").say("/recommend")
    assert listed_movies(reply)


def test_failed_admin_run_keeps_serving_and_tells_why(api: FakeBotApi, bot: BotProcess) -> None:
    bot.wait_log(r"training run \d+ failed", timeout=90)  # the first-start run is over
    current = os.readlink(bot.models / "current")
    person, boss = Person(api, 700_301, "Bob"), Person(api, ADMIN, "Boss")

    status = boss.say("/retrain")
    final = wait_text(api, status, FINAL.search)

    assert "Training failed" in final and "injected training failure" in final
    assert os.readlink(bot.models / "current") == current
    assert run_rows(bot.database)[-1][:2] == (f"admin:{ADMIN}", "failed")
    assert listed_movies(person.say("/recommend"))
