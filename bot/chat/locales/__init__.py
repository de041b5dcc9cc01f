"""The message catalogue: every text and button label the bot shows, one field per text.

A language is one `Catalogue` instance (bot.chat.locales.en, .ru, .es), so a language that
lacks a text does not type-check. Not to be confused with the movie catalogue
(bot.storage.catalogue).

Fields are `str.format` templates with named placeholders (`{title}`, `{n:,}`); the
assembling code (bot.chat.texts, bot.chat.admin_texts) escapes what came from data before
it goes in. A count-dependent phrase is a `Plural`, written with the forms its language's
CLDR rule needs: English and Spanish `OneOther`, Russian `OneFewMany` (1 фильм, 2 фильма,
5 фильмов, 21 фильм, 11 фильмов). Every language keeps the same placeholders, format specs
and HTML tags as English (tests/bot/chat/test_locales.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage import MarkKind


@dataclass(frozen=True)
class OneOther:
    """A count-dependent phrase in English or Spanish (CLDR: n = 1 is "one", the rest "other").

    Each form is a template that may use `{n}`, the count, and the phrase's other placeholders.
    """

    one: str
    other: str

    def format(self, n: int, **values: object) -> str:
        return (self.one if n == 1 else self.other).format(n=n, **values)


@dataclass(frozen=True)
class OneFewMany:
    """A count-dependent phrase in Russian (CLDR, whole numbers): "one" for 1, 21, 31, ...
    (not 11), "few" for 2-4, 22-24, ... (not 12-14), "many" for 0, 5-20, 25-30, ..."""

    one: str
    few: str
    many: str

    def format(self, n: int, **values: object) -> str:
        units, tens = abs(n) % 10, abs(n) % 100
        if units == 1 and tens != 11:
            form = self.one
        elif 2 <= units <= 4 and not 12 <= tens <= 14:
            form = self.few
        else:
            form = self.many
        return form.format(n=n, **values)


Plural = OneOther | OneFewMany


@dataclass(frozen=True)
class ByMark:
    """One text per mark a person can set on a movie."""

    not_seen: str
    not_interested: str
    later: str

    def of(self, kind: MarkKind) -> str:
        match kind:
            case "not_seen":
                return self.not_seen
            case "not_interested":
                return self.not_interested
            case "later":
                return self.later


@dataclass(frozen=True)
class Commands:
    """The description of each command in Telegram's command menu and in /help."""

    start: str
    popular: str
    recommend: str
    search: str
    myratings: str
    watchlist: str
    hidden: str
    export: str
    language: str
    forget: str
    help: str


@dataclass(frozen=True)
class AdminCommands:
    """The admin commands' descriptions in the admins' own command menus."""

    stats: str
    model: str
    retrain: str
    rollback: str


@dataclass(frozen=True)
class Stages:
    """What a training run is doing, as the live /retrain message says it."""

    starting: str
    snapshot: str
    training: str
    evaluating: str
    saving: str
    loading: str


@dataclass(frozen=True)
class Outcomes:
    """How a training run ended (the head of the /retrain report)."""

    succeeded: str
    rejected: str
    failed: str
    busy: str


@dataclass(frozen=True)
class Columns:
    """Row names of the RMSE / NDCG@10 table (at most 8 characters: the table is aligned)."""

    new: str
    current: str
    popular: str
    model: str
    not_available: str


@dataclass(frozen=True)
class AdminCatalogue:
    """What admins read: /retrain, /model, /rollback, /stats, the scheduled runs, their menu."""

    commands: AdminCommands
    refusal: str
    already_running: str
    started: str
    stopped: str
    no_model: str
    stages: Stages
    outcomes: Outcomes
    columns: Columns
    progress: str
    progress_data: str
    progress_epoch: str
    progress_rmse: str
    report_run: str
    report_serving: str
    model_head: str
    model_unsaved: str
    model_kind: str
    model_data: str
    model_scores: str
    model_val_rmse: str
    model_since: str
    model_schedule: str
    rolled_back_to_older: str
    switched_to_newer: str
    switched_to: str
    rollback_refused: str
    stats_title: str
    stats_people: str
    stats_bot_ratings: str
    stats_active: str
    stats_all: str
    stats_runs: str
    stats_no_runs: str
    stats_caption: str
    scheduled_failed: str


