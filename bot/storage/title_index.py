"""Typo-tolerant title search: an in-memory index of the catalogue's title words (rapidfuzz).

The words of every normalised title (`titles.normalise`, year and alternative titles
included) go into one sorted vocabulary, each with the movies it occurs in; adjacent pairs
of words go into another, so that "spiderman" finds "Spider-Man" and "walle" "WALL·E". A
query word matches a title word with no typo when it starts it (a number only when it is
the whole word: "2" does not start "2003"), or when it is written together like a pair;
otherwise it matches a word or pair that starts with the same letter and is within its
typo budget, counted as optimal string alignment distance (one typo = one letter changed,
dropped, added, or two neighbours swapped: "godfater" -> "godfather" is one, "amelei" ->
"amelie" one). A movie matches when every query word matches one of its words; the typos
are summed over the query's words, and only the movies with the fewest typos found come
back ("the closest titles"), the more rated first, then the lower movie id.

Three cut-offs keep junk out. The budget (`allowed_typos`): none up to 3 letters and for
anything with a digit (a year or a sequel number is right or wrong), 1 from 4 letters, 2
from 8. The first letter must be right, as most search engines assume (and only the
words from that letter are scanned: at 62k titles "godfater" took 28 ms scanning them all,
0.5 ms this way). And only the
fewest typos found: "godfater" gets the four Godfather titles (1 typo), not Tokyo
Godfathers (2). Measured by benchmarks/search.py on ml-latest-small (the 1,000 most-rated
titles' first four words, one typo at letter 2 or later; random letters as junk):

    budget                  1 typo found  2 typos (8+ letters)  random 4-8 letters  3 letters
    this one                96.7%         85.0%                 5.0% find anything  14.3%
    1 from 5, 2 from 9      84.1%         62.1%                 1.4%                14.3%
    1 from 4, 2 from 6      96.7%         98.3%                 7.0%                14.3%
    1 from 3, 2 from 8      99.7%         85.0%                 5.0%                72.7%

(a typo in a 3-letter word, "teh", then lists 2,959 of the 9,742 titles). "qwxzzy",
"zzzz" and "asdfgh" find nothing. Searching takes about a millisecond at 9.7k titles and a
few at 62k (one bisect and one rapidfuzz pass per query word, then numpy over the movies);
building the index reads every title once (0.17 s for 9.7k, 0.65 s for 62k).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.storage.titles import normalise

NO_MATCH = np.uint8(255)
"""A query word's typos against a movie that has no title word close enough."""
MAX_WORDS = 8
"""Query words beyond this many are ignored (as in the exact search)."""


def allowed_typos(word: str) -> int:
    """How many typos a query word may carry and still match a title word."""
    if len(word) <= 3 or any(c.isdigit() for c in word):
        return 0
    return 1 if len(word) <= 7 else 2


@dataclass(frozen=True)
class Match:
    movie_id: int
    typos: int


