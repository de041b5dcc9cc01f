"""First start of the session's bot: MovieLens imported, commands registered, the
popularity ranking served while the first model trains in a separate process."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import FIRST_START
from tests.support.botapi import FakeBotApi
from tests.support.harness import BotProcess, listed_movies

pytestmark = pytest.mark.e2e


def test_commands_are_registered(bot: BotProcess, fake_api: FakeBotApi):
    names = {c["command"] for c in fake_api.commands}
    assert {"start", "popular", "recommend", "search", "myratings", "forget", "help"} <= names


def test_people_are_answered_while_the_first_model_trains(bot: BotProcess):
    assert not FIRST_START["trained_by_then"], "training ended before the question: nothing seen"
    early = FIRST_START["early_recommendation"]
    assert "still learning" in early["text"]
    assert len(listed_movies(early)) == 10


def test_first_start_logged_no_errors(bot: BotProcess):
    errors = [
        line for line in FIRST_START["log"].splitlines() if re.search(r" (ERROR|CRITICAL) ", line)
    ]
    assert errors == []
