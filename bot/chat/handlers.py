"""Command and text-message handlers: parse the command, build a screen, send it.

What is handled on purpose: new messages (commands anywhere, text in private chats and
replies to the bot in groups) and button presses. Everything else Telegram may deliver
(edited messages, channel posts, member updates, inline queries, ...) is dropped by `gate`
before any handler sees it; then `language_choice.adopt` picks the language every text of
the update is written in (the sender's /language choice, else their app's language).
Ratings, marks and lists belong to one person, so a message with nobody identifiable behind
it (no `from`, a bot such as the shared GroupAnonymousBot that stands for every anonymous
group admin, or sent on behalf of a chat) is told to use a private chat instead of sharing
one identity across groups.
"""

from __future__ import annotations

import logging
import re

from telegram import Message, Update, User
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationHandlerStop,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.chat import buttons, group_list, groups, keyboards, language_choice, screens, texts
from bot.chat import callbacks as cb
from bot.chat.context import BotApplication, BotContext
from bot.chat.export import FILENAME, export
from bot.training import forgetting

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 100
ANONYMOUS_ADMIN_ID = 1087968824
"""GroupAnonymousBot: the one `from` user of every anonymous admin in every group."""
DEEP_LINK = re.compile(r"rate_([1-9][0-9]{0,8})")
"""The /start payload of a link to a movie's rating card (Telegram allows [A-Za-z0-9_-])."""
GATE_GROUP = -2
"""Handler group of `gate`: before every other handler."""
LANGUAGE_GROUP = -1
"""Handler group of `language_choice.adopt`: right after the gate (PTB runs one handler per
group), before every handler that writes a text."""


def sender(update: Update) -> tuple[Message, User] | None:
    """The message to answer and who sent it; None for updates that have no person behind them."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return None
    return message, user


def readable(text: str) -> str:
    """`text` fit to send back: a lone surrogate (only a forged update can carry one; UTF-8
    cannot) becomes "?" instead of failing the whole reply."""
    return text.encode(errors="replace").decode()


def nobody(user: User | None, message: Message | None = None) -> bool:
    """Whether no single person can be told apart behind `user` (and `message`): no `from`,
    a bot (anonymous admins, channels posting in groups) or a message on behalf of a chat."""
    return (
        user is None
        or user.is_bot
        or user.id == ANONYMOUS_ADMIN_ID
        or (message is not None and message.sender_chat is not None)
    )


async def person(update: Update) -> tuple[Message, User] | None:
    """The message and the person who sent it; a sender that is nobody in particular gets
    told to use a private chat (and None comes back), as does nothing at all (None)."""
    message, user = update.effective_message, update.effective_user
    if message is None:
        return None
    if user is None or nobody(user, message):  # (`user is None` again, for the type checker)
        log.info("refused a personal command from nobody in particular in chat %s", message.chat_id)
        # Quoting as `reply` does: in a group PTB quotes by default, and a deleted message
        # must not turn the answer into an error.
        await message.reply_text(
            texts.current().needs_a_person, reply_parameters=groups.quoting(message)
        )
        return None
    return message, user


async def gate(update: Update, context: BotContext) -> None:
    """Before every handler: stop every update other than a new message or a button press,
    and remember who uses the bot in which group.

    The bot asks Telegram for those two kinds only, but a webhook or a future
    `allowed_updates` may deliver more; an edited "/forget" must not ask again.
    """
    if update.message is None and update.callback_query is None:
        kinds = [kind for kind in Update.ALL_TYPES if getattr(update, kind, None) is not None]
        log.debug("ignored update %s (%s)", update.update_id, ", ".join(kinds) or "empty")
        raise ApplicationHandlerStop
    chat, user = update.effective_chat, update.effective_user
    if chat is not None and groups.in_group(chat) and not nobody(user, update.message):
        if update.message is not None and not update.message.text:
            return  # service messages (someone joined) are no use of the bot
        assert user is not None  # (nobody() said so; for the type checker)
        await groups.note(context.storage, chat, user)


async def reply(context: BotContext, message: Message, screen: screens.Screen) -> None:
    """Send `screen` as a new message in the chat `message` came from, owned by its sender
    (in a group it quotes `message`, so everyone sees whose it is)."""
    sent = await message.reply_text(
        screen.text,
        parse_mode=ParseMode.HTML,
        reply_markup=screen.markup,
        reply_parameters=groups.quoting(message),
    )
    if message.from_user is not None:
        await groups.owned(context.storage, sent, message.from_user)


async def private_only(context: BotContext, message: Message) -> bool:
    """In a group, answer that a person's own lists are shown in private only (True: done)."""
    if not groups.in_group(message.chat):
        return False
    await message.reply_text(
        texts.current().groups.private_only,
        reply_markup=keyboards.private_chat(context.bot.username),
        reply_parameters=groups.quoting(message),
    )
    return True


