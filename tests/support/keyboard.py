"""Typed reading of the bot's inline keyboards and callback data, for the tests.

python-telegram-bot types a button's callback data as any object (it supports arbitrary
callback data) and a message's markup as optional; the bot only ever sends string data, so
these helpers say so once, with an assert, instead of at every use.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.chat import callbacks as cb

MovieCallback = cb.OpenCard | cb.Rate | cb.OnMovie
"""The callbacks about one movie (they carry `movie_id`)."""


def rows(markup: InlineKeyboardMarkup | None) -> tuple[tuple[InlineKeyboardButton, ...], ...]:
    """The rows of buttons of a markup that must be there."""
    assert markup is not None, "expected an inline keyboard"
    return markup.inline_keyboard


def data(button: InlineKeyboardButton) -> str:
    """A button's callback data, which the bot always sends as a string."""
    assert isinstance(button.callback_data, str), f"not string data: {button.callback_data!r}"
    return button.callback_data


def parsed(button: InlineKeyboardButton) -> cb.Callback:
    """A button's callback data, read with the bot's own parser."""
    return cb.parse(data(button))


def movie_id(callback: cb.Callback) -> int:
    """The movie a callback is about; it must be one about a movie."""
    assert isinstance(callback, MovieCallback), f"not about a movie: {callback!r}"
    return callback.movie_id
