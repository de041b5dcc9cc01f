"""`moviebot backup` and `moviebot restore` around the real bot process: a backup taken while
people rate holds every rating acknowledged before it began; a restore refuses while the bot
runs; after a stop, a restore and a start, the bot serves the backup's ratings, and the
database it replaced is kept beside it."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.chat import callbacks
from tests.e2e.retraining.helpers import start_bot
from tests.support.botapi import FakeBotApi
from tests.support.harness import BotProcess, Person, stored_ratings

ADMIN = 740_000
RATERS = 4
FIRST_RATER = 740_001
LOAD_BEFORE = 20
"""Ratings acknowledged before the backup starts."""
LOAD_AFTER_S = 4.0
"""How long people go on rating once the backup is written (those ratings are not in it)."""
SETTLED_S = 2.0
"""A press the bot had stored (in its inbox) but not yet handled when the backup was taken is
handled again after the restore; each person waits for one answer before the next press, so
none is acknowledged later than this after the backup."""
pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Acknowledged:
    """A rating the bot answered "Saved" to, and when (time.monotonic) the answer came."""

    person: int
    movie_id: int
    rating: float
    at: float


class Raters:
    """People rating movie after movie through the buttons, each in a thread of their own,
    until stopped; what the bot acknowledged is recorded."""

    def __init__(self, api: FakeBotApi, movies: list[int]) -> None:
        self.people = [Person(api, FIRST_RATER + n, f"Rater{n}") for n in range(RATERS)]
        self.movies = movies
        self.acknowledged: list[Acknowledged] = []
        self.failures: list[BaseException] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._rate, args=(p,)) for p in self.people]

    def __enter__(self) -> Raters:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)
        if self.failures:
            raise self.failures[0]

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acknowledged) < count and not self.failures:
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {len(self.acknowledged)} ratings after {timeout} s")
            time.sleep(0.05)

    def _rate(self, person: Person) -> None:
        try:
            screen = person.say("/popular")
            for n, movie_id in enumerate(self.movies):
                if self._stop.is_set():
                    return
                half_stars = 1 + (n + person.id) % 10
                data = callbacks.encode(callbacks.Rate(movie_id, half_stars, callbacks.Popular(0)))
                answer = person.press_only(screen, data)
                if not str(answer.params.get("text", "")).startswith("Saved"):
                    raise AssertionError(f"rating {movie_id} answered {answer.params}")
                self.acknowledged.append(
                    Acknowledged(person.id, movie_id, half_stars / 2, time.monotonic())
                )
        except BaseException as error:  # reported by __exit__
            self.failures.append(error)


def moviebot(bot: BotProcess, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """``moviebot <args>`` with the bot's environment (its DATABASE_PATH)."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *map(str, args)],
        cwd=bot.workdir,
        env=bot.env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def catalogue(database: Path) -> list[int]:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        return [row[0] for row in db.execute("SELECT movie_id FROM movies ORDER BY movie_id")]


def missing_from(database: Path, ratings: list[Acknowledged]) -> list[Acknowledged]:
    """Those of ``ratings`` that the database does not hold (with that value)."""
    held = {person: stored_ratings(database, person) for person in {r.person for r in ratings}}
    return [r for r in ratings if held[r.person].get(r.movie_id) != r.rating]


@pytest.fixture
def lone_bot(
    api: FakeBotApi, template: Path, movielens_sample: Path, tmp_path: Path
) -> Iterator[BotProcess]:
    """A bot of its own: this test stops it and replaces its database."""
    process = start_bot(api, template, tmp_path / "bot", movielens_sample, ADMIN, {})
    yield process
    process.stop()


def test_a_backup_under_load_restored_brings_back_every_rating_acknowledged_before_it(
    api: FakeBotApi, lone_bot: BotProcess, tmp_path: Path
) -> None:
    bot = lone_bot
    target = tmp_path / "backups" / "nightly.db"
    with Raters(api, catalogue(bot.database)) as raters:
        raters.wait_for(LOAD_BEFORE)
        started = time.monotonic()
        backed_up = moviebot(bot, "backup", target)
        finished = time.monotonic()
        refused = moviebot(bot, "restore", target)  # the bot is still running
        time.sleep(LOAD_AFTER_S)
    before = [r for r in raters.acknowledged if r.at < started]
    during = [r for r in raters.acknowledged if started <= r.at < finished]
    after = [r for r in raters.acknowledged if r.at > finished + SETTLED_S]
    print(f"acknowledged {len(before)} before, {len(during)} during, {len(after)} after")
    print(backed_up.stdout.strip())
    bot.stop()

    restored = moviebot(bot, "restore", target)
    bot.start()
    bot.wait_polling()

    assert (backed_up.returncode, backed_up.stderr) == (0, "")
    assert backed_up.stdout.count("\n") == 1 and " ratings, " in backed_up.stdout
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1
    assert "moviebot.db.lock" in refused.stderr and "stop the bot first" in refused.stderr
    assert (restored.returncode, restored.stderr) == (0, "")
    assert restored.stdout.count("\n") == 1 and "before-restore" in restored.stdout
    assert missing_from(bot.database, before) == []  # every rating acknowledged before it
    assert after and missing_from(bot.database, after) == after  # the backup's time, not later
    [aside] = bot.workdir.glob("moviebot.db.before-restore-*[0-9]Z")
    assert missing_from(aside, raters.acknowledged) == []  # the replaced database is kept
    log = bot.log()
    assert " ERROR " not in log and "Traceback" not in log


def test_the_commands_fail_in_one_line_without_a_traceback(api: FakeBotApi, tmp_path: Path) -> None:
    bot = BotProcess(api, tmp_path / "nothing-here", tmp_path)  # its environment, never started
    bot.workdir.mkdir()

    no_database = moviebot(bot, "backup", tmp_path / "copy.db")
    no_backup = moviebot(bot, "restore", tmp_path / "missing.db")

    for done, problem in ((no_database, "no database at"), (no_backup, "no backup at")):
        assert done.returncode == 1 and done.stdout == ""
        assert done.stderr.count("\n") == 1 and problem in done.stderr
    assert list(bot.workdir.iterdir()) == []
