"""Every message and button text the person reads, kept apart from the handlers.

Messages are Telegram HTML: anything that came from data (titles, queries) is
escaped here. `clip` keeps a message inside Telegram's 4096-character limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from bot.storage import MarkKind, Movie
from recsys.results import Recommendation, half_stars

MAX_MESSAGE = 4096
MAX_BUTTON_TITLE = 48
RECOMMEND_AFTER = 5

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Welcome and the popular movies"),
    ("popular", "The 50 most-rated movies to rate"),
    ("recommend", "Movies picked for you (add a genre: /recommend comedy)"),
    ("search", "Find a movie by title: /search matrix"),
    ("myratings", "Your ratings: change or remove them"),
    ("watchlist", "Movies you saved for later"),
    ("hidden", "Movies you hid (not seen, not interested): undo from here"),
    ("export", "Your ratings and lists as a CSV file"),
    ("forget", "Delete everything stored about you"),
    ("help", "How this bot works"),
)

WELCOME = (
    "<b>Hi! I recommend movies you haven't seen yet.</b>\n\n"
    "1. Tap a movie you know below and rate it from 0.5 to 5 stars "
    "(or tap <i>Not seen</i>).\n"
    f"2. After {RECOMMEND_AFTER} ratings, send /recommend for your personal top 10.\n"
    "3. Every new rating sharpens the next list.\n\n"
    "/help lists everything I can do."
)

HELP = (
    "<b>How it works</b>\n"
    "Rate movies you have seen; I compare your taste with about a hundred thousand "
    "MovieLens ratings and predict what you would rate the rest.\n\n"
    + "\n".join(f"/{name} — {escape(about)}" for name, about in COMMANDS)
    + "\n\nYou can also just send me part of a title to search for it."
)

# Short answers to button presses (answerCallbackQuery, at most 200 characters).
BUSY_PRESS_AGAIN = "Sorry, I was too busy to act on that in time. Please press again."
BAD_BUTTON = "This button is out of date or not valid. Nothing was changed."
UNKNOWN_MOVIE = "I don't know that movie. Nothing was changed."
NOT_YOURS = "This button belongs to someone else."
NOT_RATED = "You hadn't rated that movie."
NOT_MARKED = "Nothing to undo for that movie."
ALREADY_RATED = "You rated that movie already: remove the rating first."
MARKED = {
    "not_seen": "Hidden: it won't come back in your lists. /hidden to undo.",
    "not_interested": "Got it: I won't recommend it, nor much like it. /hidden to undo.",
    "later": "Saved to your /watchlist.",
}
"""The answer to a Not seen / Not interested / Later press, by mark kind."""
MARK_STATE = {
    "not_seen": "You said you haven't seen it.",
    "not_interested": "You said you're not interested.",
    "later": "It's on your watchlist.",
}
"""What the rating card says about a marked movie."""
UNDONE = {
    "not_seen": "It's back in your lists.",
    "not_interested": "I may recommend it again.",
    "later": "Removed from your watchlist.",
}
UNKNOWN_COMMAND = "I don't know that command. /help lists what I can do."
UNKNOWN_GENRE_BUTTON = "My model doesn't know that genre any more. Nothing was changed."
ERROR = "Sorry, something went wrong on my side. Please try again in a moment."

SEARCH_USAGE = "Send /search and part of a title, for example: <code>/search toy story</code>"
NO_RATINGS = "You haven't rated any movies yet. Send /popular to start."
NO_WATCHLIST = "Your watchlist is empty. Tap <i>Later</i> on a movie to save it here."
NO_HIDDEN = "You haven't hidden any movies."
NO_SIMILAR = "I don't know any movies like that one yet."
FORGET_NOTHING = "I have nothing stored about you."
FORGOTTEN_SHORT = "Deleted."
FORGET_CANCELLED = "Cancelled: nothing was deleted."
OFFER_RECS = (
    f"That's {RECOMMEND_AFTER} ratings: enough for personal recommendations! "
    "Rate more any time to sharpen them."
)

# Senders that are nobody in particular, and messages that are not text. NEEDS_A_PERSON
# also answers button presses, so it stays under Telegram's 200 characters.
NEEDS_A_PERSON = (
    "I can't tell who you are here (an anonymous admin, a channel or a bot), and ratings "
    "belong to one person. Rate movies in a private chat with me."
)
ADMIN_NEEDS_A_PERSON = (
    "Admin commands need to know who you are: send them from your own account, "
    "not anonymously or as a channel."
)
TEXT_ONLY = "I only read text: send me part of a movie title to search for it, or /help."

BUTTON_PREV = "« Prev"
BUTTON_NEXT = "Next »"
BUTTON_BACK = "« Back"
BUTTON_NOT_SEEN = "Not seen"
BUTTON_NOT_INTERESTED = "Not interested"
BUTTON_LATER = "Later"
BUTTON_MORE_LIKE_THIS = "More like this"
BUTTON_REMOVE = "Remove rating"
BUTTON_UNDO = {
    "not_seen": "Undo Not seen",
    "not_interested": "Undo Not interested",
    "later": "Remove from watchlist",
}
BUTTON_SHOW_RECS = "Show my recommendations"
BUTTON_GENRES = "Genres…"
BUTTON_REFRESH = "Refresh"
BUTTON_ALL_GENRES = "All genres"
BUTTON_FORGET_YES = "Yes, delete everything"
BUTTON_FORGET_NO = "Cancel"


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


def rating_button(half_stars: int, current: float | None) -> str:
    value = stars(half_stars / 2)
    return f"{value} ✓" if current is not None and current * 2 == half_stars else value


def rated_counter(count: int | None) -> str:
    """The progress line; None in a group, where nobody's count is shown."""
    if count is None:
        return IN_GROUP_PRIVACY
    if count >= RECOMMEND_AFTER:
        return f"Rated: {count}. Send /recommend for your picks."
    return f"Rated: {count}. Rate {RECOMMEND_AFTER - count} more for personal picks."


