"""English: the bot's first language, and the one spoken to anyone whose language it lacks."""

from __future__ import annotations

from bot.chat.locales import (
    ByMark,
    Catalogue,
    Commands,
    OneOther,
    admin,
    groups,
)

CATALOGUE = Catalogue(
    commands=Commands(
        start="Welcome and the popular movies",
        popular="The 50 most-rated movies to rate",
        recommend="Movies picked for you (add a genre: /recommend comedy)",
        search="Find a movie by title: /search matrix",
        myratings="Your ratings: change or remove them",
        watchlist="Movies you saved for later",
        hidden="Movies you hid (not seen, not interested): undo from here",
        export="Your ratings and lists as a CSV file",
        language="Choose the language I speak",
        forget="Delete everything stored about you",
        help="How this bot works",
    ),
    description=(
        "I recommend movies you haven't seen yet.\n\n"
        "Press Start, then rate a few movies you know from the most popular ones (or search by "
        "title). I compare your taste with about a hundred thousand MovieLens ratings and send "
        "you a personal top 10; every new rating sharpens the next list."
    ),
    short_description="Movie recommendations from your ratings: rate a few, get a top 10.",
    welcome=(
        "<b>Hi! I recommend movies you haven't seen yet.</b>\n\n"
        "1. Tap a movie you know below and rate it from 0.5 to 5 stars "
        "(or tap <i>Not seen</i>).\n"
        "2. {after}, send /recommend for your personal top 10.\n"
        "3. Every new rating sharpens the next list.\n\n"
        "/help lists everything I can do."
    ),
    welcome_after=OneOther(
        one="After {n} rating",
        other="After {n} ratings",
    ),
    help_intro=(
        "<b>How it works</b>\n"
        "Rate movies you have seen; I compare your taste with about a hundred thousand "
        "MovieLens ratings and predict what you would rate the rest."
    ),
    help_outro="You can also just send me part of a title to search for it.",
    busy_press_again="Sorry, I was too busy to act on that in time. Please press again.",
    bad_button="This button is out of date or not valid. Nothing was changed.",
    unknown_movie="I don't know that movie. Nothing was changed.",
    not_yours="This button belongs to someone else.",
    not_rated="You hadn't rated that movie.",
    not_marked="Nothing to undo for that movie.",
    already_rated="You rated that movie already: remove the rating first.",
    marked=ByMark(
        not_seen="Hidden: it won't come back in your lists. /hidden to undo.",
        not_interested="Got it: I won't recommend it, nor much like it. /hidden to undo.",
        later="Saved to your /watchlist.",
    ),
    mark_state=ByMark(
        not_seen="You said you haven't seen it.",
        not_interested="You said you're not interested.",
        later="It's on your watchlist.",
    ),
    undone=ByMark(
        not_seen="It's back in your lists.",
        not_interested="I may recommend it again.",
        later="Removed from your watchlist.",
    ),
    unknown_genre_button="My model doesn't know that genre any more. Nothing was changed.",
    nothing_new="Nothing new yet: rate a few more movies and refresh again.",
    forgotten_short="Deleted.",
    saved="Saved: {title} ★{stars}",
    removed="Removed your rating of {title}",
    language_saved="Done: I speak English now.",
    unknown_command="I don't know that command. /help lists what I can do.",
    error="Sorry, something went wrong on my side. Please try again in a moment.",
    search_usage="Send /search and part of a title, for example: <code>/search toy story</code>",
    no_ratings="You haven't rated any movies yet. Send /popular to start.",
    no_watchlist="Your watchlist is empty. Tap <i>Later</i> on a movie to save it here.",
    no_hidden="You haven't hidden any movies.",
    no_similar="I don't know any movies like that one yet.",
    unknown_movie_link=("That link points to a movie I don't know. Here are popular ones instead."),
    forget_nothing="I have nothing stored about you.",
    forget_cancelled="Cancelled: nothing was deleted.",
    forgotten="Done: everything I stored about you is deleted. Send /start to begin again.",
    forgotten_models=OneOther(
        one="Done: your ratings, your hidden and saved movies and everything else I stored "
        "about you are deleted, and you are removed from the {n} trained model I keep. What "
        "it learned about the movies themselves from everyone's ratings, yours included, is "
        "relearned without you at the next retraining. Send /start to begin again.",
        other="Done: your ratings, your hidden and saved movies and everything else I stored "
        "about you are deleted, and you are removed from the {n} trained models I keep. What "
        "they learned about the movies themselves from everyone's ratings, yours included, is "
        "relearned without you at the next retraining. Send /start to begin again.",
    ),
    forgotten_unclean=(
        "Your ratings, your hidden and saved movies and everything else in my database "
        "about you are deleted, but I could not check or rewrite every trained model I "
        "keep, so one may still know you: the admin can see why in my log. I try again "
        "at every restart, and no newly trained model will include you. "
        "Send /start to begin again."
    ),
    export_nothing="I have nothing stored about you to export. Rate a movie first: /popular",
    export_caption=(
        "Your {ratings} and {marks}: MovieLens columns (movieId, title, rating, timestamp) "
        "plus signal (rating, not_seen, not_interested or later)."
    ),
    export_ratings=OneOther(one="{n} rating", other="{n} ratings"),
    export_marks=OneOther(one="{n} hidden or saved movie", other="{n} hidden or saved movies"),
    offer_recs=OneOther(
        one="That's {n} rating: enough for personal recommendations! "
        "Rate more any time to sharpen them.",
        other="That's {n} ratings: enough for personal recommendations! "
        "Rate more any time to sharpen them.",
    ),
    needs_a_person=(
        "I can't tell who you are here (an anonymous admin, a channel or a bot), and ratings "
        "belong to one person. Rate movies in a private chat with me."
    ),
    admin_needs_a_person=(
        "Admin commands need to know who you are: send them from your own account, "
        "not anonymously or as a channel."
    ),
    text_only="I only read text: send me part of a movie title to search for it, or /help.",
    database_busy="I'm busy: that wasn't saved. Please try again in a moment.",
    cannot_save=(
        "I can't save ratings or other changes right now: my database is unavailable. "
        "Nothing was changed. The admin has been told."
    ),
    button_prev="« Prev",
    button_next="Next »",
    button_back="« Back",
    button_back_to="« Back to {title}",
    button_not_seen="Not seen",
    button_not_interested="Not interested",
    button_later="Later",
    button_more_like_this="More like this",
    button_remove="Remove rating",
    button_undo=ByMark(
        not_seen="Undo Not seen",
        not_interested="Undo Not interested",
        later="Remove from watchlist",
    ),
    button_show_recs="Show my recommendations",
    button_genres="Genres…",
    button_refresh="Refresh",
    button_all_genres="All genres",
    button_rate_by_genre="Rate by genre",
    button_other_genres="« Genres",
    button_forget_yes="Yes, delete everything",
    button_forget_no="Cancel",
    rated_enough="Rated: {rated}. Send /recommend for your picks.",
    rated_more=OneOther(
        one="Rated: {rated}. Rate {n} more for personal picks.",
        other="Rated: {rated}. Rate {n} more for personal picks.",
    ),
    popular="<b>Popular movies</b> (page {page}/{pages})\nTap one you have seen to rate it.",
    popular_in=(
        "<b>Popular in {genre}</b> (page {page}/{pages})\nTap one you have seen to rate it."
    ),
    nothing_left_in=(
        "You have rated or hidden every popular movie in {genre}: pick another genre."
    ),
    genres_to_rate="Which genre do you like? I'll show its most-rated movies for you to rate.",
    unknown_genre_to_rate="I don't know that genre any more. Pick another one:",
    my_ratings=(
        "<b>Your ratings</b>: {total} (page {page}/{pages})\n"
        "Tap a movie to change or remove its rating."
    ),
    watchlist=(
        "<b>Your watchlist</b>: {total} (page {page}/{pages})\n"
        "Tap a movie to rate it once you've seen it, or to take it off the list."
    ),
    hidden=(
        "<b>Movies you hid</b>: {total} (page {page}/{pages})\n"
        "Tap one to undo: it comes back in your lists and recommendations."
    ),
    no_genres="no genres listed",
    card_year="Year: {year}",
    card_genres="Genres: {genres}",
    card_average=OneOther(
        one="MovieLens: ★{mean:.1f} average from {n} rating",
        other="MovieLens: ★{mean:.1f} average from {n} ratings",
    ),
    card_no_ratings="MovieLens: no ratings yet",
    card_predicted="I think you'd rate it <b>★{stars}</b>",
    card_your_rating="Your rating: <b>★{stars}</b>. Tap another value to change it.",
    card_marked="{state} Seen it after all? Rate it.",
    card_ask="How would you rate it?",
    recs_scope=" in {genre}",
    recs_none=(
        "I have nothing new to recommend{scope} right now: nothing I think you'd rate "
        "3 stars or more. Rate a few movies you liked, try a genre, or see /popular."
    ),
    recs_personal=OneOther(
        one="<b>Picked for you{scope}</b> from your {n} rating:",
        other="<b>Picked for you{scope}</b> from your {n} ratings:",
    ),
    recs_few=OneOther(
        one="<b>Picked for you{scope}</b>. With only {n} rating this list is less personal: {more}",
        other="<b>Picked for you{scope}</b>. With only {n} ratings this list is less personal: "
        "{more}",
    ),
    recs_few_more=OneOther(
        one="rate {n} more for better picks.", other="rate {n} more for better picks."
    ),
    recs_popular_new=(
        "<b>Popular picks{scope}</b>. This list is less personal: "
        "rate a few movies first (/popular)."
    ),
    recs_popular_learning=(
        "<b>Popular picks{scope}</b>. This list is less personal: "
        "my model is still learning; personal picks come soon."
    ),
    recs_weak="Nothing{scope} is likely to please you much: these are the best I have, "
    "below 3 stars.",
    recs_item="{number}. <b>{title}</b> — predicted ★{stars}",
    recs_because="because you rated {title} {stars}",
    recs_ignored=OneOther(
        one="{n} of your ratings is for a movie my model hasn't learned yet; "
        "it counts after the next retraining.",
        other="{n} of your ratings are for movies my model hasn't learned yet; "
        "they count after the next retraining.",
    ),
    recs_tap="Tap a movie to rate it, or tell me below it: not seen, not interested, later.",
    genre_picker="Which genre?",
    unknown_genre="I don't know the genre “{given}”. Try one of: ",
    unknown_genre_example="For example: <code>/recommend comedy</code>",
    search_count=OneOther(
        one="<b>{n:,} movie matches “{query}”</b>{where}",
        other="<b>{n:,} movies match “{query}”</b>{where}",
    ),
    search_some_exact=OneOther(
        one="<b>{n} movie matches “{query}”</b>, then close titles{where}:",
        other="<b>{n} movies match “{query}”</b>, then close titles{where}:",
    ),
    search_no_exact="No exact match for “{query}”; <b>closest titles</b>{where}:",
    search_page=" (page {page}/{pages})",
    search_tap="Tap one to rate it.",
    search_first="These are the first {shown:,}: add a word to narrow the search.",
    no_results=(
        "No movie title contains “{query}”, nor anything close to it. "
        "Try a shorter part of the title, e.g. <code>/search matrix</code>."
    ),
    similar="<b>More like {title}</b>: tap one to rate it.",
    forget_confirm=(
        "This deletes {what} and everything else I store about you. "
        "It cannot be undone. Are you sure?"
    ),
    forget_ratings=OneOther(one="your {n} rating", other="your {n} ratings"),
    forget_marks=OneOther(
        one=", the {n} movie you hid or saved", other=", the {n} movies you hid or saved"
    ),
    language_prompt="Which language should I speak?",
    groups=groups.EN,
    admin=admin.EN,
)
