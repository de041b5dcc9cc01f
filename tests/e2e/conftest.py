"""Fixtures: one fake Bot API server and one real bot process shared by all e2e tests.

Each test plays a different person, so tests share the bot (and its first training run,
the slow part) without seeing each other's ratings.
"""

from __future__ import annotations

import itertools
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.botapi import FakeBotApi, make_group
from tests.support.data import write_subset
from tests.support.harness import BotProcess, Person, make_token

ADMIN_ID = 424242
EARLY_BIRD = 900_000
"""Someone who asks for recommendations while the first model is still training."""
FIRST_START: dict[str, Any] = {}
"""What the bot did on its first start: "early_recommendation" (to someone with one rating,
while the first model trains), "trained_by_then", "log" (until the model was serving)."""
_people = itertools.count(910_001)
CAPTURED: list[str] = []
"""Everything pytest captured (stdout, stderr, logs, failure reports) in this directory's
tests, for the test that checks the token never shows up in a run's output."""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    CAPTURED.extend(content for _, content in report.sections)
    if report.failed:
        CAPTURED.append(report.longreprtext)
    return report


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The whole-run checks go after every other e2e test (other directories keep their
    places, so the e2e tests stay together and share one bot process)."""
    here = Path(__file__).parent
    positions = [i for i, item in enumerate(items) if here in item.path.parents]
    ours = sorted(
        (items[i] for i in positions),
        key=lambda item: item.get_closest_marker("run_last") is not None,
    )
    for position, item in zip(positions, ours, strict=True):
        items[position] = item


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "run_last: run after every other test (e2e)")
    config.addinivalue_line("markers", "errors_expected: the test makes the bot log errors")


@pytest.fixture(scope="package")
def fake_api() -> Iterator[FakeBotApi]:
    with FakeBotApi(make_token()) as api:
        yield api


@pytest.fixture(scope="package")
def movielens_subset(real_movielens_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_subset(real_movielens_dir, tmp_path_factory.mktemp("movielens"))


@pytest.fixture(scope="package")
def bot(
    fake_api: FakeBotApi, movielens_subset: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BotProcess]:
    """The real bot, polling, with its first model trained and serving."""
    process = BotProcess(
        fake_api, tmp_path_factory.mktemp("bot"), movielens_subset, admin_ids=(ADMIN_ID,)
    )
    process.start()
    try:
        process.wait_polling()
        early = Person(fake_api, EARLY_BIRD, "Early")
        early.rate(early.tap(early.say("/popular"), "1. "), "5")
        FIRST_START["early_recommendation"] = early.say("/recommend")
        FIRST_START["trained_by_then"] = process.model_trained()
        process.wait_model()
        FIRST_START["log"] = process.log()
        yield process
    finally:
        process.stop()


@pytest.fixture(autouse=True)
def no_errors_logged(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that uses the bot fails when the bot logged an error meanwhile (a crashed
    handler still answers the person, so only the log tells)."""
    if "bot" not in request.fixturenames or request.node.get_closest_marker("errors_expected"):
        yield
        return
    process = request.getfixturevalue("bot")
    start = len(process.log())
    yield
    errors = [line for line in process.log()[start:].splitlines() if " ERROR " in line]
    assert not errors, "the bot logged errors:\n" + "\n".join(errors)


@pytest.fixture
def person(fake_api: FakeBotApi, bot: BotProcess) -> Person:
    """A new person, never seen by the bot before."""
    return Person(fake_api, next(_people), "Ann")


@pytest.fixture
def another(fake_api: FakeBotApi, bot: BotProcess) -> Person:
    """A second new person, for tests with two people (a group chat)."""
    return Person(fake_api, next(_people), "Bob")


_groups = itertools.count(-1_000_001, -1)


@pytest.fixture
def group() -> dict[str, Any]:
    """A new group chat (its id is negative, as Telegram's are)."""
    return make_group(next(_groups))
