"""What a group chat reads: whose copy a message is, and the group's own list.

Assembled from the current language's catalogue (`current().groups`), like bot.chat.texts.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.chat.texts import clip, current, genre_scope, genres, stars
from bot.storage import Movie


def for_person(name: str) -> str:
    """The first line of a person's own copy of a screen in a group (`name` is escaped)."""
    return current().groups.for_person.format(name=name)


def joined_names(people: Sequence[str]) -> str:
    """ "Alice", "Alice and Bob", "Alice, Bob and Carol" (each escaped)."""
    shown = [escape(name) for name in people]
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + current().groups.names_and + shown[-1]


def group_recommendations(
    members: Sequence[str],
    items: Sequence[tuple[Movie, float]],
    *,
    genre: str | None,
    asker_rated: bool,
) -> str:
    """The group's list: `members` are the first names of those it is for, `items` each movie
    with the lowest stars any of them is predicted to give it."""
    say, scope = current().groups, genre_scope(genre)
    if not members:
        return say.nobody_rated
    names = joined_names(members)
    if not items:
        return say.nothing_for_all.format(scope=scope, names=names)
    lines = [say.head.format(names=names, scope=scope), ""]
    for number, (movie, lowest) in enumerate(items, 1):
        title = escape(movie.title)
        lines.append(say.item.format(number=number, title=title, stars=stars(lowest)))
        lines.append(f"    {genres(movie.genres)}")
    if not asker_rated:
        lines.append("\n" + say.asker_unrated)
    lines.append("\n" + say.footer)
    return clip("\n".join(lines))
