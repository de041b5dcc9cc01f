"""Storage faults in the real bot process: a read-only database stops the start in one line, a
foreign write lock is answered "busy" within seconds, and a database deleted under the running
bot is answered "can't save" (never "Saved") with one ERROR line and no traceback."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.chat import texts
from tests.bot.storage.faults import delete_keeping, made_read_only, stored_rating, write_locked
from tests.e2e.retraining.helpers import start_bot
from tests.support.botapi import FakeBotApi, Message, buttons
from tests.support.harness import BotProcess, Person, listed_movies, stored_ratings

ADMIN = 730_000
LOCK_S = 10.0
"""How long the foreign lock is held: longer than any wait of the bot's, shorter than PTB's."""
BUSY_WITHIN_S = 8.0
"""A person hears "busy" within this (measured ~3.5 s: the inbox's wait, then the rating's)."""
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def faulty(
    api: FakeBotApi,
    template: Path,
    movielens_sample: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[BotProcess]:
    """A bot of its own: these tests lock and delete its database."""
    workdir = tmp_path_factory.mktemp("storage-faults") / "bot"
    process = start_bot(api, template, workdir, movielens_sample, ADMIN, {})
    yield process
    process.stop()


def rating_data(card: Message, value: str) -> str:
    """The callback data of the card's rating button for ``value`` ("4", "4.5")."""
    for button in buttons(card):
        if button["text"] == value or button["text"].startswith(value + " "):
            return str(button["callback_data"])
    raise LookupError(f"no rating button {value!r}")


def movie_card(person: Person) -> tuple[Message, int]:
    """The card of the most popular movie, opened from /popular, and that movie's id."""
    popular = person.say("/popular")
    movie_id = listed_movies(popular)[0]
    return person.current(person.tap(popular, "1. ")), movie_id


def test_a_read_only_database_stops_the_start_in_one_line(
    api: FakeBotApi, template: Path, movielens_sample: Path, tmp_path: Path
) -> None:
    workdir = tmp_path / "bot"
    shutil.copytree(template, workdir, symlinks=True)
    process = BotProcess(api, workdir, movielens_sample)
    with made_read_only(process.database):
        process.start()
        try:
            code = process.process.wait(60) if process.process else None
        finally:
            process.stop()

    log = process.log()
    assert code == 1
    assert re.search(r"ERROR bot: cannot run the bot: StorageError: .* cannot be written", log)
    assert "read-only" in log
    assert "Traceback" not in log
    assert " ready" not in log


def test_a_foreign_write_lock_is_answered_busy_within_seconds(
    api: FakeBotApi, faulty: BotProcess
) -> None:
    person, other = Person(api, 730_001, "Lou"), Person(api, 730_002, "Max")
    card, movie_id = movie_card(person)
    mark = len(faulty.log())

    with write_locked(faulty.database):
        locked_at = time.monotonic()
        answer = person.press_only(card, rating_data(card, "4"), timeout=LOCK_S + 20)
        answered_s = time.monotonic() - locked_at
        asked_at = time.monotonic()
        listing = other.say("/popular", timeout=LOCK_S + 20)  # reading goes on meanwhile
        listed_s = time.monotonic() - asked_at
        time.sleep(max(0.0, LOCK_S - (time.monotonic() - locked_at)))

    print(f"under the lock: 'busy' after {answered_s:.1f} s, /popular after {listed_s:.1f} s")
    assert answer.params.get("text") == texts.current().database_busy
    assert answered_s < BUSY_WITHIN_S
    assert listed_movies(listing)
    assert listed_s < BUSY_WITHIN_S
    assert movie_id not in stored_ratings(faulty.database, person.id)
    person.rate(card, "4")  # the lock is gone: saved as usual
    assert stored_ratings(faulty.database, person.id) == {movie_id: 4.0}
    log = faulty.log()[mark:]
    assert "not saved: another connection holds" in log
    assert "Traceback" not in log


def test_a_deleted_database_is_answered_cannot_save_and_logged_once(
    api: FakeBotApi, faulty: BotProcess, tmp_path: Path
) -> None:
    person = Person(api, 730_003, "Nia")
    card, movie_id = movie_card(person)
    mark = len(faulty.log())
    kept = tmp_path / "kept.db"

    delete_keeping(faulty.database, kept)
    answers = [person.press_only(card, rating_data(card, value)) for value in ("5", "3")]

    assert [a.params.get("text") for a in answers] == [texts.current().cannot_save] * 2
    log = faulty.log()[mark:]
    errors = [line for line in log.splitlines() if " ERROR " in line]
    assert len(errors) == 1, "\n".join(errors)  # said once, not once per update
    assert "bot.storage.health" in errors[0] and "was deleted" in errors[0]
    assert "put the right database file back" in errors[0]
    assert "Traceback" not in log
    faulty.stop()  # nothing the bot did before or at its stop went into the lost file
    assert stored_rating(kept, person.id, movie_id) is None
