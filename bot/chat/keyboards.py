"""Inline keyboards. Each button's callback data comes from `bot.chat.callbacks.encode`.

Telegram allows at most 100 buttons and 8 per row; every keyboard here stays below (the
largest, the recommendations, has 42: each movie with its three marks; a catalogue with more
genres than fit gets the first MAX_BUTTONS - 1 and "All genres").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.chat import callbacks as cb
from bot.chat import language, texts
from bot.storage import MarkKind

GENRES_PER_ROW = 3
MAX_BUTTONS = 100
RATINGS_PER_ROW = 5


def _button(text: str, callback: cb.Callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=cb.encode(callback))


Entry = tuple[int, int, str, float | None]
"""A movie in a list: (number, movie id, title, the person's rating or None)."""


def movie_list(
    entries: Sequence[Entry],
    here: cb.View,
    prev: cb.View | None = None,
    next_: cb.View | None = None,
    predicted: Mapping[int, float] | None = None,
    footer: Sequence[tuple[str, cb.Callback]] = (),
) -> InlineKeyboardMarkup:
    """One button per movie, "<number>. <title> ★<your rating>", then page buttons, then the
    `footer` buttons (text, press) in one row.

    `here` is the view the card's Back and rating buttons return to; `predicted` (movie id ->
    stars) labels unrated movies with the rating the model predicts for the person.
    """
    rows = [[_movie_button(entry, here, predicted)] for entry in entries]
    nav = []
    if prev is not None:
        nav.append(_button(texts.current().button_prev, prev))
    if next_ is not None:
        nav.append(_button(texts.current().button_next, next_))
    if nav:
        rows.append(nav)
    if footer:
        rows.append([_button(text, press) for text, press in footer])
    return InlineKeyboardMarkup(rows)


def card(
    movie_id: int, my_rating: float | None, mark: MarkKind | None, back: cb.View
) -> InlineKeyboardMarkup:
    """Rating buttons 0.5..5 (each text starts with its value); then Remove rating, the undo of
    a mark, or the three marks; then More like this and Back."""
    values = [
        _button(texts.rating_button(half, my_rating), cb.Rate(movie_id, half, back))
        for half in range(cb.MIN_HALF_STARS, cb.MAX_HALF_STARS + 1)
    ]
    rows = [values[i : i + RATINGS_PER_ROW] for i in range(0, len(values), RATINGS_PER_ROW)]
    say = texts.current()
    if my_rating is not None:
        rows.append([_button(say.button_remove, cb.Remove(movie_id, back))])
    elif mark is not None:
        rows.append([_button(say.button_undo.of(mark), cb.Undo(movie_id, back))])
    else:
        rows.append(_marks(movie_id, back))
    more = _button(say.button_more_like_this, cb.Similar(movie_id))
    rows.append([more, _button(say.button_back, back)])
    return InlineKeyboardMarkup(rows)


def recommendations(entries: Sequence[Entry], genre: str | None) -> InlineKeyboardMarkup:
    """Each recommended movie (opens its card) with Not seen / Not interested / Later under
    it, then the genre picker and refresh."""
    here = cb.Recs(genre)
    rows = []
    for entry in entries:
        rows.append([_movie_button(entry, here)])
        rows.append(_marks(entry[1], here))
    say = texts.current()
    rows.append([_button(say.button_genres, cb.PickGenre()), _button(say.button_refresh, here)])
    return InlineKeyboardMarkup(rows)


def similar(
    entries: Sequence[Entry], movie_id: int, title: str, predicted: Mapping[int, float]
) -> InlineKeyboardMarkup:
    """The movies like `movie_id` (each opens its card), then Back to that movie's card."""
    here = cb.Similar(movie_id)
    rows = [[_movie_button(entry, here, predicted)] for entry in entries]
    shown = texts.short(title, texts.MAX_BUTTON_TITLE // 2)
    back = texts.current().button_back_to.format(title=shown)
    rows.append([_button(back, cb.OpenCard(movie_id, here))])
    return InlineKeyboardMarkup(rows)


def _movie_button(
    entry: Entry, here: cb.View, predicted: Mapping[int, float] | None = None
) -> InlineKeyboardButton:
    number, movie_id, title, rating = entry
    guess = predicted.get(movie_id) if predicted else None
    return _button(texts.movie_button(number, title, rating, guess), cb.OpenCard(movie_id, here))


def _marks(movie_id: int, back: cb.View) -> list[InlineKeyboardButton]:
    say = texts.current()
    return [
        _button(say.button_not_seen, cb.NotSeen(movie_id, back)),
        _button(say.button_not_interested, cb.NotInterested(movie_id, back)),
        _button(say.button_later, cb.Later(movie_id, back)),
    ]


def genres(names: Sequence[str]) -> InlineKeyboardMarkup:
    buttons = [_button(name, cb.Recs(name)) for name in names[: MAX_BUTTONS - 1]]
    rows = [buttons[i : i + GENRES_PER_ROW] for i in range(0, len(buttons), GENRES_PER_ROW)]
    rows.append([_button(texts.current().button_all_genres, cb.Recs(None))])
    return InlineKeyboardMarkup(rows)


def genres_to_rate(names: Sequence[str]) -> InlineKeyboardMarkup:
    """Each genre (opening its most-rated movies to rate), then Back to the popular list."""
    buttons = [_button(name, cb.PopularIn(name, 0)) for name in names[: MAX_BUTTONS - 1]]
    rows = [buttons[i : i + GENRES_PER_ROW] for i in range(0, len(buttons), GENRES_PER_ROW)]
    rows.append([_button(texts.current().button_back, cb.Popular(0))])
    return InlineKeyboardMarkup(rows)


def offer_recommendations() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.current().button_show_recs, cb.Recs(None))]])


def forget(telegram_id: int) -> InlineKeyboardMarkup:
    say = texts.current()
    return InlineKeyboardMarkup(
        [
            [
                _button(say.button_forget_yes, cb.Forget(telegram_id, True)),
                _button(say.button_forget_no, cb.Forget(telegram_id, False)),
            ]
        ]
    )


def private_chat(bot_username: str) -> InlineKeyboardMarkup:
    """A link that opens the person's private chat with the bot (from a group)."""
    url = f"https://t.me/{bot_username}"
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.current().groups.button_private_chat, url=url)]]
    )


def languages(spoken: language.Language) -> InlineKeyboardMarkup:
    """/language: each language in its own words, the one spoken now ticked."""
    return InlineKeyboardMarkup(
        [
            [
                _button(
                    f"{language.NAMES[code]} ✓" if code == spoken else language.NAMES[code],
                    cb.SetLanguage(code),
                )
                for code in language.LANGUAGES
            ]
        ]
    )
