"""Every message and button text the person reads, in the language of the update at hand.

The words live in the catalogues (bot.chat.locales: one per language, chosen per update by
bot.chat.language); this module assembles the messages that need more than one template, once
for every language. A text that needs no assembling is read where it is used, from the
current catalogue: `texts.current().bad_button`. Group chats' texts: bot.chat.group_texts.

Messages are Telegram HTML: anything that came from data (titles, queries) is escaped here.
`clip` keeps a message inside Telegram's 4096-character limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from bot.chat.language import current
from bot.storage import MarkKind, Movie
from recsys.results import Recommendation, half_stars

MAX_MESSAGE = 4096
MAX_BUTTON_TITLE = 48
MAX_ANSWER = 190
"""A press's answer with a title in it is cut to this (Telegram takes 200 characters)."""
RECOMMEND_AFTER = 5


def commands() -> tuple[tuple[str, str], ...]:
    """(name, description) of each person command, in menu order."""
    about = current().commands
    return (
        ("start", about.start),
        ("popular", about.popular),
        ("recommend", about.recommend),
        ("search", about.search),
        ("myratings", about.myratings),
        ("watchlist", about.watchlist),
        ("hidden", about.hidden),
        ("export", about.export),
        ("language", about.language),
        ("forget", about.forget),
        ("help", about.help),
    )


def welcome() -> str:
    say = current()
    return say.welcome.format(after=say.welcome_after.format(RECOMMEND_AFTER))


def help_text() -> str:
    """/help: how the bot works, then every command with its description."""
    say = current()
    listed = "\n".join(f"/{name} — {escape(about)}" for name, about in commands())
    return f"{say.help_intro}\n\n{listed}\n\n{say.help_outro}"


def offer_recs() -> str:
    """Sent once, after the rating that makes RECOMMEND_AFTER."""
    return current().offer_recs.format(RECOMMEND_AFTER)


def stars(rating: float) -> str:
    """`4.5` -> "4.5", `5.0` -> "5": the MovieLens half-star scale as people write it."""
    return f"{rating:g}"


def clip(text: str, limit: int = MAX_MESSAGE) -> str:
    """Cut at a line boundary so an over-long message still sends."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit - 2)
    return text[: cut if cut > 0 else limit - 2] + "\n…"


def short(title: str, limit: int = MAX_BUTTON_TITLE) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def movie_button(
    number: int, title: str, my_rating: float | None, predicted: float | None = None
) -> str:
    """ "12. Matrix, The (1999) ★4.5": the number first, the person's rating last; an unrated
    movie may show the predicted rating instead ("≈4", in half stars)."""
    label = f"{number}. {short(title)}"
    if my_rating is not None:
        return f"{label} ★{stars(my_rating)}"
    return label if predicted is None else f"{label} ≈{stars(half_stars(predicted))}"


def rating_button(half_stars: int, my_rating: float | None) -> str:
    value = stars(half_stars / 2)
    return f"{value} ✓" if my_rating is not None and my_rating * 2 == half_stars else value


def rated_counter(count: int | None) -> str:
    """The progress line; None in a group, where nobody's count is shown."""
    say = current()
    if count is None:
        return say.groups.in_group_privacy
    if count >= RECOMMEND_AFTER:
        return say.rated_enough.format(rated=count)
    return say.rated_more.format(RECOMMEND_AFTER - count, rated=count)


def popular(page: int, pages: int, rated: int | None) -> str:
    head = current().popular.format(page=page + 1, pages=pages)
    return f"{head}\n\n{rated_counter(rated)}"


def popular_in(genre: str, page: int, pages: int, rated: int | None) -> str:
    """The head of one genre's most-rated movies, with the same progress line as /popular."""
    head = current().popular_in.format(genre=escape(genre), page=page + 1, pages=pages)
    return f"{head}\n\n{rated_counter(rated)}"


def nothing_left_in(genre: str, rated: int | None) -> str:
    return f"{current().nothing_left_in.format(genre=escape(genre))}\n\n{rated_counter(rated)}"


def my_ratings(total: int, page: int, pages: int) -> str:
    return current().my_ratings.format(total=total, page=page + 1, pages=pages)


def watchlist(total: int, page: int, pages: int) -> str:
    return current().watchlist.format(total=total, page=page + 1, pages=pages)


def hidden(total: int, page: int, pages: int) -> str:
    return current().hidden.format(total=total, page=page + 1, pages=pages)


def genres(names: Iterable[str]) -> str:
    """ "Action, Sci-Fi" (escaped), or that none are listed."""
    joined = ", ".join(names)
    return escape(joined) if joined else current().no_genres


def card(
    movie: Movie,
    my_rating: float | None,
    mark: MarkKind | None = None,
    predicted: float | None = None,
) -> str:
    """The rating card: title, year, genres, MovieLens average and count, links to the movie
    on IMDb and TMDb (when known), your rating or mark, and the rating the model predicts
    for you."""
    say = current()
    lines = [f"<b>{escape(movie.title)}</b>"]
    if movie.year is not None and f"({movie.year})" not in movie.title:
        lines.append(say.card_year.format(year=movie.year))
    lines.append(say.card_genres.format(genres=genres(movie.genres)))
    if movie.n_ratings and movie.mean_rating is not None:
        lines.append(say.card_average.format(movie.n_ratings, mean=movie.mean_rating))
    else:
        lines.append(say.card_no_ratings)
    if links := movie_links(movie):
        lines.append(links)
    if predicted is not None and my_rating is None:
        lines.append(say.card_predicted.format(stars=stars(half_stars(predicted))))
    lines.append("")
    if my_rating is not None:
        lines.append(say.card_your_rating.format(stars=stars(my_rating)))
    elif mark is not None:
        lines.append(say.card_marked.format(state=say.mark_state.of(mark)))
    else:
        lines.append(say.card_ask)
    return clip("\n".join(lines))


