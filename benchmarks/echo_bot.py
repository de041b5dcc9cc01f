"""A bare python-telegram-bot echo bot: the yardstick benchmarks/load.py compares the bot with.

    TELEGRAM_BOT_TOKEN=... TELEGRAM_BASE_URL=http://127.0.0.1:PORT/bot \\
        python benchmarks/echo_bot.py [--no-limiter]

Long polling, the same concurrency as the real bot (32 updates at once) and, unless
--no-limiter, the same AIORateLimiter. Every message gets one reply with two inline
buttons; every button press is answered, then the pressed message is edited (new text, the
same two buttons). The edit mirrors the real bot, which answers a press and then redraws
the message: per update both bots make the same kind and number of Bot API calls, so the
load driver's ratio measures the real bot's own work. No database, no model, no error
handler (PTB logs any failure with its traceback).
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

CONCURRENT_UPDATES = 32  # as bot/app.py
RATE_LIMIT_RETRIES = 3  # as bot/app.py
KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("A", callback_data="echo:a"),
            InlineKeyboardButton("B", callback_data="echo:b"),
        ]
    ]
)
_edits = itertools.count(1)


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(f"echo: {message.text or '(no text)'}", reply_markup=KEYBOARD)


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    # A new text each time: an identical edit is refused ("message is not modified").
    await query.edit_message_text(f"pressed {query.data} #{next(_edits)}", reply_markup=KEYBOARD)


def build(token: str, base_url: str, limiter: bool) -> Application:
    builder = Application.builder().token(token).base_url(base_url)
    builder = builder.concurrent_updates(CONCURRENT_UPDATES)
    application: Application
    if limiter:
        limited = builder.rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        application = limited.build()
    else:
        application = builder.build()
    application.add_handler(CallbackQueryHandler(on_press))
    application.add_handler(MessageHandler(filters.ALL, on_message))
    return application


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-limiter", action="store_true", help="no AIORateLimiter")
    args = parser.parse_args()
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level="INFO")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry the token
    token, base_url = os.environ["TELEGRAM_BOT_TOKEN"], os.environ["TELEGRAM_BASE_URL"]
    application = build(token, base_url, limiter=not args.no_limiter)
    logging.getLogger("echo").info("echo bot, rate limiter %s", "off" if args.no_limiter else "on")
    application.run_polling(allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY])


if __name__ == "__main__":
    main()
