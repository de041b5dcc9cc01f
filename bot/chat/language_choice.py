"""The language each update is answered in, and a person's /language choice.

`adopt` runs before every other handler (its own handler group, registered by
bot.chat.handlers): it makes the sender's language the current one for the update
(bot.chat.language), so every text and label built while handling it, the error handler's
included, comes from that language's catalogue. /language shows `picker`; a press on one of
its buttons goes to `remember`, which stores the choice.
"""

from __future__ import annotations

import logging

from telegram import Update, User

from bot.chat import keyboards, language
from bot.chat.context import BotContext
from bot.chat.language import Language
from bot.chat.screens import Screen
from bot.storage import Storage, StorageError

log = logging.getLogger(__name__)


async def stored_choice(storage: Storage, telegram_id: int) -> str | None:
    """The person's /language choice; None when they made none, or when it cannot be read
    (logged: the texts then fall back rather than the update failing)."""
    try:
        return await storage.language_of(telegram_id)
    except StorageError as error:
        log.warning("could not read the language of %s: %s", telegram_id, error)
        return None


async def spoken_to(storage: Storage, user: User | None) -> Language:
    """The language to speak to `user`: their /language choice, else their Telegram app's
    language, else English. A bot (an anonymous admin, a channel) never chose one."""
    if user is None:
        return language.DEFAULT
    stored = None if user.is_bot else await stored_choice(storage, user.id)
    return language.choose(stored, user.language_code)


async def adopt(update: object, context: BotContext) -> None:
    """Speak the sender's language while this update is handled."""
    user = update.effective_user if isinstance(update, Update) else None
    language.use(await spoken_to(context.storage, user))


async def remember(storage: Storage, telegram_id: int, chosen: Language) -> None:
    """Store a person's /language choice and speak it from now on, this update included."""
    await storage.set_language(telegram_id, chosen)
    language.use(chosen)


def picker() -> Screen:
    """/language: the question in the language spoken now, one button per language."""
    return Screen(
        language.current().language_prompt, keyboards.languages(language.current_language())
    )