class TitleIndex:
    """The title words of a catalogue, built once from (movie id, search title, ratings) rows.

    `ratings` is the number of ratings when the index was built: it only decides which of
    many equally close movies make the cut of `search`; callers re-rank the result by the
    current counts.
    """

    def __init__(
        self,
        rows: Iterable[tuple[int, str, int]],
        signature: object = None,
        budget: Callable[[str], int] = allowed_typos,
    ) -> None:
        ids: list[int] = []
        ratings: list[int] = []
        words: dict[str, list[int]] = {}
        pairs: dict[str, list[int]] = {}
        for row, (movie_id, search_title, n_ratings) in enumerate(rows):
            ids.append(int(movie_id))
            ratings.append(int(n_ratings))
            title_words = search_title.split()
            for word in set(title_words):
                words.setdefault(word, []).append(row)
            for pair in _pairs(title_words):
                pairs.setdefault(pair, []).append(row)
        self.signature = signature
        """What the catalogue looked like when built (the caller's business: see catalogue)."""
        self.budget = budget
        """The typos a query word may carry (`allowed_typos`; another only to measure it)."""
        self.movie_ids = np.asarray(ids, dtype=np.int64)
        self.ratings = np.asarray(ratings, dtype=np.int64)
        self.words = _Vocabulary(words)
        self.pairs = _Vocabulary(pairs)

    def __len__(self) -> int:
        return len(self.movie_ids)

    def closest(self, query: str, limit: int, max_typos: int | None = None) -> list[Match]:
        """Up to `limit` of the movies closest to `query`: those with the fewest typos found
        (at most `max_typos`), the more rated first (see the module docstring)."""
        words = normalise(query).split()[:MAX_WORDS]
        if not words or limit <= 0 or not len(self):
            return []
        total = np.zeros(len(self), dtype=np.int16)
        for word in words:
            typos = self._typos(word)
            missing = typos == NO_MATCH
            if missing.all():
                return []
            total += typos
            total[missing] = UNMATCHED
        fewest = int(total.min())
        if fewest >= UNMATCHED or (max_typos is not None and fewest > max_typos):
            return []
        found = np.flatnonzero(total == fewest)
        order = np.lexsort((self.movie_ids[found], -self.ratings[found]))
        return [Match(int(self.movie_ids[i]), fewest) for i in found[order[:limit]]]

    def _typos(self, word: str) -> np.ndarray:
        """Per movie, the fewest typos between `word` and one of its title words (or pairs)."""
        typos = np.full(len(self), NO_MATCH, dtype=np.uint8)
        budget = self.budget(word)
        if budget:
            close = [*self.words.close(word, budget), *self.pairs.close(word, budget)]
            for distance in range(budget, 0, -1):  # the fewest typos, written last, win
                rows = [movies for d, movies in close if d == distance]
                if rows:
                    typos[np.concatenate(rows)] = distance
        typos[self.pairs.movies(*self.pairs.exact(word))] = 0
        # A number is a whole word: "2" is not the start of "2003".
        whole = any(c.isdigit() for c in word)
        typos[self.words.movies(*(self.words.exact if whole else self.words.prefixed)(word))] = 0
        return typos


UNMATCHED = np.int16(np.iinfo(np.int16).max // 2)
"""The summed typos of a movie that some query word did not match (above any real sum)."""


class _Vocabulary:
    """Sorted distinct words, each with the rows of the movies it occurs in."""

    def __init__(self, rows_of: dict[str, list[int]]) -> None:
        self.entries = sorted(rows_of)
        postings = [np.asarray(rows_of[word], dtype=np.int32) for word in self.entries]
        # CSR: the movies of entries[j] are rows[offsets[j]:offsets[j + 1]], so the words
        # sharing a prefix (one contiguous range of the sorted entries) are one slice.
        sizes = np.fromiter((len(p) for p in postings), dtype=np.int64, count=len(postings))
        self.offsets = np.concatenate(([0], np.cumsum(sizes)))
        self.rows = np.concatenate(postings) if postings else np.zeros(0, dtype=np.int32)

    def __len__(self) -> int:
        return len(self.entries)

    def movies(self, first: int, last: int) -> np.ndarray:
        """The rows of the movies of entries[first:last] (repeats possible)."""
        return self.rows[self.offsets[first] : self.offsets[last]]

    def prefixed(self, prefix: str) -> tuple[int, int]:
        """The range of entries that start with `prefix`."""
        first = bisect.bisect_left(self.entries, prefix)
        return first, bisect.bisect_left(self.entries, prefix + "\U0010ffff", lo=first)

    def exact(self, word: str) -> tuple[int, int]:
        """The range holding `word` (empty when absent)."""
        first = bisect.bisect_left(self.entries, word)
        found = first < len(self.entries) and self.entries[first] == word
        return first, first + found

    def close(self, word: str, budget: int) -> list[tuple[int, np.ndarray]]:
        """(typos, movie rows) of each entry 1 to `budget` typos away from `word` that starts
        with the same letter."""
        first, last = self.prefixed(word[0])
        hits = process.extract(
            word, self.entries[first:last], scorer=OSA.distance, score_cutoff=budget, limit=None
        )
        return [(int(d), self.movies(first + j, first + j + 1)) for _, d, j in hits if d > 0]


def _pairs(words: list[str]) -> set[str]:
    """Neighbouring words written together ("spider man" -> "spiderman"), without digits."""
    return {a + b for a, b in itertools.pairwise(words) if (a + b).isalpha()}
