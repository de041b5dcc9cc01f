"""Choosing the language to speak, and keeping it to the update it was chosen for."""

from __future__ import annotations

import asyncio

import pytest

from bot.chat import language
from bot.chat.locales import en, ru


@pytest.mark.parametrize(
    ("language_code", "expected"),
    [
        ("ru", "ru"),
        ("ru-RU", "ru"),
        ("RU", "ru"),
        ("es", "es"),
        ("es-419", "es"),
        ("es_MX", "es"),
        ("en", "en"),
        ("en-GB", "en"),
        ("pt-br", "en"),
        ("uk", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_without_a_choice_the_telegram_app_language_decides(
    language_code: str | None, expected: str
) -> None:
    assert language.choose(None, language_code) == expected


def test_a_stored_choice_wins_over_the_app_language() -> None:
    assert language.choose("es", "ru-RU") == "es"
    assert language.choose("en", "ru") == "en"


def test_a_stored_code_the_bot_does_not_speak_is_ignored() -> None:
    assert language.choose("de", "ru") == "ru"
    assert language.choose("RU", None) == "en"  # stored codes are exact, never tags


def test_english_is_spoken_outside_an_update() -> None:
    assert language.current() is en.CATALOGUE
    assert language.current_language() == "en"


def test_using_sets_the_language_for_a_block_only() -> None:
    with language.using("ru") as catalogue:
        assert catalogue is ru.CATALOGUE and language.current() is ru.CATALOGUE
    assert language.current() is en.CATALOGUE


async def test_a_language_set_while_handling_one_update_stays_in_its_task() -> None:
    # As PTB runs each update in a task of its own (see bot.chat.language).
    chosen = asyncio.Event()
    seen: dict[str, str] = {}

    async def spanish_update() -> None:
        language.use("es")
        chosen.set()
        await asyncio.sleep(0)
        seen["es"] = language.current_language()

    async def other_update() -> None:
        await chosen.wait()
        seen["other"] = language.current_language()

    await asyncio.gather(asyncio.create_task(spanish_update()), asyncio.create_task(other_update()))
    assert seen == {"es": "es", "other": "en"}
    assert language.current() is en.CATALOGUE


async def test_tasks_started_while_handling_an_update_speak_its_language() -> None:
    async def update() -> str:
        language.use("es")
        return await asyncio.create_task(asyncio.to_thread(language.current_language))

    assert await asyncio.create_task(update()) == "es"
    assert language.current_language() == "en"