async def linked_card(context: BotContext, message: Message, user: User) -> bool:
    """`/start rate_<movieId>` (a t.me/<bot>?start=rate_<movieId> link): that movie's rating
    card. True when it was shown; False for a plain /start, and for an unknown movie (said
    so: the welcome follows)."""
    link = DEEP_LINK.fullmatch(context.args[0]) if context.args else None
    if link is None:
        return False
    movie_id = int(link[1])
    public = groups.in_group(message.chat)
    screen = await screens.card(
        context.storage, context.holder, user.id, movie_id, cb.Popular(0), public=public
    )
    if screen is None:
        await message.reply_text(texts.current().unknown_movie_link)
        return False
    await reply(context, message, screen)
    return True


async def start(update: Update, context: BotContext) -> None:
    """Welcome, then the popular list to rate from; a link to a movie opens its card."""
    if (found := await person(update)) is None or await linked_card(context, *found):
        return
    await found[0].reply_text(texts.welcome(), parse_mode=ParseMode.HTML)
    await popular(update, context)


async def help_command(update: Update, context: BotContext) -> None:
    """What the bot does and its commands (for anyone: it is about nobody in particular)."""
    if update.effective_message is None:
        return
    await update.effective_message.reply_text(texts.help_text(), parse_mode=ParseMode.HTML)


async def popular(update: Update, context: BotContext) -> None:
    """The 50 most-rated movies, first page."""
    if (found := await person(update)) is None:
        return
    message, user = found
    public = groups.in_group(message.chat)
    await reply(context, message, await screens.popular(context.storage, user.id, 0, public=public))


async def recommend(update: Update, context: BotContext) -> None:
    """Top-10 unseen movies; `/recommend comedy` keeps one genre. In a group: for the group."""
    if (found := await person(update)) is None:
        return
    message, user = found
    holder = context.holder
    given = readable(" ".join(context.args or ()).strip())
    try:
        if groups.in_group(message.chat):
            screen = await group_list.recommendations(
                context.storage, holder, message.chat.id, user, given or None
            )
        else:
            screen = await screens.recommendations(context.storage, holder, user.id, given or None)
    except screens.UnknownGenre:
        screen = screens.Screen(
            texts.unknown_genre(given[:MAX_QUERY_CHARS], screens.offered_genres(holder)),
            keyboards.genres(screens.offered_genres(holder)),
        )
    await reply(context, message, screen)


async def send_search(context: BotContext, message: Message, user: User, query: str) -> None:
    public = groups.in_group(message.chat)
    screen = await screens.search(context.storage, context.holder, user.id, query, public=public)
    await reply(context, message, screen)


async def search(update: Update, context: BotContext) -> None:
    """`/search <title>`: matching movies, each opening its rating card."""
    if (found := await person(update)) is None:
        return
    message, user = found
    query = " ".join(context.args or ())[:MAX_QUERY_CHARS]
    await send_search(context, message, user, query)


def to_the_bot(message: Message, context: BotContext) -> bool:
    """Whether `message` replies to one of the bot's own."""
    replied = message.reply_to_message
    return (
        replied is not None
        and replied.from_user is not None
        and replied.from_user.id == context.bot.id
    )


async def search_text(update: Update, context: BotContext) -> None:
    """Plain text in a private chat is a title search; in a group, only a reply to the bot
    (everything else there is people talking to each other)."""
    message = update.effective_message
    if message is None or (groups.in_group(message.chat) and not to_the_bot(message, context)):
        return
    if (found := await person(update)) is None:
        return
    message, user = found
    query = (message.text or "")[:MAX_QUERY_CHARS]
    await send_search(context, message, user, query)


