"""Title search speed: exact word matches, close titles (typos) and paging, 9.7k and 62k titles.

    python benchmarks/search.py [--movielens DIR] [--repeats N] [--titles N] [--dir DIR]

Prints a Markdown table: for each query, what `Storage.search` found on the real catalogue
(ml-latest-small from MOVIELENS_DIR, default ../shared/datasets/ml-latest-small) and the
median and 95th percentile of N timed calls (the first call, which builds the title index,
is timed apart), on that catalogue and on one of --titles movies (default 62,000, the size
of ml-25m) made by adding perturbed copies of every title: each word of four letters or
more has one letter changed, dropped or doubled with probability 0.3, and the year moves,
so the copies bring new words as a bigger catalogue would. The target is < 50 ms a query.

A second table measures the typo budget (`bot.storage.title_index.allowed_typos`) against
others on the real catalogue: of the 1,000 most-rated titles (their first four words), how
often the movie is among the 10 closest after one typo (letter 2 onwards: changed, dropped,
added or swapped with its neighbour) or two typos in a word of 8 letters or more, and how
often random letters (500 strings of 4 to 8, 300 of 3) find anything at all.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import string
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from bot.storage import Storage
from bot.storage.title_index import TitleIndex, allowed_typos
from bot.storage.titles import search_fields

REPO = Path(__file__).resolve().parents[1]
DEFAULT_MOVIELENS = Path(
    os.environ.get("MOVIELENS_DIR", REPO.parent / "shared" / "datasets" / "ml-latest-small")
)
TARGET_MS = 50.0
QUERIES: list[tuple[str, int]] = [
    ("star wars", 0),
    ("star wars", 1),
    ("godfater", 0),
    ("amelie", 0),
    ("lord rings", 0),
    ("the matrix", 0),
    ("the", 0),
    ("the", 50),
    ("strar wras", 0),
    ("harry poter", 0),
    ("lord of the rigns", 0),
    ("spiderman", 0),
    ("walle", 0),
    ("qwxzzy", 0),
    ("silense of the lambs", 0),
]
"""(query, page) pairs: exact matches, paging, typos, joined words, nothing at all."""
_WORD = re.compile(r"[A-Za-z]{4,}")
_YEAR = re.compile(r"\((\d{4})\)\s*$")


def perturbed_catalogue(source: Path, dest: Path, titles: int, seed: int = 7) -> Path:
    """A MovieLens folder with `titles` movies: the real ones, then perturbed copies."""
    movies = pd.read_csv(source / "movies.csv")
    rng = random.Random(seed)
    rows = [movies]
    next_id = int(movies["movieId"].max()) + 1
    copy = 0
    while sum(len(r) for r in rows) < titles:
        copy += 1
        wanted = min(len(movies), titles - sum(len(r) for r in rows))
        part = movies.head(wanted).copy()
        part["movieId"] = range(next_id, next_id + wanted)
        part["title"] = [_perturb(title, copy, rng) for title in part["title"]]
        next_id += wanted
        rows.append(part)
    dest.mkdir(parents=True, exist_ok=True)
    pd.concat(rows).to_csv(dest / "movies.csv", index=False)
    ratings = pd.read_csv(source / "ratings.csv")
    ratings.to_csv(dest / "ratings.csv", index=False)
    return dest


def _perturb(title: str, copy: int, rng: random.Random) -> str:
    def edit(found: re.Match[str]) -> str:
        word = found[0]
        if rng.random() >= 0.3:
            return word
        at = rng.randrange(1, len(word))
        match rng.randrange(3):
            case 0:
                return word[:at] + rng.choice("aeiourstnl") + word[at + 1 :]
            case 1:
                return word[:at] + word[at + 1 :]
        return word[:at] + word[at] + word[at:]

    title = _YEAR.sub(lambda y: f"({int(y[1]) + copy})", _WORD.sub(edit, title))
    return title


async def timed(store: Storage, query: str, page: int, repeats: int) -> tuple[list[float], str]:
    """Milliseconds of each call of one page of a search, and what the last one found."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        found = await store.search(query, page * 10, 10)
        times.append((time.perf_counter() - start) * 1000)
    kind = "exact" if found.exact == found.total else "close" if not found.exact else "mixed"
    first = found.movies[0].title if found.movies else "-"
    return times, f"{found.total} {kind}: {first}" if found.total else "nothing"


async def measure(database: Path, movielens: Path, repeats: int) -> dict:
    results: dict = {"queries": {}}
    async with await Storage.open(database, synchronous="NORMAL") as store:
        await store.import_movielens(movielens)
        results["movies"] = len(await store.all_movies())
        start = time.perf_counter()
        await store.search("godfater")  # builds the title index
        results["build"] = (time.perf_counter() - start) * 1000
        for query, page in QUERIES:
            results["queries"][query, page] = await timed(store, query, page, repeats)
    return results


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]


