"""Screens: what a message shows (text + keyboard) for each view, built from storage and the model.

Commands send a screen as a new message; buttons edit the message they sit on
into another screen. Both go through these functions, so a list looks the same
whichever way it was reached.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from telegram import InlineKeyboardMarkup

from bot.chat import callbacks as cb
from bot.chat import keyboards, texts
from bot.storage import MarkKind, Storage
from bot.training.model_holder import ModelHolder

PAGE_SIZE = 10
POPULAR_SIZE = cb.POPULAR_PAGES * PAGE_SIZE
RECOMMEND_K = 10
SIMILAR_K = 10
HIDING: frozenset[MarkKind] = frozenset({"not_seen", "not_interested"})
"""Marks listed by /hidden; "later" has /watchlist."""
T = TypeVar("T")


@dataclass(frozen=True)
class Screen:
    text: str
    markup: InlineKeyboardMarkup | None = None


class UnknownGenre(ValueError):
    """A genre name the current model does not know; the message is the given name."""


@dataclass(frozen=True)
class Known:
    """What a person has told the bot, by movie id: ratings, and marks on unrated movies."""

    ratings: dict[int, float]
    marks: dict[int, MarkKind]

    def told(self) -> set[int]:
        """Movies rated or marked: never offered again to rate or as a recommendation."""
        return set(self.ratings) | set(self.marks)

    def marked(self, *kinds: MarkKind) -> list[int]:
        return [movie for movie, kind in self.marks.items() if kind in kinds]


async def known(storage: Storage, telegram_id: int) -> Known:
    ratings = {r.movie_id: r.rating for r in await storage.ratings_of(telegram_id)}
    marks = {m.movie_id: m.kind for m in await storage.marks_of(telegram_id)}
    return Known(ratings, marks)


def _page(items: Sequence[T], page: int) -> tuple[int, int, Sequence[T]]:
    """(page, pages, the page's items): a page past the end shows the last one left (removing
    items can empty the page a button points at)."""
    pages = max(1, math.ceil(len(items) / PAGE_SIZE))
    page = min(page, pages - 1)
    return page, pages, items[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]


def _nav(
    view: type[cb.Popular | cb.MyRatings | cb.Watchlist | cb.Hidden], page: int, pages: int
) -> tuple[cb.View | None, cb.View | None]:
    return (view(page - 1) if page > 0 else None, view(page + 1) if page + 1 < pages else None)


async def _predicted(holder: ModelHolder, me: Known, movie_ids: Iterable[int]) -> dict[int, float]:
    """The stars the served model predicts for the person: only from a personal model and
    once they have rated something (otherwise the number would not be about them)."""
    wanted = [m for m in movie_ids if m not in me.ratings]
    if not holder.personal or not me.ratings or not wanted:
        return {}
    stars = await asyncio.to_thread(holder.get().predict_for, me.ratings, wanted)
    return dict(zip(wanted, (float(s) for s in stars), strict=True))


async def popular(
    storage: Storage, telegram_id: int, page: int, genre: str | None = None, *, public: bool = False
) -> Screen:
    """The most-rated movies, of one genre if given (the catalogue's spelling), without those
    the person marked (they told us about them). The list of all genres offers the genres.
    `public` (a group chat): no stars and no count of the person's ratings."""
    me = await known(storage, telegram_id)
    shown = {} if public else me.ratings
    candidates = await storage.popular_movies(POPULAR_SIZE + len(me.marks), genre)
    movies = [m for m in candidates if m.movie_id not in me.marks][:POPULAR_SIZE]
    page, pages, chunk = _page(movies, page)
    start = page * PAGE_SIZE
    entries = [
        (start + i + 1, m.movie_id, m.title, shown.get(m.movie_id)) for i, m in enumerate(chunk)
    ]
    rated = None if public else len(me.ratings)
    if genre is None:
        prev, next_ = _nav(cb.Popular, page, pages)
        footer = [(texts.current().button_rate_by_genre, cb.PickGenreToRate())]
        markup = keyboards.movie_list(entries, cb.Popular(page), prev, next_, footer=footer)
        return Screen(texts.popular(page, pages, rated), markup)
    prev = cb.PopularIn(genre, page - 1) if page > 0 else None
    next_ = cb.PopularIn(genre, page + 1) if page + 1 < pages else None
    footer = [(texts.current().button_other_genres, cb.PickGenreToRate())]
    markup = keyboards.movie_list(entries, cb.PopularIn(genre, page), prev, next_, footer=footer)
    if not movies:
        return Screen(texts.nothing_left_in(genre, rated), markup)
    return Screen(texts.popular_in(genre, page, pages, rated), markup)


def genres_to_rate(holder: ModelHolder, text: str | None = None) -> Screen:
    """The genre picker of "Rate by genre": each genre opens its most-rated movies; `text`
    replaces the question."""
    question = text or texts.current().genres_to_rate
    return Screen(question, keyboards.genres_to_rate(offered_genres(holder)))


async def popular_in(
    storage: Storage,
    holder: ModelHolder,
    telegram_id: int,
    genre: str,
    page: int,
    *,
    public: bool = False,
) -> Screen:
    """One genre's most-rated movies to rate; a genre the model no longer offers (an old or
    forged button) gets the genre picker instead."""
    try:
        name = resolve_genre(genre, holder)
    except UnknownGenre:
        return genres_to_rate(holder, texts.current().unknown_genre_to_rate)
    return await popular(storage, telegram_id, page, name, public=public)


async def my_ratings(storage: Storage, telegram_id: int, page: int) -> Screen:
    ratings = await storage.ratings_of(telegram_id)
    if not ratings:
        return Screen(texts.current().no_ratings)
    page, pages, chunk = _page(ratings, page)
    movies = await storage.movies([r.movie_id for r in chunk])
    start = page * PAGE_SIZE
    entries = [
        (start + i + 1, r.movie_id, movies[r.movie_id].title, r.rating)
        for i, r in enumerate(chunk)
        if r.movie_id in movies
    ]
    prev, next_ = _nav(cb.MyRatings, page, pages)
    markup = keyboards.movie_list(entries, cb.MyRatings(page), prev, next_)
    return Screen(texts.my_ratings(len(ratings), page, pages), markup)


async def marked_list(storage: Storage, telegram_id: int, view: cb.Watchlist | cb.Hidden) -> Screen:
    """/watchlist (marked Later) or /hidden (Not seen, Not interested), newest first."""
    kinds = HIDING if isinstance(view, cb.Hidden) else frozenset({"later"})
    marks = [m for m in await storage.marks_of(telegram_id) if m.kind in kinds]
    if not marks:
        say = texts.current()
        return Screen(say.no_hidden if isinstance(view, cb.Hidden) else say.no_watchlist)
    page, pages, chunk = _page(marks, view.page)
    movies = await storage.movies([m.movie_id for m in chunk])
    start = page * PAGE_SIZE
    entries = [
        (start + i + 1, m.movie_id, movies[m.movie_id].title, None)
        for i, m in enumerate(chunk)
        if m.movie_id in movies
    ]
    kind = type(view)
    prev, next_ = _nav(kind, page, pages)
    markup = keyboards.movie_list(entries, kind(page), prev, next_)
    title = texts.hidden if isinstance(view, cb.Hidden) else texts.watchlist
    return Screen(title(len(marks), page, pages), markup)


async def search(
    storage: Storage,
    holder: ModelHolder,
    telegram_id: int,
    query: str,
    page: int = 0,
    *,
    public: bool = False,
) -> Screen:
    """One page of the titles matching `query` (close ones when few match exactly), how many
    there are, and Prev / Next; a page past the end shows the last one. `public` (a group
    chat): no stars of the person's ratings."""
    query = cb.truncate_query(query)
    if not query:
        return Screen(texts.current().search_usage)
    page = min(max(page, 0), cb.MAX_SEARCH_PAGE)
    found = await storage.search(query, page * PAGE_SIZE, PAGE_SIZE)
    if not found.movies:
        return Screen(texts.no_results(query))
    page = found.offset // PAGE_SIZE
    pages = min(math.ceil(found.total / PAGE_SIZE), cb.MAX_SEARCH_PAGE + 1)
    me = await known(storage, telegram_id)
    predicted = await _predicted(holder, me, [m.movie_id for m in found.movies])
    shown = {} if public else me.ratings
    entries = [
        (found.offset + i, m.movie_id, m.title, shown.get(m.movie_id))
        for i, m in enumerate(found.movies, 1)
    ]
    prev = cb.Search(query, page - 1) if page > 0 else None
    next_ = cb.Search(query, page + 1) if page + 1 < pages else None
    text = texts.search_results(
        query, found.total, found.exact, page, pages, shown=pages * PAGE_SIZE
    )
    markup = keyboards.movie_list(entries, cb.Search(query, page), prev, next_, predicted)
    return Screen(text, markup)


async def card(
    storage: Storage,
    holder: ModelHolder,
    telegram_id: int,
    movie_id: int,
    back: cb.View,
    *,
    public: bool = False,
) -> Screen | None:
    """The rating card, or None when the movie does not exist. `public` (a group chat): it
    does not tell whether or how the person rated the movie."""
    movie = await storage.movie(movie_id)
    if movie is None:
        return None
    me = await known(storage, telegram_id)
    rating = None if public else me.ratings.get(movie_id)
    mark = me.marks.get(movie_id)
    predicted = (await _predicted(holder, me, [movie_id])).get(movie_id)
    return Screen(
        texts.card(movie, rating, mark, predicted), keyboards.card(movie_id, rating, mark, back)
    )


async def similar(
    storage: Storage, holder: ModelHolder, telegram_id: int, movie_id: int
) -> Screen | None:
    """Movies like `movie_id` that the person has not rated or marked; None for no such movie."""
    movie = await storage.movie(movie_id)
    if movie is None:
        return None
    me = await known(storage, telegram_id)
    model = holder.get()
    found = await asyncio.to_thread(model.similar, movie_id, SIMILAR_K, exclude=me.told())
    movies = await storage.movies([m for m, _ in found])
    entries = [(i, m, movies[m].title, None) for i, (m, _) in enumerate(found, 1) if m in movies]
    predicted = await _predicted(holder, me, [m for _, m, _, _ in entries])
    text = texts.similar(movie.title, len(entries)) if entries else texts.current().no_similar
    return Screen(text, keyboards.similar(entries, movie_id, movie.title, predicted))


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
    return Screen(texts.current().genre_picker, keyboards.genres(offered_genres(holder)))


async def recommendations(
    storage: Storage, holder: ModelHolder, telegram_id: int, genre: str | None
) -> Screen:
    """Top-10 unseen movies for the person, optionally in one genre (raises UnknownGenre)."""
    if genre is not None:
        genre = resolve_genre(genre, holder)
    me = await known(storage, telegram_id)
    model = holder.get()
    # Fold-in takes milliseconds, but a thread keeps even a slow model off the event loop.
    result = await asyncio.to_thread(
        model.recommend,
        me.ratings,
        RECOMMEND_K,
        exclude=me.marked("not_seen", "later"),
        dismissed=me.marked("not_interested"),
        genres=[genre] if genre else None,
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
        personal=holder.personal and result.path == "personal",
        rated=len(me.ratings),
        genre=genre,
        ignored=result.ignored_movies,
        weak=result.weak,
    )
    entries = [(i, movie.movie_id, movie.title, None) for i, (movie, _, _) in enumerate(items, 1)]
    return Screen(text, keyboards.recommendations(entries, genre))


async def view(
    storage: Storage,
    holder: ModelHolder,
    telegram_id: int,
    target: cb.View,
    *,
    public: bool = False,
) -> Screen:
    """Render any view a button can point at. `public` (a group chat): nobody's stars or
    counts (the person's own lists are for the private chat: bot.chat.buttons.render)."""
    match target:
        case cb.Popular(page):
            return await popular(storage, telegram_id, page, public=public)
        case cb.PopularIn(genre, page):
            return await popular_in(storage, holder, telegram_id, genre, page, public=public)
        case cb.MyRatings(page):
            return await my_ratings(storage, telegram_id, page)
        case cb.Watchlist() | cb.Hidden():
            return await marked_list(storage, telegram_id, target)
        case cb.Similar(movie_id):
            found = await similar(storage, holder, telegram_id, movie_id)
            return found or Screen(texts.current().no_similar)
        case cb.Recs(genre):
            return await recommendations(storage, holder, telegram_id, genre)
        case cb.Search(query, page):
            return await search(storage, holder, telegram_id, query, page, public=public)
    raise TypeError(f"not a view: {target!r}")
