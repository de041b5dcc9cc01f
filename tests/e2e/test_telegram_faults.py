"""Telegram's own hiccups (5xx answers, dropped connections, flood control, slow answers)
are retried by the bot, never shown to people as errors (issue 10)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.chat import texts
from tests.support.botapi import FakeBotApi
from tests.support.harness import BotProcess, Person

pytestmark = pytest.mark.e2e


@pytest.fixture
def faulty(fake_api: FakeBotApi) -> Iterator[FakeBotApi]:
    yield fake_api
    fake_api.set_faults(None)


@pytest.mark.parametrize("faults", ["500=0.15,drop=0.15", "429=0.2", "delay6=0.1"])
def test_a_person_never_sees_telegrams_hiccups(
    bot: BotProcess, faulty: FakeBotApi, person: Person, faults: str
):
    mark = faulty.mark()
    faulty.set_faults(faults, seed=11)
    popular = person.say("/popular", timeout=40)
    for number, value in zip(range(1, 6), ("5", "4", "2", "4.5", "3"), strict=True):
        card = person.tap(person.current(popular), f"{number}. ", timeout=40)
        person.rate(card, value, timeout=40)
    person.wait_sent("personal recommendations", since=mark, timeout=40)
    recs = person.say("/recommend", timeout=40)
    faulty.set_faults(None)
    assert "Picked for you" in recs["text"]
    hit = faulty.fault_counts(since=mark)
    assert sum(hit.values()) > 0, "the faults never fired: the test proves nothing"
    told = [c for c in faulty.calls(since=mark) if c.ok and c.chat_id == person.id]
    assert not [c for c in told if texts.current().error in str(c.params.get("text"))]
    assert not [q for q in faulty.unanswered() if q["from"]["id"] == person.id]
    assert "Traceback" not in bot.log()[-200_000:]
