"""Which language the bot speaks, to whom: the catalogue of the update being handled.

A person's language is their /language choice, else what their Telegram app says
(`User.language_code`, an IETF tag such as "ru" or "es-419"), else English. It is set once
per update, before any handler runs (bot.chat.language_choice.adopt), in a ContextVar:

Each update is handled in its own asyncio task (PTB's Application creates one per update
when updates run concurrently, as they do with bot.chat.processor.FairProcessor: its
`_update_fetcher` calls `create_task(__process_update_wrapper(update))`), and every handler
group, the error handler and the tasks a handler starts (`block=False` handlers, training
progress) run in that task or in copies of its context. So a value set while handling one
update never reaches another. Outside an update (jobs, tests) `using` sets it for a block.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import Literal

from bot.chat.locales import Catalogue, en, es, ru

Language = Literal["en", "ru", "es"]
LANGUAGES: tuple[Language, ...] = ("en", "ru", "es")
"""The languages the bot speaks, in the order the /language buttons show them."""
DEFAULT: Language = "en"
NAMES: Mapping[Language, str] = {"en": "English", "ru": "Русский", "es": "Español"}
"""Each language in its own words: the /language buttons read the same whatever the person
reads now, so someone who got the wrong language still finds theirs."""
CATALOGUES: Mapping[Language, Catalogue] = {
    "en": en.CATALOGUE,
    "ru": ru.CATALOGUE,
    "es": es.CATALOGUE,
}
_BY_CODE: Mapping[str, Language] = {language: language for language in LANGUAGES}

_CURRENT: ContextVar[Language] = ContextVar("bot_chat_language", default=DEFAULT)


def parse(code: str | None) -> Language | None:
    """The language a stored code names exactly ("ru"); None for anything else."""
    return _BY_CODE.get(code) if isinstance(code, str) else None


def from_tag(tag: str | None) -> Language | None:
    """The language an IETF tag names when the bot speaks it: "ru", "ru-RU" -> "ru";
    "es", "es-419" -> "es"; "pt-br", "", None -> None."""
    if not isinstance(tag, str):
        return None
    return _BY_CODE.get(tag.strip().replace("_", "-").split("-", 1)[0].lower())


def choose(stored: str | None, language_code: str | None) -> Language:
    """The language to speak: the person's stored choice wins, then their Telegram app's
    language (`language_code`), then English."""
    return parse(stored) or from_tag(language_code) or DEFAULT


def use(language: Language) -> None:
    """Speak `language` for the rest of the update being handled (its task and the tasks it
    starts; see the module docstring)."""
    _CURRENT.set(language)


@contextlib.contextmanager
def using(language: Language) -> Iterator[Catalogue]:
    """Speak `language` inside the block (a job messaging an admin, a test); yields its
    catalogue."""
    token = _CURRENT.set(language)
    try:
        yield CATALOGUES[language]
    finally:
        _CURRENT.reset(token)


def current_language() -> Language:
    """The language of the update being handled (English outside one)."""
    return _CURRENT.get()


def current() -> Catalogue:
    """The catalogue of the update being handled (English outside one)."""
    return CATALOGUES[_CURRENT.get()]