async def my_ratings(update: Update, context: BotContext) -> None:
    """The person's ratings, newest first, paged."""
    if (found := await person(update)) is None or await private_only(context, found[0]):
        return
    message, user = found
    await reply(context, message, await screens.my_ratings(context.storage, user.id, 0))


async def watchlist(update: Update, context: BotContext) -> None:
    """The movies the person saved for later, newest first, paged."""
    if (found := await person(update)) is None or await private_only(context, found[0]):
        return
    message, user = found
    await reply(
        context, message, await screens.marked_list(context.storage, user.id, cb.Watchlist(0))
    )


async def hidden(update: Update, context: BotContext) -> None:
    """The movies the person hid (not seen, not interested), each opening a card to undo."""
    if (found := await person(update)) is None or await private_only(context, found[0]):
        return
    message, user = found
    await reply(context, message, await screens.marked_list(context.storage, user.id, cb.Hidden(0)))


async def forget(update: Update, context: BotContext) -> None:
    """Ask for confirmation; the buttons only work for the person who asked."""
    if (found := await person(update)) is None:
        return
    message, user = found
    storage = context.storage
    ratings = len(await storage.ratings_of(user.id))
    marks = len(await storage.marks_of(user.id))
    if ratings + marks == 0:
        # Nothing worth confirming; drop the person row too, if there is one, and the row
        # the models may hold (they rated, were trained on, then removed every rating).
        forgotten = await forgetting.forget_rows(storage, user.id)
        await forgetting.forget_in_models(storage, context.holder, forgotten)
        await message.reply_text(texts.current().forget_nothing)
        return
    await message.reply_text(
        texts.forget_confirm(ratings, marks), reply_markup=keyboards.forget(user.id)
    )


async def export_command(update: Update, context: BotContext) -> None:
    """The person's ratings and marks as a CSV document, in a private chat only."""
    if (found := await person(update)) is None or await private_only(context, found[0]):
        return
    message, user = found
    exported = await export(context.storage, user.id)
    if exported is None:
        await message.reply_text(texts.current().export_nothing)
        return
    await message.reply_document(
        exported.document,
        filename=FILENAME,
        caption=texts.export_caption(exported.ratings, exported.marks),
    )


async def language_command(update: Update, context: BotContext) -> None:
    """/language: the languages as buttons; the choice is stored for the person."""
    if (found := await person(update)) is None:
        return
    await reply(context, found[0], language_choice.picker())


async def not_text(update: Update, context: BotContext) -> None:
    """A sticker, photo, voice note, ... in a private chat: say what the bot reads."""
    if update.effective_message is None:
        return
    await update.effective_message.reply_text(texts.current().text_only)


async def unknown_command(update: Update, context: BotContext) -> None:
    """Commands this bot does not have."""
    if (found := sender(update)) is None:
        return
    await found[0].reply_text(texts.current().unknown_command)


def register(application: BotApplication) -> None:
    """Add the person-facing handlers (admin handlers are added by bot.chat.admin)."""
    application.add_handler(TypeHandler(Update, gate), group=GATE_GROUP)
    application.add_handler(TypeHandler(Update, language_choice.adopt), group=LANGUAGE_GROUP)
    commands = {
        "start": start,
        "help": help_command,
        "popular": popular,
        "recommend": recommend,
        "search": search,
        "myratings": my_ratings,
        "watchlist": watchlist,
        "hidden": hidden,
        "export": export_command,
        "language": language_command,
        "forget": forget,
    }
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, search_text))
    application.add_handler(MessageHandler(filters.ATTACHMENT & filters.ChatType.PRIVATE, not_text))
    application.add_handler(buttons.handler())


def register_fallback(application: BotApplication) -> None:
    """Unknown commands; added last (group 0) so every command registered before it wins.

    Anything still unmatched (service messages, text in groups that is not a command)
    is ignored on purpose: no handler takes it."""
    application.add_handler(
        MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, unknown_command)
    )