def movie_links(movie: Movie) -> str:
    """ "IMDb · TMDb" as HTML links to the movie, those links.csv knows; "" for neither."""
    links = ((movie.imdb_url, "IMDb"), (movie.tmdb_url, "TMDb"))
    return " · ".join(f'<a href="{url}">{site}</a>' for url, site in links if url)


def saved(title: str, rating: float) -> str:
    return short(current().saved.format(title=title, stars=stars(rating)), MAX_ANSWER)


def removed(title: str) -> str:
    return short(current().removed.format(title=title), MAX_ANSWER)


def genre_scope(genre: str | None) -> str:
    """ " in Comedy" for a list of one genre (the {scope} of the list texts), else ""."""
    return current().recs_scope.format(genre=escape(genre)) if genre else ""


def recommendations(
    items: Sequence[tuple[Movie, Recommendation, Movie | None]],
    *,
    personal: bool,
    rated: int,
    genre: str | None,
    ignored: int,
    weak: bool = False,
) -> str:
    """The top list: `items` are (movie, recommendation, movie the reason points at)."""
    say, scope = current(), genre_scope(genre)
    if not items:
        return say.recs_none.format(scope=scope)
    if personal and rated >= RECOMMEND_AFTER:
        head = say.recs_personal.format(rated, scope=scope)
    elif personal:
        more = say.recs_few_more.format(RECOMMEND_AFTER - rated)
        head = say.recs_few.format(rated, scope=scope, more=more)
    else:
        head = (say.recs_popular_new if rated == 0 else say.recs_popular_learning).format(
            scope=scope
        )
    if weak:
        head += "\n" + say.recs_weak.format(scope=scope)
    lines = [head, ""]
    for number, (movie, rec, because) in enumerate(items, 1):
        title, predicted = escape(movie.title), stars(rec.predicted_rating)
        lines.append(say.recs_item.format(number=number, title=title, stars=predicted))
        lines.append(f"    {genres(movie.genres)}")
        # recsys quotes only a movie the person liked (LIKED_RATING) that explains this one
        if because is not None and rec.because is not None:
            reason = say.recs_because.format(
                title=escape(because.title), stars=stars(rec.because[1])
            )
            lines.append(f"    {reason}")
    if ignored:
        lines.append("\n" + say.recs_ignored.format(ignored))
    lines.append("\n" + say.recs_tap)
    return clip("\n".join(lines))


def unknown_genre(given: str, offered: Iterable[str]) -> str:
    say = current()
    example = "\n" + say.unknown_genre_example
    head = say.unknown_genre.format(given=escape(given))
    # A catalogue with hundreds of genres must not push the message past Telegram's limit;
    # genre names are plain words (no entities), so cutting the list is safe.
    names = genres(sorted(offered))
    room = MAX_MESSAGE - len(head) - len(example) - 2
    if len(names) > room:
        names = names[: max(names.rfind(", ", 0, room - 1), 0)] + "…"
    return f"{head}{names}.{example}"


def search_results(
    query: str,
    count: int,
    exact: int | None = None,
    page: int = 0,
    pages: int = 1,
    shown: int | None = None,
) -> str:
    """The head of a search's list: how many titles match (`exact` of the `count` found hold
    every word; the rest are close, with typos) and the page; `shown` is how many the pages
    reach when that is fewer than `count`."""
    say, quoted = current(), escape(query)
    where = say.search_page.format(page=page + 1, pages=pages) if pages > 1 else ""
    if exact is None or exact == count:
        head = say.search_count.format(count, query=quoted, where=where)
    elif exact == 0:
        head = say.search_no_exact.format(query=quoted, where=where)
    else:
        head = say.search_some_exact.format(exact, query=quoted, where=where)
    lines = [head, say.search_tap]
    if shown is not None and shown < count:
        lines.append(say.search_first.format(shown=shown))
    return "\n".join(lines)


def no_results(query: str) -> str:
    return current().no_results.format(query=escape(query))


def similar(title: str, count: int) -> str:
    return current().similar.format(title=escape(title))


def forget_confirm(ratings: int, marks: int = 0) -> str:
    say = current()
    told = say.forget_ratings.format(ratings)
    if marks:
        told += say.forget_marks.format(marks)
    return say.forget_confirm.format(what=told)


def forgotten(models: int = 0, cleaned: bool = True) -> str:
    """What /forget did: `models` is how many stored models held the person and were rewritten
    without them; `cleaned` is False when that rewriting failed (the start-up retries it)."""
    say = current()
    if not cleaned:
        return say.forgotten_unclean
    return say.forgotten_models.format(models) if models else say.forgotten


def export_caption(ratings: int, marks: int) -> str:
    """The caption of the /export document."""
    say = current()
    told = {"ratings": say.export_ratings.format(ratings), "marks": say.export_marks.format(marks)}
    return say.export_caption.format(**told)
