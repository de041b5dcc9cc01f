"""Command and text-message handlers: parse the command, build a screen, send it."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from bot import buttons, keyboards, texts, views

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 100


async def reply(update: Update, screen: views.Screen) -> None:
    """Send `screen` as a new message in the chat the update came from."""
    await update.effective_message.reply_text(
        screen.text, parse_mode=ParseMode.HTML, reply_markup=screen.markup
    )


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome, then the popular list to rate from."""
    await update.effective_message.reply_text(texts.WELCOME, parse_mode=ParseMode.HTML)
    await popular(update, context)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """What the bot does and its commands."""
    await update.effective_message.reply_text(texts.HELP, parse_mode=ParseMode.HTML)


async def popular(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The 50 most-rated movies, first page."""
    storage = context.bot_data["storage"]
    await reply(update, await views.popular(storage, update.effective_user.id, 0))


async def recommend(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Top-10 unseen movies; `/recommend comedy` keeps one genre."""
    holder = context.bot_data["model"]
    given = " ".join(context.args or ()).strip()
    try:
        screen = await views.recommendations(
            context.bot_data["storage"], holder, update.effective_user.id, given or None
        )
    except views.UnknownGenre:
        screen = views.Screen(
            texts.unknown_genre(given[:MAX_QUERY_CHARS], views.offered_genres(holder)),
            keyboards.genres(views.offered_genres(holder)),
        )
    await reply(update, screen)


async def search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/search <title>`: matching movies, each opening its rating card."""
    query = " ".join(context.args or ())[:MAX_QUERY_CHARS]
    await reply(
        update, await views.search(context.bot_data["storage"], update.effective_user.id, query)
    )


async def search_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Plain text in a private chat is a title search."""
    query = (update.effective_message.text or "")[:MAX_QUERY_CHARS]
    await reply(
        update, await views.search(context.bot_data["storage"], update.effective_user.id, query)
    )


async def my_ratings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The person's ratings, newest first, paged."""
    storage = context.bot_data["storage"]
    await reply(update, await views.my_ratings(storage, update.effective_user.id, 0))


async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask for confirmation; the buttons only work for the person who asked."""
    user_id = update.effective_user.id
    storage = context.bot_data["storage"]
    count = len(await storage.ratings_of(user_id))
    if count == 0:
        # Nothing worth confirming; drop the person row too, if there is one.
        await storage.forget_person(user_id)
        await update.effective_message.reply_text(texts.FORGET_NOTHING)
        return
    await update.effective_message.reply_text(
        texts.forget_confirm(count), reply_markup=keyboards.forget(user_id)
    )


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Commands this bot does not have."""
    await update.effective_message.reply_text(texts.UNKNOWN_COMMAND)


def register(application: Application) -> None:
    """Add the person-facing handlers (admin handlers are added by bot.admin)."""
    commands = {
        "start": start,
        "help": help_command,
        "popular": popular,
        "recommend": recommend,
        "search": search,
        "myratings": my_ratings,
        "forget": forget,
    }
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE, search_text)
    )
    application.add_handler(buttons.handler())


def register_fallback(application: Application) -> None:
    """Unknown commands; added last (group 0) so every command registered before it wins."""
    application.add_handler(
        MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, unknown_command)
    )