@dataclass(frozen=True)
class GroupCatalogue:
    """Group chats: whose copy a message is, and the group's own list."""

    private_only: str
    button_private_chat: str
    in_group_privacy: str
    for_person: str
    names_and: str
    nobody_rated: str
    nothing_for_all: str
    head: str
    item: str
    asker_unrated: str
    footer: str


@dataclass(frozen=True)
class Catalogue:
    """Every text a person reads, in one language; `groups` and `admin` hold the group chats'
    and the admins' texts. The texts that answer button presses stay within Telegram's 200
    characters for an answer (tests/bot/chat/test_locales.py lists them)."""

    commands: Commands
    description: str
    short_description: str
    welcome: str
    """With `{after}`: `welcome_after` for the ratings it takes to get personal picks."""
    welcome_after: Plural
    help_intro: str
    help_outro: str
    # short answers to presses
    busy_press_again: str
    bad_button: str
    unknown_movie: str
    not_yours: str
    not_rated: str
    not_marked: str
    already_rated: str
    marked: ByMark
    mark_state: ByMark
    undone: ByMark
    unknown_genre_button: str
    nothing_new: str
    forgotten_short: str
    saved: str
    removed: str
    language_saved: str
    # short messages (some also answer presses)
    unknown_command: str
    error: str
    search_usage: str
    no_ratings: str
    no_watchlist: str
    no_hidden: str
    no_similar: str
    unknown_movie_link: str
    offer_recs: Plural
    needs_a_person: str
    admin_needs_a_person: str
    text_only: str
    database_busy: str
    cannot_save: str
    # button labels
    button_prev: str
    button_next: str
    button_back: str
    button_back_to: str
    button_not_seen: str
    button_not_interested: str
    button_later: str
    button_more_like_this: str
    button_remove: str
    button_undo: ByMark
    button_show_recs: str
    button_genres: str
    button_refresh: str
    button_all_genres: str
    button_rate_by_genre: str
    button_other_genres: str
    button_forget_yes: str
    button_forget_no: str
    # lists to rate from, and the rating card
    rated_enough: str
    rated_more: Plural
    popular: str
    popular_in: str
    nothing_left_in: str
    genres_to_rate: str
    unknown_genre_to_rate: str
    my_ratings: str
    watchlist: str
    hidden: str
    no_genres: str
    card_year: str
    card_genres: str
    card_average: Plural
    card_no_ratings: str
    card_predicted: str
    card_your_rating: str
    card_marked: str
    card_ask: str
    # recommendations; `recs_scope` goes into the others' {scope}
    recs_scope: str
    recs_none: str
    recs_personal: Plural
    recs_few: Plural
    recs_few_more: Plural
    recs_popular_new: str
    recs_popular_learning: str
    recs_weak: str
    recs_item: str
    recs_because: str
    recs_ignored: Plural
    recs_tap: str
    genre_picker: str
    unknown_genre: str
    unknown_genre_example: str
    # search (`search_page` goes into the heads' {where}) and similar movies
    search_count: Plural
    search_some_exact: Plural
    search_no_exact: str
    search_page: str
    search_tap: str
    search_first: str
    no_results: str
    similar: str
    # /forget, /export, /language
    forget_confirm: str
    forget_ratings: Plural
    forget_marks: Plural
    forget_nothing: str
    forget_cancelled: str
    forgotten: str
    forgotten_models: Plural
    forgotten_unclean: str
    export_nothing: str
    export_caption: str
    export_ratings: Plural
    export_marks: Plural
    language_prompt: str
    groups: GroupCatalogue
    admin: AdminCatalogue
