"""Screens: what a message shows (text + keyboard) for each view, built from storage and the model.

Commands send a screen as a new message; buttons edit the message they sit on
into another screen. Both go through these functions, so a list looks the same
whichever way it was reached.
"""

from __future__ import annotations

import asyncio
import math
import re
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from bot.chat import callbacks as cb
from bot.chat import keyboards, texts
from bot.storage import Storage
from bot.training.model_holder import ModelHolder

PAGE_SIZE = 10
POPULAR_SIZE = cb.POPULAR_PAGES * PAGE_SIZE
RECOMMEND_K = 10
SEARCH_LIMIT = 10


@dataclass(frozen=True)
class Screen:
    text: str
    markup: InlineKeyboardMarkup | None = None


class UnknownGenre(ValueError):
    """A genre name the current model does not know; the message is the given name."""


async def my_ratings_map(storage: Storage, telegram_id: int) -> dict[int, float]:
    return {r.movie_id: r.rating for r in await storage.ratings_of(telegram_id)}


async def popular(storage: Storage, telegram_id: int, page: int) -> Screen:
    movies = await storage.popular_movies(POPULAR_SIZE)
    mine = await my_ratings_map(storage, telegram_id)
    pages = max(1, math.ceil(len(movies) / PAGE_SIZE))
    page = min(page, pages - 1)
    start = page * PAGE_SIZE
    entries = [
        (start + i + 1, m.movie_id, m.title, mine.get(m.movie_id))
        for i, m in enumerate(movies[start : start + PAGE_SIZE])
    ]
    markup = keyboards.movie_list(
        entries,
        cb.Popular(page),
        prev=cb.Popular(page - 1) if page > 0 else None,
        next_=cb.Popular(page + 1) if page + 1 < pages else None,
    )
    return Screen(texts.popular(page, pages, len(mine)), markup)


async def my_ratings(storage: Storage, telegram_id: int, page: int) -> Screen:
    ratings = await storage.ratings_of(telegram_id)
    if not ratings:
        return Screen(texts.NO_RATINGS)
    pages = math.ceil(len(ratings) / PAGE_SIZE)
    # Removing ratings can empty the last page a button points at: show the last one left.
    page = min(page, pages - 1)
    start = page * PAGE_SIZE
    chunk = ratings[start : start + PAGE_SIZE]
    movies = await storage.movies([r.movie_id for r in chunk])
    entries = [
        (start + i + 1, r.movie_id, movies[r.movie_id].title, r.rating)
        for i, r in enumerate(chunk)
        if r.movie_id in movies
    ]
    markup = keyboards.movie_list(
        entries,
        cb.MyRatings(page),
        prev=cb.MyRatings(page - 1) if page > 0 else None,
        next_=cb.MyRatings(page + 1) if page + 1 < pages else None,
    )
    return Screen(texts.my_ratings(len(ratings), page, pages), markup)


async def search(storage: Storage, telegram_id: int, query: str) -> Screen:
    query = cb.truncate_query(query)
    movies = await storage.search_movies(query, SEARCH_LIMIT) if query else []
    if not movies:
        return Screen(texts.no_results(query) if query else texts.SEARCH_USAGE)
    mine = await my_ratings_map(storage, telegram_id)
    entries = [(i, m.movie_id, m.title, mine.get(m.movie_id)) for i, m in enumerate(movies, 1)]
    return Screen(
        texts.search_results(query, len(movies)),
        keyboards.movie_list(entries, cb.Search(query)),
    )


async def card(storage: Storage, telegram_id: int, movie_id: int, back: cb.View) -> Screen | None:
    """The rating card, or None when the movie does not exist."""
    movie = await storage.movie(movie_id)
    if movie is None:
        return None
    mine = await my_ratings_map(storage, telegram_id)
    rating = mine.get(movie_id)
    return Screen(texts.card(movie, rating), keyboards.card(movie_id, rating, back))


def _genre_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def offered_genres(holder: ModelHolder) -> list[str]:
    """Genres a person can pick: those the model knows that fit in callback data."""
    return [g for g in holder.get().genres() if cb.is_genre(g)]


def resolve_genre(given: str, holder: ModelHolder) -> str:
    """The model's spelling of `given` ("sci fi" -> "Sci-Fi"); UnknownGenre otherwise.

    Only offered genres resolve: the list's buttons carry the genre, and one that cannot
    travel in callback data would give buttons that fail (or, past 64 bytes, no list at all).
    """
    key = _genre_key(given)
    for name in offered_genres(holder):
        if _genre_key(name) == key and key:
            return name
    raise UnknownGenre(given)


def genre_picker(holder: ModelHolder) -> Screen:
    return Screen(texts.genre_picker(), keyboards.genres(offered_genres(holder)))


async def recommendations(
    storage: Storage, holder: ModelHolder, telegram_id: int, genre: str | None
) -> Screen:
    """Top-10 unseen movies for the person, optionally in one genre (raises UnknownGenre)."""
    if genre is not None:
        genre = resolve_genre(genre, holder)
    mine = await my_ratings_map(storage, telegram_id)
    model = holder.get()
    personal = holder.personal
    # Fold-in takes milliseconds, but a thread keeps even a slow model off the event loop.
    result = await asyncio.to_thread(
        model.recommend, mine, RECOMMEND_K, genres=[genre] if genre else None
    )
    reasons = [rec.because[0] for rec in result.items if rec.because is not None]
    movies = await storage.movies([rec.movie_id for rec in result.items] + reasons)
    items = [
        (movies[rec.movie_id], rec, movies.get(rec.because[0]) if rec.because else None)
        for rec in result.items
        if rec.movie_id in movies
    ]
    text = texts.recommendations(
        items,
        personal=personal and result.path == "personal",
        rated=len(mine),
        genre=genre,
        ignored=result.ignored_movies,
    )
    entries = [(i, movie.movie_id, movie.title, None) for i, (movie, _, _) in enumerate(items, 1)]
    return Screen(text, keyboards.recommendations(entries, genre))


async def view(storage: Storage, holder: ModelHolder, telegram_id: int, target: cb.View) -> Screen:
    """Render any view a button can point at."""
    match target:
        case cb.Popular(page):
            return await popular(storage, telegram_id, page)
        case cb.MyRatings(page):
            return await my_ratings(storage, telegram_id, page)
        case cb.Recs(genre):
            return await recommendations(storage, holder, telegram_id, genre)
        case cb.Search(query):
            return await search(storage, telegram_id, query)
    raise TypeError(f"not a view: {target!r}")
