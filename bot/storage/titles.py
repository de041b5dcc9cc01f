"""Normalised title text for search: "amelie" finds "Amélie", "the matrix" finds "Matrix, The"."""

from __future__ import annotations

import re
import unicodedata

# Title search works on normalised text: accents stripped (NFKD, combining marks dropped),
# case folded, punctuation turned into spaces; that also removes LIKE/instr special characters.
_YEAR_SUFFIX = re.compile(r"\s*\(\d{4}(?:\s*[-–]\s*\d{4})?\)\s*$")
_TRAILING_ARTICLE = re.compile(
    r"^(?P<name>.+), (?P<article>The|A|An|Les|Le|La|L'|Il|El|Los|Las|Das|Der|Die|Den|Det)$"
)


def normalise(text: str) -> str:
    """Lower-case ASCII-ish words separated by single spaces: "Amélie!" -> "amelie"."""
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in folded).split())


def search_fields(title: str) -> tuple[str, str, str | None]:
    """(search_title, search_name, search_alt) for a MovieLens title.

    MovieLens moves leading articles to the end ("Matrix, The (1999)"); search_alt puts it
    back in front so that "the matrix" is an exact match.
    """
    name = _YEAR_SUFFIX.sub("", title).strip()
    moved = _TRAILING_ARTICLE.match(name)
    alt = f"{moved['article']} {moved['name']}" if moved else None
    return normalise(title), normalise(name), normalise(alt) if alt else None
