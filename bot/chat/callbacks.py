"""The callback-data format of every inline button, encoded and parsed strictly.

Callback data comes back from the client untrusted, so parsing accepts exactly
what `encode` produces and raises `BadCallback` for anything else: not a string,
lone surrogates (what JSON can carry but UTF-8 cannot), control characters, digits
other than ASCII 0-9. `encode` parses what it made before handing it out, so no
button carries data that its own press would refuse.

Grammar (version 1, at most 64 bytes of UTF-8):

    v1|<view>                              show a view
    v1|m|<movie>|<view>                    open a movie's rating card
    v1|r|<movie>|<half-stars 1..10>|<view> rate (half-stars = 2 x rating)
    v1|n|<movie>|<view>                    not seen: hide it, back to the view
    v1|i|<movie>|<view>                    not interested: never recommend it
    v1|l|<movie>|<view>                    later: put it on the watchlist
    v1|u|<movie>|<view>                    undo my mark (not seen, not interested, later)
    v1|x|<movie>|<view>                    remove my rating
    v1|g                                   open the genre picker (for recommendations)
    v1|G                                   open the genre picker to rate by genre
    v1|f|<telegram id>|<1 or 0>            confirm / cancel /forget (bound to the person)
    v1|L|<language>                        speak <language> from now on (en, ru, es: /language)

    <view> = p<page>     popular list page (0-based)
           | P<page><genre>  popular list of one genre, page (0-based): "P0Animation"
           | y<page>     my ratings page (0-based)
           | w<page>     my watchlist page (0-based)
           | h<page>     movies I hid (not seen, not interested) page (0-based)
           | k<movie>    movies like <movie> ("More like this")
           | R[<genre>]  recommendations, optionally for one genre
           | s<query>    search results for <query>, first page
           | S<page>|<query>  search results for <query>, page 1..99 (0 is `s<query>`)

The view comes last because a search query may contain any character, "|" included.
The longest data, `v1|r|<9 digits>|10|S99|` and a 40-byte query, takes 62 bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.chat.language import Language
from bot.chat.language import parse as parse_language
from recsys.results import MAX_RATING, MIN_RATING

VERSION = "v1"
MAX_BYTES = 64
MAX_QUERY_BYTES = 40
POPULAR_PAGES = 5
"""Pages of the popular list, of all genres or one."""
MAX_PAGE = 999
MAX_SEARCH_PAGE = 99
"""The last search page a button can point at (two digits keep the data within 64 bytes)."""
MAX_MOVIE_ID = 10**9 - 1
"""The largest id `_INT` (nine digits) can carry."""
MIN_HALF_STARS, MAX_HALF_STARS = round(MIN_RATING * 2), round(MAX_RATING * 2)

_INT = r"(0|[1-9][0-9]{0,8})"
_GENRE = re.compile(r"[A-Za-z][A-Za-z\- ]{0,29}")
_POPULAR_IN = re.compile(rf"{_INT}({_GENRE.pattern})")
_SIGNED_ID = re.compile(r"-?[1-9][0-9]{0,19}")


class BadCallback(ValueError):
    """Callback data that this version of the bot never produced."""


@dataclass(frozen=True)
class Popular:
    page: int


@dataclass(frozen=True)
class PopularIn:
    """The most-rated movies of one genre, to rate (onboarding by taste)."""

    genre: str
    page: int


@dataclass(frozen=True)
class MyRatings:
    page: int


@dataclass(frozen=True)
class Watchlist:
    page: int


@dataclass(frozen=True)
class Hidden:
    page: int


@dataclass(frozen=True)
class Similar:
    movie_id: int


@dataclass(frozen=True)
class Recs:
    genre: str | None = None


@dataclass(frozen=True)
class Search:
    query: str
    page: int = 0


View = Popular | PopularIn | MyRatings | Watchlist | Hidden | Similar | Recs | Search


@dataclass(frozen=True)
class OpenCard:
    movie_id: int
    back: View


@dataclass(frozen=True)
class Rate:
    movie_id: int
    half_stars: int
    back: View

    @property
    def rating(self) -> float:
        return self.half_stars / 2


@dataclass(frozen=True)
class OnMovie:
    """A press about one movie that then shows `back` again."""

    movie_id: int
    back: View


class NotSeen(OnMovie):
    pass


class NotInterested(OnMovie):
    pass


class Later(OnMovie):
    pass


class Undo(OnMovie):
    pass


class Remove(OnMovie):
    pass


@dataclass(frozen=True)
class PickGenre:
    pass


@dataclass(frozen=True)
class PickGenreToRate:
    pass


@dataclass(frozen=True)
class Forget:
    telegram_id: int
    confirmed: bool


@dataclass(frozen=True)
class SetLanguage:
    language: Language


Mark = NotSeen | NotInterested | Later
"""What a person can say about a movie besides rating it."""
Action = OpenCard | Rate | Mark | Undo | Remove | PickGenre | PickGenreToRate | Forget | SetLanguage
Callback = View | Action


def is_genre(name: str) -> bool:
    """Whether a genre name can travel in callback data ("(no genres listed)" cannot)."""
    return bool(_GENRE.fullmatch(name))


def truncate_query(query: str, limit: int = MAX_QUERY_BYTES) -> str:
    """Cut a search query to `limit` UTF-8 bytes without splitting a character.

    Invisible characters (zero-width spaces and joiners, direction marks, soft hyphens,
    code points newer than Python's Unicode tables) become spaces: `parse` refuses them in
    a query, and title search ignores them anyway, so keeping them only kills the buttons.
    """
    query = " ".join("".join(c if c.isprintable() else " " for c in query).split())
    return query.encode()[:limit].decode(errors="ignore").rstrip()


def encode_view(view: View) -> str:
    match view:
        case Popular(page):
            return f"p{page}"
        case PopularIn(genre, page):
            return f"P{page}{genre}"
        case MyRatings(page):
            return f"y{page}"
        case Watchlist(page):
            return f"w{page}"
        case Hidden(page):
            return f"h{page}"
        case Similar(movie_id):
            return f"k{movie_id}"
        case Recs(genre):
            return f"R{genre or ''}"
        case Search(query, 0):
            return f"s{truncate_query(query)}"
        case Search(query, page):
            return f"S{page}|{truncate_query(query)}"
    raise TypeError(f"not a view: {view!r}")


def encode(callback: Callback) -> str:
    """The callback_data string for `callback`; raises ValueError past 64 bytes or for
    values `parse` would refuse (a page or movie id out of range, an empty search)."""
    match callback:
        case OpenCard(movie_id, back):
            data = f"m|{movie_id}|{encode_view(back)}"
        case Rate(movie_id, half_stars, back):
            data = f"r|{movie_id}|{half_stars}|{encode_view(back)}"
        case NotSeen(movie_id, back):
            data = f"n|{movie_id}|{encode_view(back)}"
        case NotInterested(movie_id, back):
            data = f"i|{movie_id}|{encode_view(back)}"
        case Later(movie_id, back):
            data = f"l|{movie_id}|{encode_view(back)}"
        case Undo(movie_id, back):
            data = f"u|{movie_id}|{encode_view(back)}"
        case Remove(movie_id, back):
            data = f"x|{movie_id}|{encode_view(back)}"
        case PickGenre():
            data = "g"
        case PickGenreToRate():
            data = "G"
        case Forget(telegram_id, confirmed):
            data = f"f|{telegram_id}|{int(confirmed)}"
        case SetLanguage(language):
            data = f"L|{language}"
        case _:
            data = encode_view(callback)
    data = f"{VERSION}|{data}"
    if len(data.encode(errors="surrogatepass")) > MAX_BYTES:
        raise ValueError(f"callback data longer than {MAX_BYTES} bytes: {data!r}")
    try:
        parse(data)
    except BadCallback as err:
        raise ValueError(f"{callback!r} makes callback data that parse refuses: {err}") from err
    return data


_MOVIE_ACTIONS: dict[str, type[OpenCard | Mark | Undo | Remove]] = {
    "m|": OpenCard,
    "n|": NotSeen,
    "i|": NotInterested,
    "l|": Later,
    "u|": Undo,
    "x|": Remove,
}
"""Actions on one movie, `v1|<code>|<movie>|<view>`, by their code."""


def _int(text: str, low: int, high: int) -> int:
    if not re.fullmatch(_INT, text):
        raise BadCallback("not a number")
    value = int(text)
    if not low <= value <= high:
        raise BadCallback("out of range")
    return value


def parse_view(text: str) -> View:
    kind, rest = text[:1], text[1:]
    if kind == "p":
        return Popular(_int(rest, 0, POPULAR_PAGES - 1))
    if kind == "P":
        # One digit (POPULAR_PAGES pages) then the genre, which starts with a letter.
        found = _POPULAR_IN.fullmatch(rest)
        if not found:
            raise BadCallback("bad genre page")
        return PopularIn(found[2], _int(found[1], 0, POPULAR_PAGES - 1))
    if kind == "y":
        return MyRatings(_int(rest, 0, MAX_PAGE))
    if kind == "w":
        return Watchlist(_int(rest, 0, MAX_PAGE))
    if kind == "h":
        return Hidden(_int(rest, 0, MAX_PAGE))
    if kind == "k":
        return Similar(_int(rest, 1, MAX_MOVIE_ID))
    if kind == "R":
        if rest == "":
            return Recs(None)
        if not _GENRE.fullmatch(rest):
            raise BadCallback("bad genre")
        return Recs(rest)
    if kind == "s":
        return Search(_query(rest))
    if kind == "S":
        page, bar, query = rest.partition("|")
        if not bar:
            raise BadCallback("bad search page")
        return Search(_query(query), _int(page, 1, MAX_SEARCH_PAGE))
    raise BadCallback("unknown view")


def _query(text: str) -> str:
    """Only the form truncate_query gives: printable, spaces collapsed, 40 bytes at most."""
    if not text or not text.isprintable() or truncate_query(text) != text:
        raise BadCallback("bad query")
    return text


def parse(data: str | None) -> Callback:
    """Parse callback data produced by `encode`; raises BadCallback otherwise."""
    if not isinstance(data, str) or not data or len(data) > MAX_BYTES:
        raise BadCallback("empty or too long")
    try:
        size = len(data.encode())
    except UnicodeEncodeError:
        raise BadCallback("not UTF-8 (a lone surrogate)") from None
    if size > MAX_BYTES:
        raise BadCallback("empty or too long")
    version, _, body = data.partition("|")
    if version != VERSION:
        raise BadCallback("unknown version")
    kind = body[:2]
    if kind in _MOVIE_ACTIONS:
        parts = body.split("|", 2)
        if len(parts) != 3:
            raise BadCallback("missing fields")
        movie_id, back = _int(parts[1], 1, MAX_MOVIE_ID), parse_view(parts[2])
        return _MOVIE_ACTIONS[kind](movie_id, back)
    if kind == "r|":
        parts = body.split("|", 3)
        if len(parts) != 4:
            raise BadCallback("missing fields")
        half_stars = _int(parts[2], MIN_HALF_STARS, MAX_HALF_STARS)
        return Rate(_int(parts[1], 1, MAX_MOVIE_ID), half_stars, parse_view(parts[3]))
    if body == "g":
        return PickGenre()
    if body == "G":
        return PickGenreToRate()
    if kind == "f|":
        parts = body.split("|")
        if len(parts) != 3 or not _SIGNED_ID.fullmatch(parts[1]) or parts[2] not in ("0", "1"):
            raise BadCallback("bad forget")
        return Forget(int(parts[1]), parts[2] == "1")
    if kind == "L|":
        language = parse_language(body[2:])
        if language is None:
            raise BadCallback("unknown language")
        return SetLanguage(language)
    return parse_view(body)
