"""Storage speed: MovieLens import, committed rating upserts per second, training snapshot.

    python benchmarks/storage.py [--movielens DIR] [--upserts N] [--dir DIR] [--no-postgres]

Prints a Markdown table. Each number is measured on a fresh database: SQLite files in DIR
(default: a temporary folder), synchronous=FULL (what the bot runs) beside NORMAL for
comparison, and a fresh PostgreSQL database on MOVIEBOT_TEST_POSTGRES (default
127.0.0.1:5432; dropped afterwards). The raw fsync rate of the disk is printed too: with FULL
every commit waits for one, so it bounds the sequential upsert rate and explains a slow run
on a busy shared disk. The database size after the import, per rating, sizes a deployment.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.storage import Storage
from bot.storage.connection import Synchronous

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests.support.fleet import database_bytes, database_for  # noqa: E402

DEFAULT_MOVIELENS = Path(
    os.environ.get("MOVIELENS_DIR", REPO_ROOT.parent / "shared" / "datasets" / "ml-latest-small")
)
TARGETS = {"import": "< 5 s", "upserts": ">= 1,000 /s", "snapshot": "< 0.5 s"}


def fsyncs_per_second(folder: Path, n: int = 300) -> float:
    """How many small write+fsync pairs the disk under folder completes per second."""
    path = folder / "fsync.probe"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        start = time.perf_counter()
        for _ in range(n):
            os.write(fd, b"x" * 100)
            os.fsync(fd)
        return n / (time.perf_counter() - start)
    finally:
        os.close(fd)
        path.unlink()


async def timed(action: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await action()
    return time.perf_counter() - start


async def upserts_per_second(store: Storage, n: int, tasks: int) -> float:
    """n ratings by `tasks` concurrent people; each call returns after its COMMIT."""
    movies = (await store.all_movies())["movieId"].tolist()[:500]

    async def person(task: int) -> None:
        for j in range(n // tasks):
            await store.record_rating(1_000_000 + task, movies[j % len(movies)], (j % 10 + 1) / 2)

    seconds = await timed(lambda: asyncio.gather(*(person(t) for t in range(tasks))))
    return (n // tasks) * tasks / seconds


async def measure(database: str, movielens: Path, upserts: int, synchronous: Synchronous) -> dict:
    results: dict[str, float] = {}
    async with await Storage.open(database, synchronous=synchronous) as store:
        results["import"] = await timed(lambda: store.import_movielens(movielens))
        results["rows"] = len(await store.training_snapshot())
        results["bytes_per_rating"] = await database_bytes(database) / results["rows"]
        results["upserts"] = await upserts_per_second(store, upserts, tasks=1)
        results["upserts_50"] = await upserts_per_second(store, upserts * 2, tasks=50)
        snapshots = [await timed(store.training_snapshot) for _ in range(5)]
        results["snapshot"] = statistics.median(snapshots)
        popular = [await timed(lambda: store.popular_movies(50)) for _ in range(20)]
        results["popular"] = statistics.median(popular)
        search = [await timed(lambda: store.search_movies("the matrix")) for _ in range(20)]
        results["search"] = statistics.median(search)
    return results


def table(columns: dict[str, dict], fsyncs: float, upserts: int) -> str:
    rows = [
        ("MovieLens import (ml-latest-small)", "import", "{:.2f} s", TARGETS["import"]),
        (f"upserts, one at a time, own commit ({upserts})", "upserts", "{:,.0f} /s", ">= 1,000 /s"),
        (f"upserts, 50 people at once ({upserts * 2})", "upserts_50", "{:,.0f} /s", ""),
        ("training snapshot (median of 5)", "snapshot", "{:.3f} s", TARGETS["snapshot"]),
        ("popular_movies(50) (median of 20)", "popular", "{:.4f} s", ""),
        ('search_movies("the matrix") (median of 20)', "search", "{:.4f} s", ""),
        ("database size after the import, per rating", "bytes_per_rating", "{:.0f} B", ""),
        ("snapshot rows", "rows", "{:,.0f}", ""),
    ]
    lines = [
        "| measure | " + " | ".join(columns) + " | target |",
        "|---|" + "---|" * (len(columns) + 1),
    ]
    for label, key, fmt, target in rows:
        cells = " | ".join(fmt.format(values[key]) for values in columns.values())
        lines.append(f"| {label} | {cells} | {target} |")
    lines.append(f"| disk: write+fsync pairs | {fsyncs:,.0f} /s |" + " |" * len(columns))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movielens", type=Path, default=DEFAULT_MOVIELENS)
    parser.add_argument("--upserts", type=int, default=2_000)
    parser.add_argument("--dir", type=Path, default=None, help="where the test databases go")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args(argv)
    if not (args.movielens / "ratings.csv").is_file():
        raise SystemExit(f"MovieLens data not found in {args.movielens} (use --movielens)")
    columns: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        fsyncs_before = fsyncs_per_second(folder)
        sqlite_runs: tuple[tuple[Synchronous, str], ...] = (
            ("FULL", "SQLite, synchronous=FULL (bot)"),
            ("NORMAL", "SQLite, NORMAL"),
        )
        for synchronous, name in sqlite_runs:
            database = str(folder / f"{synchronous}.db")
            columns[name] = asyncio.run(
                measure(database, args.movielens, args.upserts, synchronous)
            )
        if not args.no_postgres:
            with database_for("postgresql", folder) as url:
                columns["PostgreSQL"] = asyncio.run(
                    measure(url, args.movielens, args.upserts, "FULL")
                )
        fsyncs = (fsyncs_before + fsyncs_per_second(folder)) / 2
    print(table(columns, fsyncs, args.upserts))


if __name__ == "__main__":
    main()
