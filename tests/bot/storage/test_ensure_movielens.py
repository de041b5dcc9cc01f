"""Storage.ensure_movielens: the catalogue is imported once, downloaded only when needed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.storage import ImportResult, Storage
from bot.storage import movielens as movielens_module
from tests.support.search_catalogue import SMALL_RATINGS


async def test_a_given_folder_is_imported_once(
    database_url: str, tmp_path: Path, small_movielens: Path
) -> None:
    lines: list[str] = []
    async with await Storage.connect(database_url) as store:
        first = await store.ensure_movielens(small_movielens, tmp_path / "data", lines.append)
        again = await store.ensure_movielens(small_movielens, tmp_path / "data", lines.append)

    assert first is not None
    assert first == ImportResult(imported=True, movies=first.movies, ratings=len(SMALL_RATINGS))
    assert again is None and "import committed" in " ".join(lines)


async def test_without_a_folder_the_dataset_is_downloaded_into_the_data_folder(
    database_url: str, tmp_path: Path, small_movielens: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[Path] = []

    def fake_download(cache_dir: Path, **kwargs: object) -> Path:
        asked.append(Path(cache_dir))
        return Path(shutil.copytree(small_movielens, Path(cache_dir) / "ml-latest-small"))

    monkeypatch.setattr(movielens_module, "download", fake_download)
    async with await Storage.connect(database_url) as store:
        await store.ensure_movielens(None, tmp_path / "data", progress=None)
        await store.ensure_movielens(None, tmp_path / "data", progress=None)  # no 2nd download
        popular = await store.popular_movies(1)

    assert asked == [tmp_path / "data"] and popular
