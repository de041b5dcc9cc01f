"""Helpers for running the real bot process in retraining tests (on top of tests/support)."""

from __future__ import annotations

import logging
import re
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from recsys import artifacts
from tests.support.botapi import FakeBotApi, Message
from tests.support.harness import BotProcess, Person, listed_movies, stored_ratings

log = logging.getLogger(__name__)
FINAL = re.compile(r"swapped in|rejected|Training failed")


def start_bot(
    api: FakeBotApi,
    template: Path,
    workdir: Path,
    movielens: Path,
    admin: int,
    env: dict[str, str],
    *,
    corrupt: bool = False,
) -> BotProcess:
    """The real bot over a copy of the template's database and models (no import, no training).

    With `corrupt`, the current model's weights are overwritten with garbage first.
    """
    shutil.copytree(template, workdir, symlinks=True)
    if corrupt:
        current = artifacts.current_path(workdir / "models")
        assert current is not None, "the template has no current model"
        weights = current / "weights.npz"
        weights.write_bytes(b"not a torch file")
    process = BotProcess(api, workdir, movielens, admin_ids=(admin,), env=env)
    process.start()
    process.wait_polling()
    return process


def wait_text(
    api: FakeBotApi, message: Message, wanted: Callable[[str], object], timeout: float = 120
) -> str:
    """The message's text once `wanted(text)` holds (the bot edits it meanwhile)."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        current = api.message(message["chat"]["id"], message["message_id"]) or message
        text = current.get("text", "")
        if wanted(text):
            return text
        time.sleep(0.1)
    raise TimeoutError(f"message never matched; last text: {text!r}")


def rate_popular(person: Person, database: Path, count: int, value: str = "5") -> dict[int, float]:
    """Rates the first `count` popular movies through the buttons; returns what is stored."""
    listing = person.say("/popular")
    for n in range(1, count + 1):
        card = person.tap(listing, f"{n}. ")
        listing = person.rate(card, value)
    return {int(k): float(v) for k, v in stored_ratings(database, person.id).items()}


def served_list(models: Path, ratings: dict[int, float]) -> list[int]:
    """What the current artifact recommends for `ratings`, computed outside the bot."""
    model = artifacts.load_current(models)
    return [item.movie_id for item in model.recommend(ratings, 10).items]


def recommended(person: Person) -> list[int]:
    return listed_movies(person.say("/recommend"))


def run_rows(database: Path) -> list[tuple[str, str, str | None]]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return db.execute(
            "SELECT trigger, status, error FROM model_runs ORDER BY run_id"
        ).fetchall()


def timed(action: Callable[[], object]) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started
