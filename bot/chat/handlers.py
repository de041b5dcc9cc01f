"""Command and text-message handlers: parse the command, build a screen, send it."""

from __future__ import annotations

import logging

from telegram import Message, Update, User
from telegram.constants import ParseMode
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.chat import buttons, keyboards, screens, texts
from bot.chat import callbacks as cb
from bot.chat.context import BotApplication, BotContext

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 100


def sender(update: Update) -> tuple[Message, User] | None:
    """The message to answer and who sent it; None for updates that have no person behind them."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return None
    return message, user


async def reply(message: Message, screen: screens.Screen) -> None:
    """Send `screen` as a new message in the chat `message` came from."""
    await message.reply_text(screen.text, parse_mode=ParseMode.HTML, reply_markup=screen.markup)


async def start(update: Update, context: BotContext) -> None:
    """Welcome, then the popular list to rate from."""
    if (found := sender(update)) is None:
        return
    await found[0].reply_text(texts.WELCOME, parse_mode=ParseMode.HTML)
    await popular(update, context)


async def help_command(update: Update, context: BotContext) -> None:
    """What the bot does and its commands."""
    if (found := sender(update)) is None:
        return
    await found[0].reply_text(texts.HELP, parse_mode=ParseMode.HTML)


async def popular(update: Update, context: BotContext) -> None:
    """The 50 most-rated movies, first page."""
    if (found := sender(update)) is None:
        return
    message, user = found
    await reply(message, await screens.popular(context.storage, user.id, 0))


async def recommend(update: Update, context: BotContext) -> None:
    """Top-10 unseen movies; `/recommend comedy` keeps one genre."""
    if (found := sender(update)) is None:
        return
    message, user = found
    holder = context.holder
    given = " ".join(context.args or ()).strip()
    try:
        screen = await screens.recommendations(context.storage, holder, user.id, given or None)
    except screens.UnknownGenre:
        screen = screens.Screen(
            texts.unknown_genre(given[:MAX_QUERY_CHARS], screens.offered_genres(holder)),
            keyboards.genres(screens.offered_genres(holder)),
        )
    await reply(message, screen)


async def search(update: Update, context: BotContext) -> None:
    """`/search <title>`: matching movies, each opening its rating card."""
    if (found := sender(update)) is None:
        return
    message, user = found
    query = " ".join(context.args or ())[:MAX_QUERY_CHARS]
    await reply(message, await screens.search(context.storage, context.holder, user.id, query))


async def search_text(update: Update, context: BotContext) -> None:
    """Plain text in a private chat is a title search."""
    if (found := sender(update)) is None:
        return
    message, user = found
    query = (message.text or "")[:MAX_QUERY_CHARS]
    await reply(message, await screens.search(context.storage, context.holder, user.id, query))


async def my_ratings(update: Update, context: BotContext) -> None:
    """The person's ratings, newest first, paged."""
    if (found := sender(update)) is None:
        return
    message, user = found
    await reply(message, await screens.my_ratings(context.storage, user.id, 0))


async def watchlist(update: Update, context: BotContext) -> None:
    """The movies the person saved for later, newest first, paged."""
    if (found := sender(update)) is None:
        return
    message, user = found
    await reply(message, await screens.marked_list(context.storage, user.id, cb.Watchlist(0)))


async def hidden(update: Update, context: BotContext) -> None:
    """The movies the person hid (not seen, not interested), each opening a card to undo."""
    if (found := sender(update)) is None:
        return
    message, user = found
    await reply(message, await screens.marked_list(context.storage, user.id, cb.Hidden(0)))


async def forget(update: Update, context: BotContext) -> None:
    """Ask for confirmation; the buttons only work for the person who asked."""
    if (found := sender(update)) is None:
        return
    message, user = found
    storage = context.storage
    ratings = len(await storage.ratings_of(user.id))
    marks = len(await storage.marks_of(user.id))
    if ratings + marks == 0:
        # Nothing worth confirming; drop the person row too, if there is one.
        await storage.forget_person(user.id)
        await message.reply_text(texts.FORGET_NOTHING)
        return
    await message.reply_text(
        texts.forget_confirm(ratings, marks), reply_markup=keyboards.forget(user.id)
    )


async def unknown_command(update: Update, context: BotContext) -> None:
    """Commands this bot does not have."""
    if (found := sender(update)) is None:
        return
    await found[0].reply_text(texts.UNKNOWN_COMMAND)


def register(application: BotApplication) -> None:
    """Add the person-facing handlers (admin handlers are added by bot.chat.admin)."""
    commands = {
        "start": start,
        "help": help_command,
        "popular": popular,
        "recommend": recommend,
        "search": search,
        "myratings": my_ratings,
        "watchlist": watchlist,
        "hidden": hidden,
        "forget": forget,
    }
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE, search_text)
    )
    application.add_handler(buttons.handler())


def register_fallback(application: BotApplication) -> None:
    """Unknown commands; added last (group 0) so every command registered before it wins."""
    application.add_handler(
        MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, unknown_command)
    )
