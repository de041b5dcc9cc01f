"""The one error handler: log the failure with its traceback and tell the person, if any."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut

from bot.chat import texts
from bot.chat.context import BotContext
from bot.chat.outgoing import ALREADY_ANSWERED
from bot.storage import DatabaseBusy, DatabaseLost

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure with its traceback and tell the person, if there is one."""
    update_id = update.update_id if isinstance(update, Update) else None
    error = context.error
    if isinstance(error, DatabaseBusy | DatabaseLost):
        # Nothing was saved and the person is told so. The storage logged the one ERROR line
        # for a lost database; each refused update gets one line here, never a traceback.
        log.warning("update %s: not saved: %s", update_id, error)
        busy = isinstance(error, DatabaseBusy)
        say = texts.current()
        await _tell(update, context, say.database_busy if busy else say.cannot_save, not busy)
        return
    if isinstance(error, BadRequest) and ALREADY_ANSWERED in error.message.lower():
        # A press answered before a crash and handled again at the restart, or one that
        # waited past Telegram's window: the person has moved on, nothing to tell them.
        log.warning("update %s: the press is too old to answer", update_id)
        return
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        # Telegram failed past the retries (bot.chat.outgoing logged each attempt): one line.
        log.warning(
            "update %s: a Bot API call failed: %s: %s", update_id, type(error).__name__, error
        )
        if isinstance(error, TimedOut):
            return  # the request arrived; Telegram most likely performed it
    else:
        log.error("error while handling update %s", update_id, exc_info=error)
    await _tell(update, context, texts.current().error, alert=True)


async def _tell(update: object, context: BotContext, text: str, alert: bool) -> None:
    """The answer to a press (an alert when ``alert``), else a message in the chat, if any."""
    if not isinstance(update, Update):
        return
    if update.callback_query is not None:
        try:
            await update.callback_query.answer(text, show_alert=alert)
            return
        except TelegramError:
            pass  # already answered: say it in the chat instead
    if update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, text)
        except TelegramError:
            log.warning("could not tell chat %s about the error", update.effective_chat.id)
