"""Killing the process (SIGKILL) loses no committed rating and leaves no half import.

SQLite only: what survives is what SQLite synced to the file (PostgreSQL's server keeps its
own commits whatever happens to a bot process)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.storage import Storage
from tests.bot.storage.child import planned_rating
from tests.support.data import REPO

KILL_AFTER = 300  # ratings acknowledged before the kill


def start_child(*args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.bot.storage.child", *map(str, args)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )


def kill_when(child: subprocess.Popen[str], seen: Callable[[str], bool]) -> list[str]:
    """SIGKILL the child once seen(line) is true; return every line it printed."""
    assert child.stdout is not None
    lines = []
    for line in child.stdout:
        lines.append(line.strip())
        if seen(line):
            child.kill()
            break
    lines += [line.strip() for line in child.stdout]  # what it printed before dying
    child.wait(timeout=30)
    if child.returncode != -9:
        pytest.fail(f"child ended by itself (code {child.returncode}) after {lines[-3:]}")
    return lines


async def test_every_acknowledged_rating_survives_sigkill(
    tmp_path: Path, small_movielens: Path
) -> None:
    path = tmp_path / "bot.db"
    async with await Storage.open(path) as store:
        await store.import_movielens(small_movielens)
        movies = sorted((await store.all_movies())["movieId"].tolist())

    printed = kill_when(start_child("ratings", path), lambda line: int(line) >= KILL_AFTER)

    async with await Storage.open(path) as store:
        missing = []
        for k in map(int, printed):
            telegram_id, movie_id, rating = planned_rating(k, movies)
            stored = [(r.movie_id, r.rating) for r in await store.ratings_of(telegram_id)]
            if stored != [(movie_id, rating)]:
                missing.append(k)
    assert len(printed) > KILL_AFTER
    assert missing == []


@pytest.mark.realdata
async def test_an_import_killed_midway_leaves_nothing_and_reruns_fully(
    tmp_path: Path, real_movielens_dir: Path
) -> None:
    path = tmp_path / "bot.db"

    printed = kill_when(
        start_child("import", path, real_movielens_dir), lambda line: line.startswith("ratings:")
    )

    async with await Storage.open(path) as store:
        left = await store.counts()
        left_movies = len(await store.all_movies())
        result = await store.import_movielens(real_movielens_dir)
    assert any(line.startswith("ratings:") for line in printed)
    assert (left.people, left.ratings, left_movies) == (0, 0, 0)
    assert (result.imported, result.movies, result.ratings) == (True, 9_742, 100_836)