def table(real: dict, big: dict, repeats: int) -> str:
    lines = [
        f"| query (page) | found in {real['movies']:,} titles | "
        f"{real['movies']:,}: median / p95 ms | {big['movies']:,}: median / p95 ms | target |",
        "|---|---|---|---|---|",
    ]
    for query, page in QUERIES:
        small_times, found = real["queries"][query, page]
        big_times, _ = big["queries"][query, page]
        cells = [f"{statistics.median(t):.1f} / {p95(t):.1f}" for t in (small_times, big_times)]
        lines.append(f'| "{query}" ({page + 1}) | {found} | {cells[0]} | {cells[1]} | < 50 |')
    lines.append(
        f"| first close-title search (builds the index) | | {real['build']:.0f} | "
        f"{big['build']:.0f} | |"
    )
    lines.append(f"\n{repeats} timed calls per query, after one untimed warm-up of the index.")
    return "\n".join(lines)


def _budget(short: int, one_from: int, two_from: int) -> Callable[[str], int]:
    """A typo budget: `short` typos below `one_from` letters, 1 from there, 2 from `two_from`."""

    def budget(word: str) -> int:
        if any(c.isdigit() for c in word):
            return 0
        return short if len(word) < one_from else 1 if len(word) < two_from else 2

    return budget


BUDGETS: list[tuple[str, Callable[[str], int]]] = [
    ("1 typo from 4 letters, 2 from 8 (allowed_typos)", allowed_typos),
    ("1 from 5, 2 from 9", _budget(0, 5, 9)),
    ("1 from 4, 2 from 6", _budget(0, 4, 6)),
    ("1 from 3, 2 from 8", _budget(0, 3, 8)),
    ("1 from 4, never 2", _budget(0, 4, 10**6)),
]


def _typo(word: str, rng: random.Random) -> str:
    """`word` with one typo at letter 2 or later: changed, dropped, added or swapped."""
    at = rng.randrange(1, len(word))
    letter = rng.choice(string.ascii_lowercase)
    match rng.randrange(4):
        case 0:
            return word[:at] + letter + word[at + 1 :]
        case 1:
            return word[:at] + word[at + 1 :]
        case 2:
            return word[:at] + letter + word[at:]
    at = min(at, len(word) - 2)
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def typo_queries(
    names: list[tuple[int, str]], typos: int, rng: random.Random
) -> list[tuple[int, str]]:
    """(movie, its first four words with `typos` typos in one word long enough)."""
    queries = []
    for movie, name in names:
        words = name.split()[:4]
        longest = 4 if typos == 1 else 8
        fit = [i for i, w in enumerate(words) if len(w) >= longest and w.isalpha()]
        if not fit:
            continue
        at = rng.choice(fit)
        for _ in range(typos):
            words[at] = _typo(words[at], rng)
        queries.append((movie, " ".join(words)))
    return queries


def typo_tolerance(movielens: Path, seed: int = 1) -> str:
    """The second table: what each typo budget finds and lets through."""
    movies = pd.read_csv(movielens / "movies.csv")
    counts = pd.read_csv(movielens / "ratings.csv")["movieId"].value_counts()
    rows = [
        (int(m), search_fields(t)[0], int(counts.get(m, 0)))
        for m, t in zip(movies["movieId"], movies["title"], strict=True)
    ]
    top = sorted(rows, key=lambda r: (-r[2], r[0]))[:1000]
    title_of = dict(zip(movies["movieId"], movies["title"], strict=True))
    names = [(m, search_fields(title_of[m])[1]) for m, _, _ in top]
    rng = random.Random(seed)
    one, two = typo_queries(names, 1, rng), typo_queries(names, 2, rng)
    letters = string.ascii_lowercase
    junk = ["".join(rng.choices(letters, k=rng.randint(4, 8))) for _ in range(500)]
    short = ["".join(rng.choices(letters, k=3)) for _ in range(300)]
    lines = [
        f"| typo budget | 1 typo: found in the 10 closest ({len(one)}) | 2 typos ({len(two)}) "
        f"| random 4-8 letters find something ({len(junk)}) | random 3 letters ({len(short)}) "
        '| "teh" finds |',
        "|---|---|---|---|---|---|",
    ]
    for label, budget in BUDGETS:
        index = TitleIndex(rows, budget=budget)

        def found(pairs: list[tuple[int, str]], index: TitleIndex = index) -> float:
            hits = sum(any(m.movie_id == movie for m in index.closest(q, 10)) for movie, q in pairs)
            return hits / len(pairs)

        def anything(queries: list[str], index: TitleIndex = index) -> float:
            return sum(bool(index.closest(q, 1)) for q in queries) / len(queries)

        teh = len(index.closest("teh", 100_000))
        lines.append(
            f"| {label} | {found(one):.1%} | {found(two):.1%} | {anything(junk):.1%} "
            f"| {anything(short):.1%} | {teh:,} titles |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movielens", type=Path, default=DEFAULT_MOVIELENS)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--titles", type=int, default=62_000)
    parser.add_argument("--dir", type=Path, default=None, help="where the test databases go")
    args = parser.parse_args(argv)
    if not (args.movielens / "movies.csv").is_file():
        raise SystemExit(f"MovieLens data not found in {args.movielens} (use --movielens)")
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        real = asyncio.run(measure(folder / "real.db", args.movielens, args.repeats))
        bigger = perturbed_catalogue(args.movielens, folder / "bigger", args.titles)
        big = asyncio.run(measure(folder / "big.db", bigger, args.repeats))
    print(table(real, big, args.repeats))
    print()
    print(typo_tolerance(args.movielens))


if __name__ == "__main__":
    main()
