"""Marks: not seen, not interested and later, one per person and movie."""

from __future__ import annotations

import pytest

from bot.storage import AlreadyRated, Storage, StorageError, UnknownMovie

ALICE, BOB = 1001, 1002


async def test_a_mark_is_stored_replaced_and_removed(storage: Storage) -> None:
    await storage.mark(ALICE, 2, "later")
    await storage.mark(ALICE, 3, "not_seen")
    await storage.mark(ALICE, 2, "not_interested")

    marks = await storage.marks_of(ALICE)
    assert {(m.movie_id, m.kind) for m in marks} == {(2, "not_interested"), (3, "not_seen")}
    assert await storage.unmark(ALICE, 2) == "not_interested"
    assert await storage.unmark(ALICE, 2) is None
    assert [(m.movie_id, m.kind) for m in await storage.marks_of(ALICE)] == [(3, "not_seen")]


async def test_marks_belong_to_one_person(storage: Storage) -> None:
    await storage.mark(ALICE, 2, "later")
    assert await storage.marks_of(BOB) == []
    assert await storage.unmark(BOB, 2) is None
    assert len(await storage.marks_of(ALICE)) == 1


async def test_rating_a_movie_removes_its_mark(storage: Storage) -> None:
    await storage.mark(ALICE, 2, "later")
    await storage.record_rating(ALICE, 2, 4.0)
    assert await storage.marks_of(ALICE) == []


async def test_a_rated_movie_cannot_be_marked_and_keeps_its_rating(storage: Storage) -> None:
    await storage.record_rating(ALICE, 2, 4.0)
    with pytest.raises(AlreadyRated):
        await storage.mark(ALICE, 2, "not_seen")
    assert [(r.movie_id, r.rating) for r in await storage.ratings_of(ALICE)] == [(2, 4.0)]
    assert await storage.marks_of(ALICE) == []


async def test_bad_marks_change_nothing(storage: Storage) -> None:
    with pytest.raises(UnknownMovie):
        await storage.mark(ALICE, 999_999, "later")
    with pytest.raises(StorageError):
        await storage.mark(ALICE, 2, "loved")  # type: ignore[arg-type]
    with pytest.raises(StorageError):
        await storage.mark(-5, 2, "later")
    assert await storage.marks_of(ALICE) == []


async def test_forgetting_a_person_deletes_their_marks(storage: Storage) -> None:
    await storage.mark(ALICE, 2, "later")  # a person who only ever marked is a person too
    assert await storage.forget_person(ALICE) == 2  # the mark and the person
    assert await storage.marks_of(ALICE) == []
    await storage.mark(ALICE, 3, "not_seen")
    assert [m.movie_id for m in await storage.marks_of(ALICE)] == [3]
