"""Hostile input, generated: callback data and message text nobody planned for.

Through the real Application (tests/bot/chat/wired.py): no exception reaches the error
handler, every press is answered once, and input the bot refuses changes nothing stored.
Also the codec on its own: `parse` accepts exactly what `encode` produces.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.chat import callbacks as cb
from bot.chat import texts
from bot.storage import Storage
from bot.training.model_holder import ModelHolder
from tests.bot.chat.wired import (
    ANONYMOUS_ADMIN,
    GROUP,
    Wired,
    answers,
    message,
    press,
    private_chat,
    unwire,
    user,
    wire,
)

PRESSER, VICTIM = 42, 43
FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI stays stable
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SURROGATE = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, exclude_categories=())
GRAMMAR = st.sampled_from([*"v1|prmnilxugfywhkRsSPGL0123456789-+ .", "\x00", "é", "٣", "۵"])
"""The codec's own alphabet, plus a NUL and digits that `\\d` and int() accept."""
CHAR = st.one_of(st.characters(exclude_categories=()), SURROGATE, GRAMMAR)
ANY_TEXT = st.text(CHAR, max_size=80)
UNDECODABLE = st.binary(max_size=64).map(lambda raw: raw.decode("utf-8", "surrogateescape"))
"""Bytes that are not UTF-8, as a lenient decoder hands them on: lone surrogates."""

REAL = [
    cb.encode(callback)
    for callback in (
        cb.Popular(0),
        cb.Popular(4),
        cb.MyRatings(3),
        cb.Watchlist(0),
        cb.Hidden(1),
        cb.Similar(7),
        cb.Recs(None),
        cb.Recs("Comedy"),
        cb.Search("movie 1"),
        cb.Search("movie", 2),
        cb.PopularIn("Comedy", 1),
        cb.PickGenreToRate(),
        cb.OpenCard(5, cb.Popular(1)),
        cb.OpenCard(5, cb.PopularIn("Drama", 0)),
        cb.Rate(6, 7, cb.Search("movie")),
        cb.NotSeen(8, cb.Popular(0)),
        cb.NotInterested(9, cb.Recs("Drama")),
        cb.Later(10, cb.Watchlist(0)),
        cb.Undo(3, cb.Hidden(0)),
        cb.Remove(1, cb.MyRatings(0)),
        cb.PickGenre(),
        cb.Forget(PRESSER, False),
        cb.Forget(VICTIM, True),
        cb.SetLanguage("ru"),
    )
]
"""Data of buttons the bot really sends (movies of the synthetic catalogue)."""


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """Real button data with one to three edits: insert, delete, replace, cut, repeat."""
    data = draw(st.sampled_from(REAL))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        match draw(st.sampled_from(["insert", "delete", "replace", "cut", "repeat"])):
            case "insert":
                data = data[:at] + draw(CHAR) + data[at:]
            case "delete":
                data = data[:at] + data[at + 1 :]
            case "replace":
                data = data[:at] + draw(CHAR) + data[at + 1 :]
            case "cut":
                data = data[:at]
            case "repeat":
                data = data[:at] + data[at:] * 2
    return data


CALLBACK_DATA = st.one_of(mutated(), ANY_TEXT, UNDECODABLE, st.sampled_from(REAL), st.none())
COMMANDS = ["start", "help", "popular", "recommend", "search", "myratings", "watchlist"]
COMMANDS += ["hidden", "forget", "language", "retrain", "model", "stats", "rollback", "nosuch"]
COMMAND_TEXT = st.builds(
    lambda name, mention, rest: f"/{name}{mention}{rest}",
    st.sampled_from(COMMANDS),
    st.sampled_from(["", "@movie_test_bot"]),
    st.one_of(st.just(""), ANY_TEXT.map(lambda text: " " + text)),
)
SENDERS: dict[str, dict[str, Any]] = {
    "person, private": {"sender": user(PRESSER), "chat": private_chat(PRESSER)},
    "person, group": {"sender": user(PRESSER), "chat": GROUP},
    "anonymous admin": {"sender": ANONYMOUS_ADMIN, "chat": GROUP, "sender_chat": GROUP},
    "no from": {"sender": None, "chat": GROUP},
}


