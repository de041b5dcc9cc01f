"""The language each update is answered in, and a person's /language choice.

`adopt` runs before every other handler (its own handler group, registered by
bot.chat.handlers): it makes the sender's language the current one for the update
(bot.chat.language), so every text and label built while handling it, the error handler's
included, comes from that language's catalogue. `remember` stores a /language choice.
"""

from __future__ import annotations

import logging

from telegram import Update, User

from bot.chat import language
from bot.chat.context import BotContext
from bot.chat.language import Language
from bot.storage import Storage, StorageError

log = logging.getLogger(__name__)


async def spoken_to(storage: Storage, user: User | None) -> Language:
    """The language to speak to `user`: their /language choice, else their Telegram app's
    language, else English. A bot (an anonymous admin, a channel) never chose one; a choice
    that cannot be read leaves the app's language rather than failing the update."""
    if user is None:
        return language.DEFAULT
    stored = None
    if not user.is_bot:
        try:
            stored = await storage.language_of(user.id)
        except StorageError as error:
            log.warning("could not read the language of %s: %s", user.id, error)
    return language.choose(stored, user.language_code)


async def adopt(update: object, context: BotContext) -> None:
    """Speak the sender's language while this update is handled."""
    user = update.effective_user if isinstance(update, Update) else None
    language.use(await spoken_to(context.storage, user))


async def remember(storage: Storage, telegram_id: int, chosen: Language) -> None:
    """Store a person's /language choice and speak it from now on, this update included."""
    await storage.set_language(telegram_id, chosen)
    language.use(chosen)
