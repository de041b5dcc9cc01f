"""The one error handler: log the failure with its traceback and tell the person, if any."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.chat import texts
from bot.chat.context import BotContext

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure with its traceback and tell the person, if there is one."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update):
        return
    if update.callback_query is not None:
        try:
            await update.callback_query.answer(texts.ERROR, show_alert=True)
            return
        except TelegramError:
            pass  # already answered: say it in the chat instead
    if update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, texts.ERROR)
        except TelegramError:
            log.warning("could not tell chat %s about the error", update.effective_chat.id)
