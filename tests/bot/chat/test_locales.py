"""The message catalogues: no text missing or mistyped in any language, plurals by CLDR.

Completeness itself is the type checker's job (a Catalogue without a field does not
construct); these check what it cannot see inside the strings.
"""

from __future__ import annotations

import dataclasses
import re
import string
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from bot.chat.language import CATALOGUES, LANGUAGES, Language
from bot.chat.locales import OneFewMany, OneOther, Plural, en

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Texts = dict[str, str | Plural]

SAME_AS_ENGLISH = {("es", "admin.columns.popular")}
"""Texts a translation may write exactly as English does: "popular" is a Spanish word too."""
ANSWERS = {
    "busy_press_again", "bad_button", "unknown_movie", "not_yours", "not_rated", "not_marked",
    "already_rated", "marked.not_seen", "marked.not_interested", "marked.later",
    "undone.not_seen", "undone.not_interested", "undone.later", "unknown_genre_button",
    "nothing_new", "forgotten_short", "saved", "removed", "language_saved", "error",
    "needs_a_person", "database_busy", "cannot_save",
}  # fmt: skip
"""Texts that answer button presses: Telegram takes at most 200 characters there."""
MAX_ANSWER = 200
MAX_COMMAND, MAX_DESCRIPTION, MAX_SHORT_DESCRIPTION = 256, 512, 120
"""Telegram's limits on a command's description and on the bot's (short) description."""
HTML_TAG = re.compile(r"</?(b|i|code|pre)>")


def texts(node: DataclassInstance, path: str = "") -> Iterator[tuple[str, str | Plural]]:
    """Every text of a catalogue as (dotted field path, template or plural)."""
    for field in dataclasses.fields(node):
        value = getattr(node, field.name)
        name = f"{path}{field.name}"
        if isinstance(value, str | OneOther | OneFewMany):
            yield name, value
        else:
            yield from texts(value, name + ".")


def flat(catalogue: DataclassInstance) -> Texts:
    return dict(texts(catalogue))


def forms(text: str | Plural) -> list[str]:
    if isinstance(text, str):
        return [text]
    return [getattr(text, f.name) for f in dataclasses.fields(text)]


def placeholders(template: str) -> set[tuple[str, str]]:
    """(name, format spec) of each placeholder: `{n:,}` -> ("n", ",")."""
    return {(name, spec or "") for _, name, spec, _ in string.Formatter().parse(template) if name}


def tags(template: str) -> list[str]:
    return sorted(m.group(0) for m in HTML_TAG.finditer(template))


ENGLISH = flat(en.CATALOGUE)
TRANSLATIONS = [language for language in LANGUAGES if language != "en"]


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_every_form_keeps_the_placeholders_of_english(language: Language) -> None:
    # The "one" form may leave the count out ("tu valoración" for 1), nothing else.
    wrong = []
    for field, translated in flat(CATALOGUES[language]).items():
        wanted = set().union(*(placeholders(f) for f in forms(ENGLISH[field])))
        for form in forms(translated):
            one = not isinstance(translated, str) and form == translated.one
            optional = {("n", "")} if one else set()
            if placeholders(form) - optional != wanted - optional:
                wrong.append((field, form))
    assert wrong == []


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_every_form_keeps_the_html_tags_of_english(language: Language) -> None:
    wrong = [
        (field, form)
        for field, translated in flat(CATALOGUES[language]).items()
        for form in forms(translated)
        if tags(form) != tags(forms(ENGLISH[field])[-1])
    ]
    assert wrong == []


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_translations_differ_from_english_unless_the_word_is_the_same(language: Language) -> None:
    translated = flat(CATALOGUES[language])
    same = {f for f in ENGLISH if forms(translated[f]) == forms(ENGLISH[f])}
    assert same == {f for lang, f in SAME_AS_ENGLISH if lang == language}


@pytest.mark.parametrize("language", LANGUAGES)
def test_plurals_have_the_forms_of_their_language(language: Language) -> None:
    kind = OneFewMany if language == "ru" else OneOther
    plurals = [v for v in flat(CATALOGUES[language]).values() if not isinstance(v, str)]
    assert plurals and all(isinstance(p, kind) for p in plurals)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_formats(language: Language) -> None:
    # 1 suits every format spec used ({n:,}, {rmse:.4f}); a stray brace would raise here.
    for field, text in flat(CATALOGUES[language]).items():
        for form in forms(text):
            names = {name for name, _ in placeholders(form)}
            assert form.format(**dict.fromkeys(names, 1)), field


@pytest.mark.parametrize("language", LANGUAGES)
def test_answers_to_presses_fit_telegram(language: Language) -> None:
    catalogue = flat(CATALOGUES[language])
    too_long = [f for f in sorted(ANSWERS) if not 0 < len(str(catalogue[f])) <= MAX_ANSWER]
    assert too_long == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_menus_and_descriptions_fit_telegram(language: Language) -> None:
    catalogue = CATALOGUES[language]
    about = [*flat(catalogue.commands).values(), *flat(catalogue.admin.commands).values()]
    assert all(0 < len(str(text)) <= MAX_COMMAND for text in about)
    assert len(catalogue.description) <= MAX_DESCRIPTION
    assert len(catalogue.short_description) <= MAX_SHORT_DESCRIPTION


@pytest.mark.parametrize(
    ("count", "word"),
    [
        *[(1, "фильм"), (2, "фильма"), (4, "фильма"), (5, "фильмов"), (11, "фильмов")],
        *[(12, "фильмов"), (14, "фильмов"), (21, "фильм"), (22, "фильма"), (25, "фильмов")],
        *[(0, "фильмов"), (101, "фильм"), (111, "фильмов"), (1004, "фильма")],
    ],
)
def test_russian_counts_take_one_few_or_many(count: int, word: str) -> None:
    movies = OneFewMany(one="{n} фильм", few="{n} фильма", many="{n} фильмов")
    assert movies.format(count) == f"{count} {word}"


def test_english_and_spanish_counts_take_one_or_other() -> None:
    ratings = OneOther(one="{n} rating", other="{n} ratings")
    assert [ratings.format(n) for n in (0, 1, 2, 21)] == [
        "0 ratings",
        "1 rating",
        "2 ratings",
        "21 ratings",
    ]


def test_a_plural_fills_its_other_placeholders_too() -> None:
    more = OneOther(one="Rated: {rated}. Rate {n} more.", other="Rated: {rated}. Rate {n} more.")
    assert more.format(2, rated=3) == "Rated: 3. Rate 2 more."
