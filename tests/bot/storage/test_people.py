"""A person's choices about the bot: the language it speaks to them."""

from __future__ import annotations

from typing import cast

import pytest

from bot.storage import Storage, StorageError

ALICE, BOB = 1001, 1002


async def test_a_language_is_stored_and_replaced(storage: Storage) -> None:
    await storage.set_language(ALICE, "ru")
    await storage.set_language(ALICE, "es")
    assert await storage.language_of(ALICE) == "es"


async def test_someone_who_never_chose_has_no_language(storage: Storage) -> None:
    await storage.record_rating(BOB, 1, 4.0)
    assert await storage.language_of(BOB) is None
    assert await storage.language_of(ALICE) is None  # not even a person yet


async def test_choosing_a_language_keeps_the_ratings(storage: Storage) -> None:
    await storage.record_rating(ALICE, 1, 4.0)
    await storage.set_language(ALICE, "ru")
    assert [(r.movie_id, r.rating) for r in await storage.ratings_of(ALICE)] == [(1, 4.0)]


async def test_forgetting_a_person_forgets_their_language(storage: Storage) -> None:
    await storage.set_language(ALICE, "ru")
    await storage.record_rating(ALICE, 1, 4.0)
    await storage.forget_person(ALICE)
    assert await storage.language_of(ALICE) is None


async def test_forgetting_someone_who_only_chose_a_language(storage: Storage) -> None:
    await storage.set_language(ALICE, "es")
    assert await storage.forget_person(ALICE) > 0
    assert await storage.language_of(ALICE) is None


@pytest.mark.parametrize("code", ["RU", "r", "russian", "ru-RU", "", None, 7])
async def test_only_a_language_code_is_stored(storage: Storage, code: object) -> None:
    with pytest.raises(StorageError):
        await storage.set_language(ALICE, cast(str, code))  # deliberately not always a str
    assert await storage.language_of(ALICE) is None


async def test_the_choice_survives_reopening(storage: Storage, database_url: str) -> None:
    await storage.set_language(ALICE, "ru")
    async with await Storage.connect(database_url) as again:
        assert await again.language_of(ALICE) == "ru"