async def reseed(storage: Storage) -> None:
    """The presser's ratings and marks as every example starts: something a forged press
    could change."""
    await storage.forget_person(PRESSER)
    await storage.record_rating(PRESSER, 1, 4.0)
    await storage.record_rating(PRESSER, 2, 2.5)
    await storage.mark(PRESSER, 3, "later")
    await storage.mark(PRESSER, 4, "not_seen")


@pytest.fixture
async def wired(storage: Storage, holder: ModelHolder, tmp_path: Path) -> AsyncIterator[Wired]:
    await storage.record_rating(VICTIM, 1, 5.0)
    await storage.mark(VICTIM, 5, "not_interested")
    bot = await wire(storage, holder, tmp_path / "bot.db")
    yield bot
    await unwire(bot)


def rows_of(dump: dict[str, list[tuple[Any, ...]]], telegram_id: int) -> dict[str, list[Any]]:
    return {table: [r for r in rows if r[0] == telegram_id] for table, rows in dump.items()}


def accepted(data: Any) -> bool:
    try:
        cb.parse(data)
    except cb.BadCallback:
        return False
    return True


@FUZZ
@given(data=CALLBACK_DATA)
async def test_any_callback_data_is_answered_once_and_refused_data_changes_nothing(
    wired: Wired, storage: Storage, data: str | None
) -> None:
    await reseed(storage)
    before = wired.dump()
    calls = await wired.send(press(data, sender=user(PRESSER)))
    assert wired.errors == []
    assert len(answers(calls)) == 1
    after = wired.dump()
    assert rows_of(after, VICTIM) == rows_of(before, VICTIM)
    event("accepted" if accepted(data) else "refused")
    if not accepted(data):
        assert answers(calls) == [texts.current().bad_button] and len(calls) == 1
        assert after == before


@FUZZ
@given(text=st.one_of(COMMAND_TEXT, ANY_TEXT), who=st.sampled_from(sorted(SENDERS)))
async def test_any_message_text_is_handled_and_changes_nothing(
    wired: Wired, storage: Storage, text: str, who: str
) -> None:
    await reseed(storage)
    before = wired.dump()
    calls = await wired.send({"message": message(text, **SENDERS[who])})
    assert wired.errors == []
    assert wired.dump() == before  # messages only show things or ask; buttons change things
    assert all(0 < len(c.params.get("text", "x")) <= texts.MAX_MESSAGE for c in calls)


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(data=CALLBACK_DATA)
def test_parse_refuses_with_bad_callback_or_accepts_only_what_encode_gives(data: Any) -> None:
    try:
        parsed = cb.parse(data)
    except cb.BadCallback:
        return
    assert cb.encode(parsed) == data


VIEWS = st.one_of(
    st.builds(cb.Popular, st.integers(-2, cb.POPULAR_PAGES + 1)),
    st.builds(cb.MyRatings, st.integers(-1, cb.MAX_PAGE + 1)),
    st.builds(cb.Similar, st.integers(-1, cb.MAX_MOVIE_ID + 1)),
    st.builds(cb.Recs, st.one_of(st.none(), ANY_TEXT)),
    st.builds(cb.Search, ANY_TEXT),
)
ACTIONS = st.one_of(
    VIEWS,
    st.builds(cb.OpenCard, st.integers(-1, 10**10), VIEWS),
    st.builds(cb.Rate, st.integers(0, 100), st.integers(-1, 12), VIEWS),
    st.builds(cb.Later, st.integers(0, 10**10), VIEWS),
    st.builds(cb.Forget, st.integers(-(10**21), 10**21), st.booleans()),
)


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(callback=ACTIONS)
def test_encode_never_makes_data_that_parse_refuses(callback: cb.Callback) -> None:
    try:
        data = cb.encode(callback)
    except ValueError:
        return
    assert accepted(data)