def popular(page: int, pages: int, rated: int | None) -> str:
    return (
        f"<b>Popular movies</b> (page {page + 1}/{pages})\n"
        "Tap one you have seen to rate it.\n\n" + rated_counter(rated)
    )


def my_ratings(total: int, page: int, pages: int) -> str:
    return (
        f"<b>Your ratings</b>: {total} (page {page + 1}/{pages})\n"
        "Tap a movie to change or remove its rating."
    )


def _genres(genres: Iterable[str]) -> str:
    names = ", ".join(genres)
    return escape(names) if names else "no genres listed"


def card(
    movie: Movie,
    my_rating: float | None,
    mark: MarkKind | None = None,
    predicted: float | None = None,
) -> str:
    """The rating card: title, year, genres, MovieLens average and count, links to the movie
    on IMDb and TMDb (when known), your rating or mark, and the rating the model predicts
    for you."""
    lines = [f"<b>{escape(movie.title)}</b>"]
    if movie.year is not None and f"({movie.year})" not in movie.title:
        lines.append(f"Year: {movie.year}")
    lines.append(f"Genres: {_genres(movie.genres)}")
    if movie.n_ratings and movie.mean_rating is not None:
        noun = "rating" if movie.n_ratings == 1 else "ratings"
        lines.append(f"MovieLens: ★{movie.mean_rating:.1f} average from {movie.n_ratings} {noun}")
    else:
        lines.append("MovieLens: no ratings yet")
    if links := movie_links(movie):
        lines.append(links)
    if predicted is not None and my_rating is None:
        lines.append(f"I think you'd rate it <b>★{stars(half_stars(predicted))}</b>")
    lines.append("")
    if my_rating is not None:
        lines.append(f"Your rating: <b>★{stars(my_rating)}</b>. Tap another value to change it.")
    elif mark is not None:
        lines.append(f"{MARK_STATE[mark]} Seen it after all? Rate it.")
    else:
        lines.append("How would you rate it?")
    return clip("\n".join(lines))


def saved(title: str, rating: float) -> str:
    return short(f"Saved: {title} ★{stars(rating)}", 190)


