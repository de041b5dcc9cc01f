"""SIGTERM, as a supervisor (systemd, Docker) stops the bot: exit 0 within 10 s, nothing
acknowledged lost, no training process left behind (issue 12).

The real bot process against the fake Bot API, each test on a fresh copy of the template's
database and model. Several people press rating buttons as fast as they can; the SIGTERM
lands while their presses are being answered (and, in one test, while an admin's /retrain
is training).
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.chat import callbacks
from tests.e2e.retraining.helpers import start_bot, wait_text
from tests.support.botapi import FakeBotApi
from tests.support.harness import BotProcess, Person, listed_movies, stored_ratings
from tests.support.training import FAST

pytestmark = pytest.mark.e2e

ADMIN = 730_001
STOP_LIMIT_S = 10.0
"""What a supervisor usually waits after SIGTERM before it sends SIGKILL (Docker: 10 s)."""
PEOPLE, PRESSES_EACH = 6, 10
LONG_RUN = {**FAST, "epochs": 500, "patience": 500}
"""A training run that is still going whenever the SIGTERM comes."""
_ids = itertools.count(960_001)


@dataclass(frozen=True)
class Press:
    person: Person
    movie_id: int
    rating: float
    query_id: str


@pytest.fixture
def bot(
    api: FakeBotApi, template: Path, movielens_sample: Path, tmp_path: Path
) -> Iterator[BotProcess]:
    env = {"TRAIN_CONFIG": json.dumps(LONG_RUN)}
    process = start_bot(api, template, tmp_path / "bot", movielens_sample, ADMIN, env)
    yield process
    process.stop()


def burst(api: FakeBotApi) -> list[Press]:
    """PEOPLE people each open the popular list, then press a rating on each of its movies,
    all at once, without waiting for any answer."""
    people = [Person(api, next(_ids), "Presser") for _ in range(PEOPLE)]
    lists = [person.say("/popular") for person in people]
    presses = []
    for round_ in range(PRESSES_EACH):
        for person, shown in zip(people, lists, strict=True):
            movie_id = listed_movies(shown)[round_]
            half_stars = 1 + (round_ + person.id) % 10
            data = callbacks.encode(callbacks.Rate(movie_id, half_stars, callbacks.Popular(0)))
            query_id = api.press(person.user, person.current(shown), data)
            presses.append(Press(person, movie_id, half_stars / 2, query_id))
    return presses


def acknowledged(api: FakeBotApi, presses: list[Press]) -> list[Press]:
    """The presses the bot answered "Saved" (the person was told the rating is stored)."""
    saved = {
        call.params.get("callback_query_id")
        for call in api.calls("answerCallbackQuery")
        if call.ok and str(call.params.get("text", "")).startswith("Saved")
    }
    return [press for press in presses if press.query_id in saved]


def wait_acknowledged(api: FakeBotApi, presses: list[Press], count: int) -> None:
    deadline = time.monotonic() + 30
    while len(acknowledged(api, presses)) < count:
        assert time.monotonic() < deadline, "the bot never answered the burst"
        time.sleep(0.02)


def lost(database: Path, presses: list[Press]) -> list[Press]:
    """The presses whose rating the database does not hold."""
    stored = {press.person.id: stored_ratings(database, press.person.id) for press in presses}
    return [p for p in presses if stored[p.person.id].get(p.movie_id) != p.rating]


def terminate(bot: BotProcess) -> tuple[int | None, float]:
    """SIGTERM and wait: the exit code (None: still running after 20 s) and the seconds it
    took. Unlike ``bot.stop`` this leaves the process group alone, so a training process
    left behind would still be there to find."""
    assert bot.process is not None
    started = time.monotonic()
    bot.process.send_signal(signal.SIGTERM)
    try:
        code: int | None = bot.process.wait(20)
    except subprocess.TimeoutExpired:
        code = None
    return code, time.monotonic() - started


def running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie is not: it only waits to be reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_a_stop_during_a_burst_of_presses_is_prompt_and_keeps_every_answered_rating(
    api: FakeBotApi, bot: BotProcess
) -> None:
    presses = burst(api)
    wait_acknowledged(api, presses, PEOPLE)  # the burst is being handled

    code, seconds = terminate(bot)

    answered = acknowledged(api, presses)
    assert code == 0 and seconds < STOP_LIMIT_S
    assert lost(bot.database, answered) == []
    assert len(answered) < len(presses)  # the stop did cut the burst short


def test_presses_a_stop_cut_short_are_handled_at_the_next_start(
    api: FakeBotApi, bot: BotProcess
) -> None:
    presses = burst(api)
    wait_acknowledged(api, presses, PEOPLE)
    code, _ = terminate(bot)
    assert code == 0

    bot.start()
    bot.wait_polling()

    deadline = time.monotonic() + 60
    while lost(bot.database, presses) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert lost(bot.database, presses) == []


def test_a_stop_during_a_training_run_is_prompt_and_leaves_no_training_process(
    api: FakeBotApi, bot: BotProcess
) -> None:
    status = Person(api, ADMIN, "Boss").say("/retrain")
    worker = int(bot.wait_log(r"training process (\d+) started").group(1))
    wait_text(api, status, lambda text: "Epoch" in text)  # it is training
    presses = burst(api)
    wait_acknowledged(api, presses, PEOPLE)

    code, seconds = terminate(bot)

    deadline = time.monotonic() + 2  # time for init to reap an orphan that died with the bot
    while running(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert code == 0 and seconds < STOP_LIMIT_S
    assert not running(worker)
    assert lost(bot.database, acknowledged(api, presses)) == []
