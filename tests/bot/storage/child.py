"""Child processes for the crash tests: they write and report, and the test kills them.

python -m tests.bot.storage.child ratings DB      record ratings forever, printing "k" after
                                              rating k's commit returned
python -m tests.bot.storage.child import DB DIR   import MovieLens, printing each progress line
"""

from __future__ import annotations

import asyncio
import sys

from bot.storage import Storage


def planned_rating(k: int, movies: list[int]) -> tuple[int, int, float]:
    """Rating k as (telegram_id, movie_id, rating): each k is its own person."""
    return 1 + k, movies[k % len(movies)], (k % 10 + 1) / 2


async def record_forever(path: str) -> None:
    async with await Storage.open(path) as store:
        movies = sorted((await store.all_movies())["movieId"].tolist())
        k = 0
        while True:
            await store.record_rating(*planned_rating(k, movies))
            print(k, flush=True)
            k += 1


async def import_movielens(path: str, folder: str) -> None:
    async with await Storage.open(path) as store:
        await store.import_movielens(folder, progress=lambda line: print(line, flush=True))


if __name__ == "__main__":
    match sys.argv[1:]:
        case ["ratings", path]:
            asyncio.run(record_forever(path))
        case ["import", path, folder]:
            asyncio.run(import_movielens(path, folder))
        case _:
            sys.exit(__doc__)