def removed(title: str) -> str:
    return short(f"Removed your rating of {title}", 190)


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
    scope = f" in {escape(genre)}" if genre else ""
    if not items:
        return (
            f"I have nothing new to recommend{scope} right now: nothing I think you'd rate "
            "3 stars or more. Rate a few movies you liked, try a genre, or see /popular."
        )
    if personal and rated >= RECOMMEND_AFTER:
        head = f"<b>Picked for you{scope}</b> from your {rated} ratings:"
    elif personal:
        head = (
            f"<b>Picked for you{scope}</b>. With only {rated} rating{'s' if rated != 1 else ''} "
            f"this list is less personal: rate {RECOMMEND_AFTER - rated} more for better picks."
        )
    else:
        head = f"<b>Popular picks{scope}</b>. This list is less personal: " + (
            "rate a few movies first (/popular)."
            if rated == 0
            else "my model is still learning; personal picks come soon."
        )
    if weak:
        head += (
            f"\nNothing{scope} is likely to please you much: these are the best I have, "
            "below 3 stars."
        )
    lines = [head, ""]
    for number, (movie, rec, because) in enumerate(items, 1):
        lines.append(
            f"{number}. <b>{escape(movie.title)}</b> — predicted ★{stars(rec.predicted_rating)}"
        )
        lines.append(f"    {_genres(movie.genres)}")
        # recsys quotes only a movie the person liked (LIKED_RATING) that explains this one
        if because is not None and rec.because is not None:
            lines.append(f"    because you rated {escape(because.title)} {stars(rec.because[1])}")
    if ignored:
        lines.append(
            f"\n{ignored} of your ratings are for movies my model hasn't learned yet; "
            "they count after the next retraining."
        )
    lines.append("\nTap a movie to rate it, or tell me below it: not seen, not interested, later.")
    return clip("\n".join(lines))


def genre_picker() -> str:
    return "Which genre?"


def unknown_genre(given: str, genres: Iterable[str]) -> str:
    example = "\nFor example: <code>/recommend comedy</code>"
    head = f"I don't know the genre “{escape(given)}”. Try one of: "
    # A catalogue with hundreds of genres must not push the message past Telegram's limit;
    # genre names are plain words (no entities), so cutting the list is safe.
    names = _genres(sorted(genres))
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
    where = f" (page {page + 1}/{pages})" if pages > 1 else ""
    quoted = f"“{escape(query)}”"
    if exact is None or exact == count:
        head = f"<b>{count:,} movie{' matches' if count == 1 else 's match'} {quoted}</b>{where}"
    elif exact == 0:
        head = f"No exact match for {quoted}; <b>closest titles</b>{where}:"
    else:
        matches = "movie matches" if exact == 1 else "movies match"
        head = f"<b>{exact} {matches} {quoted}</b>, then close titles{where}:"
    lines = [head, "Tap one to rate it."]
    if shown is not None and shown < count:
        lines.append(f"These are the first {shown:,}: add a word to narrow the search.")
    return "\n".join(lines)


def no_results(query: str) -> str:
    return (
        f"No movie title contains “{escape(query)}”, nor anything close to it. "
        "Try a shorter part of the title, e.g. <code>/search matrix</code>."
    )


def forget_confirm(ratings: int, marks: int = 0) -> str:
    told = f"your {ratings} rating{'s' if ratings != 1 else ''}"
    if marks:
        told += f", the {marks} movie{'s' if marks != 1 else ''} you hid or saved"
    return (
        f"This deletes {told} and everything else I store about you. "
        "It cannot be undone. Are you sure?"
    )


def watchlist(total: int, page: int, pages: int) -> str:
    return (
        f"<b>Your watchlist</b>: {total} (page {page + 1}/{pages})\n"
        "Tap a movie to rate it once you've seen it, or to take it off the list."
    )


def hidden(total: int, page: int, pages: int) -> str:
    return (
        f"<b>Movies you hid</b>: {total} (page {page + 1}/{pages})\n"
        "Tap one to undo: it comes back in your lists and recommendations."
    )


def similar(title: str, count: int) -> str:
    return f"<b>More like {escape(title)}</b>: tap one to rate it."


def forgotten(models: int = 0, cleaned: bool = True) -> str:
    """What /forget did: `models` is how many stored models held the person and were rewritten
    without them; `cleaned` is False when that rewriting failed (the start-up retries it)."""
    if not cleaned:
        return (
            "Your ratings, your hidden and saved movies and everything else in my database "
            "about you are deleted, but I could not check or rewrite every trained model I "
            "keep, so one may still know you: the admin can see why in my log. I try again "
            "at every restart, and no newly trained model will include you. "
            "Send /start to begin again."
        )
    if not models:
        return "Done: everything I stored about you is deleted. Send /start to begin again."
    noun = "model" if models == 1 else "models"
    return (
        "Done: your ratings, your hidden and saved movies and everything else I stored about "
        f"you are deleted, and you are removed from the {models} trained {noun} I keep. "
        "What they learned about the movies themselves from everyone's ratings, yours "
        "included, is relearned without you at the next retraining. Send /start to begin again."
    )


