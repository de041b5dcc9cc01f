"""The language of each update, through the real Application: the app's language, /language,
and nothing of one update's language reaching the next."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.chat import callbacks as cb
from bot.chat import handlers, language, texts
from bot.chat.locales import en, es, ru
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
    sent,
    unwire,
    user,
    wire,
)

IVAN, ANA = 42, 43


def speaking(user_id: int, language_code: str | None) -> dict[str, Any]:
    sender = user(user_id)
    if language_code is not None:
        sender["language_code"] = language_code
    return sender


def command(text: str, user_id: int, language_code: str | None) -> dict[str, Any]:
    sender = speaking(user_id, language_code)
    return {"message": message(text, sender=sender, chat=private_chat(user_id))}


def buttons(call: Any) -> list[dict[str, Any]]:
    """The inline buttons a recorded call sent (its markup travels as JSON)."""
    markup = json.loads(call.params["reply_markup"])
    return [b for row in markup["inline_keyboard"] for b in row]


@pytest.fixture
async def wired(storage: Storage, holder: ModelHolder, tmp_path: Path) -> AsyncIterator[Wired]:
    bot = await wire(storage, holder, tmp_path / "bot.db")
    yield bot
    await unwire(bot)


async def test_the_telegram_app_language_picks_the_texts(wired: Wired) -> None:
    calls = await wired.send(command("/start", IVAN, "ru-RU"))
    assert sent(calls)[0] == texts_in("ru", texts.welcome)
    listing = [c for c in calls if c.method == "sendMessage"][1]
    labels = [b["text"] for b in buttons(listing)]
    assert ru.CATALOGUE.button_rate_by_genre in labels and "Rate by genre" not in labels


async def test_one_updates_language_does_not_reach_the_next(wired: Wired) -> None:
    await wired.send(command("/help", IVAN, "ru"))
    assert sent(await wired.send(command("/help", ANA, "en"))) == [texts_in("en", texts.help_text)]
    assert sent(await wired.send(command("/help", ANA, None))) == [texts_in("en", texts.help_text)]


async def test_a_button_press_is_answered_in_the_pressers_language(wired: Wired) -> None:
    calls = await wired.send(press("v1|forged", sender=speaking(ANA, "es-419")))
    assert answers(calls) == [es.CATALOGUE.bad_button]


async def test_language_offers_each_language_in_its_own_words(wired: Wired) -> None:
    calls = await wired.send(command("/language", IVAN, "ru"))
    (shown,) = [c for c in calls if c.method == "sendMessage"]
    assert shown.params["text"] == ru.CATALOGUE.language_prompt
    assert [b["text"] for b in buttons(shown)] == ["English", "Русский ✓", "Español"]
    assert [cb.parse(b["callback_data"]) for b in buttons(shown)] == [
        cb.SetLanguage("en"),
        cb.SetLanguage("ru"),
        cb.SetLanguage("es"),
    ]


async def test_a_chosen_language_wins_over_the_app_language(wired: Wired, storage: Storage) -> None:
    calls = await wired.send(press(cb.encode(cb.SetLanguage("es")), sender=speaking(IVAN, "ru")))

    assert answers(calls) == [es.CATALOGUE.language_saved]
    (edit,) = [c for c in calls if c.method == "editMessageText"]
    assert edit.params["text"] == es.CATALOGUE.language_prompt
    assert "Español ✓" in [b["text"] for b in buttons(edit)]
    assert await storage.language_of(IVAN) == "es"
    assert sent(await wired.send(command("/help", IVAN, "ru"))) == [texts_in("es", texts.help_text)]


async def test_forget_forgets_the_chosen_language(wired: Wired, storage: Storage) -> None:
    await storage.set_language(IVAN, "es")
    calls = await wired.send(command("/forget", IVAN, "ru"))  # nothing rated: forgotten at once
    assert sent(calls) == [es.CATALOGUE.forget_nothing]
    assert await storage.language_of(IVAN) is None


async def test_nobody_in_particular_is_answered_in_english(wired: Wired) -> None:
    body = message("/start", sender=ANONYMOUS_ADMIN, chat=GROUP, sender_chat=GROUP)
    assert sent(await wired.send({"message": body})) == [en.CATALOGUE.needs_a_person]


def test_the_language_is_chosen_after_the_gate_and_before_any_handler() -> None:
    assert handlers.GATE_GROUP < handlers.LANGUAGE_GROUP < 0


def texts_in(code: language.Language, build: Any) -> str:
    with language.using(code):
        return str(build())
