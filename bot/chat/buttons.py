"""The inline-button handler: parse the callback data strictly, act, answer, redraw.

Every press is answered exactly once (`query.answer`) before anything slow, so
the person never sees a spinner; anything malformed, forged or stale is answered
with a short text and changes nothing, and so is a press with no person behind it
(no `from`, or a bot): ratings belong to one person.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import CallbackQueryHandler

from bot.chat import callbacks as cb
from bot.chat import keyboards, screens, texts
from bot.chat.context import BotContext
from bot.storage import AlreadyRated, MarkKind, UnknownMovie, UnknownPerson

log = logging.getLogger(__name__)
MARK_KINDS: dict[type[cb.Mark], MarkKind] = {
    cb.NotSeen: "not_seen",
    cb.NotInterested: "not_interested",
    cb.Later: "later",
}
UNEDITABLE = ("message can't be edited", "message to edit not found")
"""Telegram's reasons for refusing an edit of an old or deleted message."""


async def show(query: CallbackQuery, context: BotContext, screen: screens.Screen) -> None:
    """Edit the pressed message into `screen`; a message we cannot edit gets a new one."""
    if isinstance(query.message, Message):
        try:
            await query.edit_message_text(
                screen.text, parse_mode=ParseMode.HTML, reply_markup=screen.markup
            )
            return
        except BadRequest as err:
            reason = err.message.lower()
            # Pressing the same button twice asks for the same content; Telegram refuses that.
            if "message is not modified" in reason:
                return
            if not any(stale in reason for stale in UNEDITABLE):
                raise
    # Too old, deleted or otherwise inaccessible: answer with a fresh message instead.
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    await context.bot.send_message(
        chat_id, screen.text, parse_mode=ParseMode.HTML, reply_markup=screen.markup
    )


async def acknowledge(query: CallbackQuery, text: str) -> None:
    """Answer a press whose change is already committed. If Telegram refuses the answer even
    after the retries, the change still stands: log it instead of telling the person that
    something failed (they see the result in the redrawn screen)."""
    try:
        await query.answer(text)
    except TelegramError as error:
        log.warning("saved, but the press was not answered: %s: %s", type(error).__name__, error)


async def on_button(update: Update, context: BotContext) -> None:
    """Dispatch one button press."""
    query = update.callback_query
    if query is None:
        return
    # Telegram always says who pressed, but a forged or future update might not.
    if query.from_user is None or query.from_user.is_bot:
        log.info("refused a button press from nobody in particular")
        await query.answer(texts.NEEDS_A_PERSON)
        return
    try:
        action = cb.parse(query.data)
    except cb.BadCallback as err:
        log.info("rejected callback data from %s: %s", query.from_user.id, err)
        await query.answer(texts.BAD_BUTTON)
        return
    storage, holder = context.storage, context.holder
    user_id = query.from_user.id

    match action:
        case cb.OpenCard(movie_id, back):
            screen = await screens.card(storage, holder, user_id, movie_id, back)
            if screen is None:
                await query.answer(texts.UNKNOWN_MOVIE)
                return
            await query.answer()
            await show(query, context, screen)
        case cb.Rate():
            await rate(query, context, action)
        case cb.NotSeen() | cb.NotInterested() | cb.Later():
            await mark(query, context, action)
        case cb.Undo(movie_id, back):
            await undo(query, context, movie_id, back)
        case cb.Remove(movie_id, back):
            await remove(query, context, movie_id, back)
        case cb.PickGenre():
            await query.answer()
            await show(query, context, screens.genre_picker(holder))
        case cb.Forget(telegram_id, confirmed):
            await forget(query, context, telegram_id, confirmed)
        case _:
            if isinstance(action, cb.Recs) and action.genre is not None:
                try:
                    screens.resolve_genre(action.genre, holder)
                except screens.UnknownGenre:
                    await query.answer(texts.UNKNOWN_GENRE_BUTTON)
                    return
            await query.answer()
            await show_view(query, context, action)


async def show_view(query: CallbackQuery, context: BotContext, target: cb.View) -> None:
    storage, holder = context.storage, context.holder
    try:
        screen = await screens.view(storage, holder, query.from_user.id, target)
    except screens.UnknownGenre:
        # The model changed under an old genre button: fall back to all genres.
        screen = await screens.view(storage, holder, query.from_user.id, cb.Recs(None))
    await show(query, context, screen)


async def rate(query: CallbackQuery, context: BotContext, action: cb.Rate) -> None:
    """Store the presser's rating, acknowledge it, then go back to the list it came from."""
    storage = context.storage
    user_id = query.from_user.id
    movie = await storage.movie(action.movie_id)
    if movie is None:
        await query.answer(texts.UNKNOWN_MOVIE)
        return
    before = {r.movie_id for r in await storage.ratings_of(user_id)}
    await storage.record_rating(user_id, action.movie_id, action.rating)
    await acknowledge(query, texts.saved(movie.title, action.rating))
    await show_view(query, context, action.back)
    if len(before) == texts.RECOMMEND_AFTER - 1 and action.movie_id not in before:
        await context.bot.send_message(
            query.message.chat.id if isinstance(query.message, Message) else user_id,
            texts.OFFER_RECS,
            reply_markup=keyboards.offer_recommendations(),
        )


async def mark(query: CallbackQuery, context: BotContext, action: cb.Mark) -> None:
    """Not seen / Not interested / Later: store the presser's mark, then redraw the list."""
    kind = MARK_KINDS[type(action)]
    try:
        await context.storage.mark(query.from_user.id, action.movie_id, kind)
    except UnknownMovie:
        await query.answer(texts.UNKNOWN_MOVIE)
        return
    except AlreadyRated:  # a stale card: the rating stays
        await query.answer(texts.ALREADY_RATED)
        return
    await acknowledge(query, texts.MARKED[kind])
    await show_view(query, context, action.back)


async def undo(query: CallbackQuery, context: BotContext, movie_id: int, back: cb.View) -> None:
    """Take the presser's mark on a movie back; a stale button (no mark) changes nothing."""
    kind = await context.storage.unmark(query.from_user.id, movie_id)
    if kind is None:
        await query.answer(texts.NOT_MARKED)
        return
    await acknowledge(query, texts.UNDONE[kind])
    await show_view(query, context, back)


async def remove(query: CallbackQuery, context: BotContext, movie_id: int, back: cb.View) -> None:
    """Delete the presser's rating; a stale button (nothing to remove) changes nothing."""
    storage = context.storage
    movie = await storage.movie(movie_id)
    try:
        removed = movie is not None and await storage.remove_rating(query.from_user.id, movie_id)
    except UnknownPerson:  # never rated anything
        removed = False
    if movie is None or not removed:
        await query.answer(texts.NOT_RATED)
        return
    await acknowledge(query, texts.removed(movie.title))
    await show_view(query, context, back)


async def forget(
    query: CallbackQuery, context: BotContext, telegram_id: int, confirmed: bool
) -> None:
    """Only the person who sent /forget may confirm it."""
    if telegram_id != query.from_user.id:
        await query.answer(texts.NOT_YOURS)
        return
    if not confirmed:
        await query.answer()
        await show(query, context, screens.Screen(texts.FORGET_CANCELLED))
        return
    await context.storage.forget_person(telegram_id)
    await acknowledge(query, texts.FORGOTTEN_SHORT)
    await show(query, context, screens.Screen(texts.forgotten()))


def handler() -> CallbackQueryHandler:
    """One handler for every button, so even foreign data gets an answer."""
    return CallbackQueryHandler(on_button)
