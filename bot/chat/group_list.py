"""The group's /recommend: movies for everyone in a group chat who has rated with the bot.

Which members count: those who used the bot in this chat (a command or a press: bot.chat.
groups.note) and have rated something, the most recently seen first, at most MAX_MEMBERS
of them; recsys.groups ranks by the least happy member's predicted rating.
"""

from __future__ import annotations

import asyncio

from telegram import User

from bot.chat import group_texts, keyboards, screens
from bot.chat.screens import HIDING, Screen
from bot.storage import Storage
from bot.training.model_holder import ModelHolder
from recsys.groups import least_misery

MAX_MEMBERS = 10
"""The group's list is for at most this many members (the most recently seen): a list that
must please thirty people pleases nobody, and the names must fit the message."""


async def recommendations(
    storage: Storage, holder: ModelHolder, chat_id: int, asker: User, genre: str | None
) -> Screen:
    """The group's top 10 (raises screens.UnknownGenre for a genre the model does not know)."""
    if genre is not None:
        genre = screens.resolve_genre(genre, holder)
    members = (await storage.rating_members(chat_id))[:MAX_MEMBERS]
    told = [await screens.known(storage, telegram_id) for telegram_id, _ in members]
    hidden = {movie for me in told for movie in me.marked(*HIDING)}
    picks = await asyncio.to_thread(
        least_misery,
        holder.get(),
        [me.ratings for me in told],
        screens.RECOMMEND_K,
        exclude=hidden,
        genres=[genre] if genre else None,
    )
    movies = await storage.movies([pick.movie_id for pick in picks])
    items = [(movies[p.movie_id], p.stars) for p in picks if p.movie_id in movies]
    text = group_texts.group_recommendations(
        [name for _, name in members],
        items,
        genre=genre,
        asker_rated=any(telegram_id == asker.id for telegram_id, _ in members),
    )
    entries = [(i, movie.movie_id, movie.title, None) for i, (movie, _) in enumerate(items, 1)]
    return Screen(text, keyboards.recommendations(entries, genre))
