"""/forget: confirmation by buttons, then every row about the person is gone, in the database
and in every model kept on disk (the one served included)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from recsys import artifacts
from recsys.forgetting import users_of
from tests.e2e.retraining.helpers import (
    FINAL,
    rate_popular,
    recommended,
    served_list,
    start_bot,
    wait_text,
)
from tests.support.botapi import FakeBotApi
from tests.support.harness import BotProcess, Person, button_texts, person_known, stored_ratings

pytestmark = pytest.mark.e2e
ADMIN = 700_700


def rate_first(person: Person, count: int) -> None:
    popular = person.say("/popular")
    for number in range(1, count + 1):
        card = person.tap(person.current(popular), f"{number}. ")
        person.rate(card, "4")


def test_forget_asks_first_and_then_deletes_everything(bot: BotProcess, person: Person):
    rate_first(person, 2)
    assert len(stored_ratings(bot.database, person.id)) == 2

    ask = person.say("/forget")
    assert "2 ratings" in ask["text"]
    assert len(button_texts(ask)) == 2
    cancelled = person.tap(ask, "Cancel")
    assert "nothing was deleted" in cancelled["text"].lower()
    assert len(stored_ratings(bot.database, person.id)) == 2

    ask = person.say("/forget")
    done = person.tap(ask, "Yes")
    assert "deleted" in done["text"]
    assert stored_ratings(bot.database, person.id) == {}
    assert not person_known(bot.database, person.id)

    # The person can start over afterwards.
    assert "haven't rated" in person.say("/myratings")["text"]


def test_forget_with_nothing_stored_says_so(bot: BotProcess, person: Person):
    assert "nothing stored" in person.say("/forget")["text"]
    assert not person_known(bot.database, person.id)


@pytest.fixture(scope="module")
def trained(
    api: FakeBotApi,
    template: Path,
    movielens_sample: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[BotProcess]:
    """A bot of its own over a copy of the trained template, publishing every model it trains
    (a margin of 100%), so that a person can be trained into the current and previous models."""
    workdir = tmp_path_factory.mktemp("forget-e2e") / "bot"
    process = start_bot(api, template, workdir, movielens_sample, ADMIN, {"RETRAIN_MARGIN": "1"})
    yield process
    process.stop()


def person_id(database: Path, telegram_id: int) -> int:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return int(
            db.execute(
                "SELECT person_id FROM people WHERE telegram_id = ?", (telegram_id,)
            ).fetchone()[0]
        )


def retrain(api: FakeBotApi, boss: Person) -> None:
    final = wait_text(api, boss.say("/retrain"), FINAL.search)
    assert "swapped in" in final, final


def test_after_forget_no_stored_model_holds_the_person_and_others_are_still_served(
    api: FakeBotApi, trained: BotProcess
) -> None:
    ann, boss = Person(api, 731_004_217, "Ann"), Person(api, ADMIN, "Boss")
    rate_popular(ann, trained.database, 4)
    ann_id = person_id(trained.database, ann.id)
    retrain(api, boss)
    retrain(api, boss)
    served = [artifacts.current_path(trained.models), artifacts.previous_path(trained.models)]
    assert all(path is not None and ann_id in users_of(path) for path in served)

    done = ann.tap(ann.say("/forget"), "Yes")

    assert "removed from the 2 trained models" in done["text"]
    for file in (f for f in trained.models.rglob("*") if f.is_file()):
        data = file.read_bytes()
        assert str(ann.id).encode() not in data, file
        assert ann.id.to_bytes(8, "little") not in data, file
    for path in artifacts.list_versions(trained.models):
        assert ann_id not in artifacts.load(path).users, path.name
        assert ann_id not in users_of(path), path.name
    assert "without forgotten people" in trained.log()

    bo = Person(api, 731_004_218, "Bo")
    ratings = rate_popular(bo, trained.database, 4)
    assert recommended(bo) == served_list(trained.models, ratings)  # the rewritten model serves
    assert "Picked for you" in bo.say("/recommend")["text"]
    errors = [line for line in trained.log().splitlines() if " ERROR " in line]
    assert not errors, errors
