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
from bot.chat import group_list, groups, keyboards, language_choice, screens, texts
from bot.chat.context import BotContext
from bot.storage import AlreadyRated, MarkKind, UnknownMovie, UnknownPerson
from bot.training import forgetting

log = logging.getLogger(__name__)
MARK_KINDS: dict[type[cb.Mark], MarkKind] = {
    cb.NotSeen: "not_seen",
    cb.NotInterested: "not_interested",
    cb.Later: "later",
}
UNEDITABLE = ("message can't be edited", "message to edit not found")
"""Telegram's reasons for refusing an edit of an old or deleted message."""


async def show(query: CallbackQuery, context: BotContext, screen: screens.Screen) -> None:
    """Edit the pressed message into `screen`. A message we cannot edit gets a new one; so
    does a press on someone else's message in a group (their own copy: see bot.chat.groups)."""
    storage, presser = context.storage, query.from_user
    if isinstance(query.message, Message):
        if not await groups.may_edit(storage, query.message, presser):
            await groups.send_copy(context.bot, storage, query.message, presser, screen)
            return
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
    chat_id = query.message.chat.id if query.message is not None else presser.id
    sent = await context.bot.send_message(
        chat_id, screen.text, parse_mode=ParseMode.HTML, reply_markup=screen.markup
    )
    await groups.owned(storage, sent, presser)


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
        await query.answer(texts.current().needs_a_person)
        return
    try:
        action = cb.parse(query.data)
    except cb.BadCallback as err:
        log.info("rejected callback data from %s: %s", query.from_user.id, err)
        await query.answer(texts.current().bad_button)
        return
    storage, holder = context.storage, context.holder
    user_id = query.from_user.id

    match action:
        case cb.OpenCard(movie_id, back):
            public = groups.pressed_in_group(query)
            screen = await screens.card(storage, holder, user_id, movie_id, back, public=public)
            if screen is None:
                await query.answer(texts.current().unknown_movie)
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
        case cb.PickGenreToRate():
            await query.answer()
            await show(query, context, screens.genres_to_rate(holder))
        case cb.Forget(telegram_id, confirmed):
            await forget(query, context, telegram_id, confirmed)
        case cb.SetLanguage(chosen):
            await language_choice.remember(storage, user_id, chosen)  # speaks it from here on
            await acknowledge(query, texts.current().language_saved)
            await show(query, context, language_choice.picker())
        case cb.Recs(genre):
            if genre is not None:
                try:
                    screens.resolve_genre(genre, holder)
                except screens.UnknownGenre:
                    await query.answer(texts.current().unknown_genre_button)
                    return
            screen = await render(query, context, action)
            # Refresh on a list that came back the same would otherwise seem to do nothing.
            same = (
                isinstance(query.message, Message) and query.message.reply_markup == screen.markup
            )
            await query.answer(texts.current().nothing_new if same else None)
            await show(query, context, screen)
        case _:
            await query.answer()
            await show_view(query, context, action)


async def render(query: CallbackQuery, context: BotContext, target: cb.View) -> screens.Screen:
    """The view `target` for the presser. In a group nobody's stars show, recommendations are
    the group's list and a person's own lists link to the private chat. A genre the model no
    longer knows (an old button) falls back to all genres."""
    storage, holder, presser = context.storage, context.holder, query.from_user
    public = groups.pressed_in_group(query)
    if public and isinstance(target, cb.MyRatings | cb.Watchlist | cb.Hidden):
        return screens.Screen(
            texts.current().groups.private_only, keyboards.private_chat(context.bot.username)
        )
    try:
        if public and isinstance(target, cb.Recs) and query.message is not None:
            chat_id = query.message.chat.id
            return await group_list.recommendations(storage, holder, chat_id, presser, target.genre)
        return await screens.view(storage, holder, presser.id, target, public=public)
    except screens.UnknownGenre:
        return await render(query, context, cb.Recs(None))


async def show_view(query: CallbackQuery, context: BotContext, target: cb.View) -> None:
    await show(query, context, await render(query, context, target))


async def rate(query: CallbackQuery, context: BotContext, action: cb.Rate) -> None:
    """Store the presser's rating, acknowledge it, then go back to the list it came from."""
    storage = context.storage
    user_id = query.from_user.id
    movie = await storage.movie(action.movie_id)
    if movie is None:
        await query.answer(texts.current().unknown_movie)
        return
    before = {r.movie_id for r in await storage.ratings_of(user_id)}
    await storage.record_rating(user_id, action.movie_id, action.rating)
    context.metrics.rating_stored()
    await acknowledge(query, texts.saved(movie.title, action.rating))
    await show_view(query, context, action.back)
    # The offer goes to private chats only: a group hears nothing of how much someone rated.
    private = not isinstance(query.message, Message) or not groups.in_group(query.message.chat)
    if private and len(before) == texts.RECOMMEND_AFTER - 1 and action.movie_id not in before:
        await context.bot.send_message(
            user_id, texts.offer_recs(), reply_markup=keyboards.offer_recommendations()
        )


async def mark(query: CallbackQuery, context: BotContext, action: cb.Mark) -> None:
    """Not seen / Not interested / Later: store the presser's mark, then redraw the list."""
    kind = MARK_KINDS[type(action)]
    try:
        await context.storage.mark(query.from_user.id, action.movie_id, kind)
    except UnknownMovie:
        await query.answer(texts.current().unknown_movie)
        return
    except AlreadyRated:  # a stale card: the rating stays
        await query.answer(texts.current().already_rated)
        return
    await acknowledge(query, texts.current().marked.of(kind))
    await show_view(query, context, action.back)


async def undo(query: CallbackQuery, context: BotContext, movie_id: int, back: cb.View) -> None:
    """Take the presser's mark on a movie back; a stale button (no mark) changes nothing."""
    kind = await context.storage.unmark(query.from_user.id, movie_id)
    if kind is None:
        await query.answer(texts.current().not_marked)
        return
    await acknowledge(query, texts.current().undone.of(kind))
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
        await query.answer(texts.current().not_rated)
        return
    await acknowledge(query, texts.removed(movie.title))
    await show_view(query, context, back)


async def forget(
    query: CallbackQuery, context: BotContext, telegram_id: int, confirmed: bool
) -> None:
    """Only the person who sent /forget may confirm it. Their rows go first, then their rows in
    the stored models (seconds for big ones), and the message says what was done."""
    if telegram_id != query.from_user.id:
        await query.answer(texts.current().not_yours)
        return
    if not confirmed:
        await query.answer()
        await show(query, context, screens.Screen(texts.current().forget_cancelled))
        return
    forgotten = await forgetting.forget_rows(context.storage, telegram_id)
    await acknowledge(query, texts.current().forgotten_short)
    swept = await forgetting.forget_in_models(context.storage, context.holder, forgotten)
    await show(query, context, screens.Screen(texts.forgotten(swept.holding, not swept.failed)))


def handler() -> CallbackQueryHandler:
    """One handler for every button, so even foreign data gets an answer."""
    return CallbackQueryHandler(on_button)
