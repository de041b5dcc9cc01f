"""Languages end to end: the Telegram app's language picks the texts, /language changes it for
good, and the choice survives a restart of the bot process."""

from __future__ import annotations

import pytest

from bot.chat.locales import es, ru
from tests.support.botapi import make_user
from tests.support.harness import BotProcess, Person, button_texts

pytestmark = pytest.mark.e2e


def speaking(person: Person, language_code: str) -> Person:
    """The same person, with their Telegram app set to `language_code`."""
    person.user = make_user(person.id, person.user["first_name"], language_code=language_code)
    return person


def test_a_person_whose_app_speaks_russian_reads_russian(person: Person) -> None:
    ivan = speaking(person, "ru")

    welcome, listing = ivan.say_all("/start", 2)
    card = ivan.tap(listing, "1. ")
    ivan.rate(card, "4")

    assert welcome["text"].startswith("Привет! Я советую фильмы")
    assert ru.CATALOGUE.button_rate_by_genre in button_texts(listing)
    assert {ru.CATALOGUE.button_not_seen, ru.CATALOGUE.button_back} <= set(button_texts(card))
    assert ivan.answers[-1].params.get("text", "").startswith("Сохранено: ")


def test_a_language_chosen_with_the_command_sticks_across_a_restart(
    bot: BotProcess, person: Person
) -> None:
    ivan = speaking(person, "ru")

    picker = ivan.say("/language")
    assert picker["text"] == ru.CATALOGUE.language_prompt
    chosen = ivan.tap(picker, "Español")
    assert ivan.answers[-1].params.get("text") == es.CATALOGUE.language_saved
    assert chosen["text"] == es.CATALOGUE.language_prompt

    assert bot.restart() == 0

    assert ivan.say("/help")["text"].startswith("Cómo funciona")  # the app still says "ru"
    card = ivan.tap(ivan.say("/popular"), "2. ")
    assert es.CATALOGUE.button_not_seen in button_texts(card)