# Storage faults: the database is busy (another process holds its lock) or cannot be written.
# Both answer button presses too, so each stays under Telegram's 200 characters.
DATABASE_BUSY = "I'm busy: that wasn't saved. Please try again in a moment."
CANNOT_SAVE = (
    "I can't save ratings or other changes right now: my database is unavailable. "
    "Nothing was changed. The admin has been told."
)


# Group chats: every message belongs to the person it answered; the group's own list.
NOTHING_NEW = "Nothing new yet: rate a few more movies and refresh again."
PRIVATE_ONLY = (
    "That list is yours alone, so I show it only in our private chat: open it with the "
    "button below."
)
BUTTON_PRIVATE_CHAT = "Open a private chat"
IN_GROUP_PRIVACY = "Your ratings stay private: I never show anyone's stars in a group."


def for_person(name: str) -> str:
    """The first line of a person's own copy of a screen in a group (`name` is escaped)."""
    return f"<b>For {name}</b>"


def joined_names(people: Sequence[str]) -> str:
    """ "Alice", "Alice and Bob", "Alice, Bob and Carol" (each escaped)."""
    shown = [escape(name) for name in people]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def group_recommendations(
    members: Sequence[str],
    items: Sequence[tuple[Movie, float]],
    *,
    genre: str | None,
    asker_rated: bool,
) -> str:
    """The group's list: `members` are the first names of those it is for, `items` each movie
    with the lowest stars any of them is predicted to give it."""
    scope = f" in {escape(genre)}" if genre else ""
    if not members:
        return (
            "Nobody here has rated movies with me yet. Rate a few (/start), then ask again: "
            "I'll pick movies for everyone who has."
        )
    if not items:
        return (
            f"I found nothing{scope} that {joined_names(members)} are all likely to enjoy "
            "(3 stars or more for each of you). Rate a few more movies, or try a genre."
        )
    lines = [
        f"<b>For {joined_names(members)}{scope}</b>: movies none of you has rated or hidden, "
        "ranked by the least happy of you.",
        "",
    ]
    for number, (movie, lowest) in enumerate(items, 1):
        lines.append(f"{number}. <b>{escape(movie.title)}</b> — ★{stars(lowest)} at least")
        lines.append(f"    {_genres(movie.genres)}")
    if not asker_rated:
        lines.append("\nYou haven't rated anything yet: rate a few movies to be counted too.")
    lines.append(
        "\nThe list is for everyone who has rated movies with me and used me in this chat."
    )
    return clip("\n".join(lines))


UNKNOWN_MOVIE_LINK = "That link points to a movie I don't know. Here are popular ones instead."


# Links on the rating card; /export.
EXPORT_NOTHING = "I have nothing stored about you to export. Rate a movie first: /popular"
EXPORT_PRIVATE_ONLY = (
    "Your ratings are yours alone, so I send them only in our private chat: "
    "send /export to me there."
)


def movie_links(movie: Movie) -> str:
    """ "IMDb · TMDb" as HTML links to the movie, those links.csv knows; "" for neither."""
    links = ((movie.imdb_url, "IMDb"), (movie.tmdb_url, "TMDb"))
    return " · ".join(f'<a href="{url}">{site}</a>' for url, site in links if url)


def export_caption(ratings: int, marks: int) -> str:
    """The caption of the /export document."""
    rated = f"{ratings} rating{'s' if ratings != 1 else ''}"
    marked = f"{marks} hidden or saved movie{'s' if marks != 1 else ''}"
    return (
        f"Your {rated} and {marked}: MovieLens columns (movieId, title, rating, timestamp) "
        "plus signal (rating, not_seen, not_interested or later)."
    )


# Rating by genre (onboarding by taste): a genre picker, then that genre's most-rated movies.
BUTTON_RATE_BY_GENRE = "Rate by genre"
BUTTON_OTHER_GENRES = "« Genres"
GENRES_TO_RATE = "Which genre do you like? I'll show its most-rated movies for you to rate."
UNKNOWN_GENRE_TO_RATE = "I don't know that genre any more. Pick another one:"


def popular_in(genre: str, page: int, pages: int, rated: int | None) -> str:
    """The head of one genre's most-rated movies, with the same progress line as /popular."""
    return (
        f"<b>Popular in {escape(genre)}</b> (page {page + 1}/{pages})\n"
        "Tap one you have seen to rate it.\n\n" + rated_counter(rated)
    )


def nothing_left_in(genre: str, rated: int | None) -> str:
    return (
        f"You have rated or hidden every popular movie in {escape(genre)}: "
        "pick another genre.\n\n" + rated_counter(rated)
    )
