"""Admin commands against the real bot process and the fake Bot API server."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from bot.chat import admin_texts, texts
from tests.e2e.retraining.helpers import (
    FINAL,
    rate_popular,
    recommended,
    run_rows,
    served_list,
    start_bot,
    timed,
    wait_text,
)
from tests.support.botapi import FakeBotApi, make_user
from tests.support.harness import BotProcess, Person
from tests.support.training import FAST

log = logging.getLogger(__name__)
ADMIN = 700_001
pytestmark = pytest.mark.e2e
RETRAINING = {**FAST, "watch": None}
"""Unlike the template's model this one ranks by predicted rating (no watch model), so the
lists before and after the swap differ and show which model served them."""


@pytest.fixture(scope="module")
def bot(
    api: FakeBotApi,
    template: Path,
    movielens_sample: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[BotProcess]:
    env = {"TRAIN_CONFIG": json.dumps(RETRAINING), "RETRAIN_MARGIN": "1"}
    workdir = tmp_path_factory.mktemp("admin-e2e") / "bot"
    # The admin opened the chat before this start: Telegram sets a chat's menu only then.
    opened = api.send_text(make_user(ADMIN, "Boss"), "/help")
    process = start_bot(api, template, workdir, movielens_sample, ADMIN, env)
    api.wait_message(ADMIN, since=api.wait_delivered(message=opened, timeout=30).index)
    yield process
    process.stop()


def test_non_admins_are_refused_and_nothing_changes(api: FakeBotApi, bot: BotProcess) -> None:
    stranger = Person(api, 700_100, "Mallory")
    runs, current = run_rows(bot.database), os.readlink(bot.models / "current")
    mark = api.mark()

    replies = [
        stranger.say(command)["text"] for command in ("/retrain", "/rollback", "/model", "/stats")
    ]

    assert replies == [admin_texts.current().refusal] * 4
    assert run_rows(bot.database) == runs
    assert os.readlink(bot.models / "current") == current
    assert not api.calls("sendPhoto", since=mark)


def test_admin_commands_are_in_the_admins_menu_only(api: FakeBotApi, bot: BotProcess) -> None:
    admin_only = {name for name, _ in admin_texts.commands()}

    everyone = {c["command"] for c in api.commands}
    boss = {c["command"] for c in api.commands_in(f"chat:{ADMIN}")}

    assert admin_only <= boss and everyone == boss - admin_only
    assert "start" in everyone and not everyone & admin_only
    assert (api.description, api.short_description) == (
        texts.current().description,
        texts.current().short_description,
    )


def test_admin_model_and_stats(api: FakeBotApi, bot: BotProcess) -> None:
    boss = Person(api, ADMIN, "Boss")
    version = os.readlink(bot.models / "current")

    about = boss.say("/model")["text"]
    mark = api.mark()
    stats = boss.say("/stats")["text"]
    photo = api.wait_for("sendPhoto", since=mark, timeout=30)

    assert version in about and "popular" in about and "RMSE" in about
    assert "Last runs" in stats and "first-start" in stats
    assert photo.ok and photo.chat_id == ADMIN
    assert photo.files["photo"].startswith(b"\x89PNG")


def test_retrain_swaps_the_model_while_the_bot_keeps_answering_and_rollback_goes_both_ways(
    api: FakeBotApi, bot: BotProcess
) -> None:
    person, boss = Person(api, 700_200, "Ann"), Person(api, ADMIN, "Boss")
    ratings = rate_popular(person, bot.database, 4)  # a 5th would bring an extra message
    old = os.readlink(bot.models / "current")
    before = recommended(person)
    assert before == served_list(bot.models, ratings)

    status = boss.say("/retrain")
    wait_text(api, status, lambda text: "Epoch" in text or "Data:" in text)  # worker running
    recommend_s = [timed(lambda: recommended(person))]
    press_s: list[float] = []
    # Others open a rating card and go back meanwhile: each person's chat has its own limit
    # (about a message a second, bot.chat.outgoing), so three people rather than one.
    for other in (Person(api, 700_201 + n, "Bo") for n in range(3)):
        listing = other.say("/popular")
        press_s.append(timed(partial(other.tap, listing, "7. ")))
        press_s.append(timed(partial(other.tap, listing, "« Back")))
    answered_during_run = not FINAL.search(wait_text(api, status, lambda text: True))
    log.warning("reply times during retraining: /recommend %s s, button %s s",
                [round(s, 3) for s in recommend_s], [round(s, 3) for s in press_s])  # fmt: skip
    final = wait_text(api, status, FINAL.search)

    assert "swapped in" in final, final
    assert answered_during_run
    new = os.readlink(bot.models / "current")
    assert new != old and new in final
    after = recommended(person)
    assert after == served_list(bot.models, ratings)
    assert after != before
    assert run_rows(bot.database)[-1][:2] == (f"admin:{ADMIN}", "succeeded")

    back = boss.say("/rollback")["text"]
    assert back.startswith(f"↩️ Rolled back to the older model {old} (trained ")
    assert os.readlink(bot.models / "current") == old
    assert recommended(person) == before

    forward = boss.say("/rollback")["text"]
    assert forward.startswith(f"↪️ Switched to the newer model {new} (trained ")
    assert os.readlink(bot.models / "current") == new
    assert recommended(person) == after


def test_stopping_the_bot_during_a_run_is_prompt_and_records_it(
    api: FakeBotApi, bot: BotProcess
) -> None:
    """Last in this module: it stops the bot."""
    current = os.readlink(bot.models / "current")
    status = Person(api, ADMIN, "Boss").say("/retrain")
    wait_text(api, status, lambda text: "Epoch" in text or "Data:" in text)

    code = bot.stop(timeout=20)  # SIGTERM; the harness would SIGKILL after 20 s

    assert code == 0
    assert run_rows(bot.database)[-1] == (f"admin:{ADMIN}", "failed", "cancelled: the bot stopped")
    assert os.readlink(bot.models / "current") == current
    assert "training process" in bot.log() and "killed" in bot.log()
