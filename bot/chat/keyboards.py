"""Inline keyboards. Each button's callback data comes from `bot.callbacks.encode`.

Telegram allows at most 100 buttons and 8 per row; every keyboard here stays far
below (the largest, the genre picker, has about 20 for MovieLens; a catalogue with more
genres than fit gets the first MAX_BUTTONS - 1 and "All genres").
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.chat import callbacks as cb
from bot.chat import texts

GENRES_PER_ROW = 3
MAX_BUTTONS = 100
RATINGS_PER_ROW = 5


def _button(text: str, callback: cb.Callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=cb.encode(callback))


def movie_list(
    entries: Sequence[tuple[int, int, str, float | None]],
    here: cb.View,
    prev: cb.View | None = None,
    next_: cb.View | None = None,
) -> InlineKeyboardMarkup:
    """One button per movie, "<number>. <title> ★<your rating>", then page buttons.

    `entries` are (number, movie id, title, your rating or None); `here` is the view
    the card's Back and rating buttons return to.
    """
    rows = [
        [_button(texts.movie_button(number, title, rating), cb.OpenCard(movie_id, here))]
        for number, movie_id, title, rating in entries
    ]
    nav = []
    if prev is not None:
        nav.append(_button(texts.BUTTON_PREV, prev))
    if next_ is not None:
        nav.append(_button(texts.BUTTON_NEXT, next_))
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(rows)


def card(movie_id: int, my_rating: float | None, back: cb.View) -> InlineKeyboardMarkup:
    """Rating buttons 0.5..5 (each text starts with its value), then Not seen/Remove and Back."""
    values = [
        _button(texts.rating_button(half, my_rating), cb.Rate(movie_id, half, back))
        for half in range(cb.MIN_HALF_STARS, cb.MAX_HALF_STARS + 1)
    ]
    rows = [values[i : i + RATINGS_PER_ROW] for i in range(0, len(values), RATINGS_PER_ROW)]
    if my_rating is None:
        last = _button(texts.BUTTON_NOT_SEEN, cb.NotSeen(movie_id, back))
    else:
        last = _button(texts.BUTTON_REMOVE, cb.Remove(movie_id, back))
    rows.append([last, _button(texts.BUTTON_BACK, back)])
    return InlineKeyboardMarkup(rows)


def recommendations(
    entries: Sequence[tuple[int, int, str, float | None]], genre: str | None
) -> InlineKeyboardMarkup:
    """Open-card buttons for each recommended movie, then the genre picker and refresh."""
    here = cb.Recs(genre)
    markup = movie_list(entries, here)
    rows = [list(row) for row in markup.inline_keyboard]
    rows.append([_button(texts.BUTTON_GENRES, cb.PickGenre()), _button(texts.BUTTON_REFRESH, here)])
    return InlineKeyboardMarkup(rows)


def genres(names: Sequence[str]) -> InlineKeyboardMarkup:
    buttons = [_button(name, cb.Recs(name)) for name in names[: MAX_BUTTONS - 1]]
    rows = [buttons[i : i + GENRES_PER_ROW] for i in range(0, len(buttons), GENRES_PER_ROW)]
    rows.append([_button(texts.BUTTON_ALL_GENRES, cb.Recs(None))])
    return InlineKeyboardMarkup(rows)


def offer_recommendations() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.BUTTON_SHOW_RECS, cb.Recs(None))]])


def forget(telegram_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(texts.BUTTON_FORGET_YES, cb.Forget(telegram_id, True)),
                _button(texts.BUTTON_FORGET_NO, cb.Forget(telegram_id, False)),
            ]
        ]
    )
