"""Recording, changing, removing and forgetting the ratings of Telegram people."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bot.storage import (
    Counts,
    InvalidRating,
    Storage,
    StorageError,
    UnknownMovie,
    UnknownPerson,
)

ALICE, BOB = 1001, 1002


async def test_a_rating_is_stored_and_read_back(storage: Storage) -> None:
    await storage.record_rating(ALICE, 2, 4.5)

    [rating] = await storage.ratings_of(ALICE)

    assert (rating.movie_id, rating.rating) == (2, 4.5)


async def test_rerating_updates_the_row_in_place(storage: Storage) -> None:
    await storage.record_rating(ALICE, 2, 1.0)
    await storage.record_rating(ALICE, 2, 3.5)

    assert [(r.movie_id, r.rating) for r in await storage.ratings_of(ALICE)] == [(2, 3.5)]
    movie = await storage.movie(2)
    assert movie is not None
    assert (movie.n_ratings, movie.mean_rating) == (4, (5.0 + 4.0 + 4.5 + 3.5) / 4)


async def test_ratings_come_newest_first(storage: Storage) -> None:
    for movie_id in (1, 4, 2):
        await storage.record_rating(ALICE, movie_id, 3.0)

    assert [r.movie_id for r in await storage.ratings_of(ALICE)] == [2, 4, 1]


async def test_someone_who_never_rated_has_no_ratings(storage: Storage) -> None:
    assert await storage.ratings_of(ALICE) == []


@pytest.mark.parametrize(
    "bad", [7, 0.3, 0.0, 5.5, -1, 4.25, math.nan, math.inf, "4", None, True, np.float64(6)]
)
async def test_an_invalid_rating_is_refused_and_changes_nothing(
    storage: Storage, bad: object
) -> None:
    before = await storage.counts()

    with pytest.raises(InvalidRating):
        await storage.record_rating(ALICE, 2, bad)  # type: ignore[arg-type]

    assert await storage.counts() == before


async def test_every_half_star_from_half_to_five_is_accepted(storage: Storage) -> None:
    stars = [s / 2 for s in range(1, 11)]
    for movie_id, value in zip(range(101, 111), stars, strict=True):
        await storage.record_rating(ALICE, movie_id, value)

    assert sorted(r.rating for r in await storage.ratings_of(ALICE)) == stars


async def test_an_unknown_movie_is_refused_and_creates_no_person(storage: Storage) -> None:
    before = await storage.counts()

    with pytest.raises(UnknownMovie, match="999999"):
        await storage.record_rating(ALICE, 999_999, 4.0)

    assert await storage.counts() == before


@pytest.mark.parametrize("bad_id", [0, -5, "1001", 1.5, None])
async def test_a_malformed_telegram_id_is_refused(storage: Storage, bad_id: object) -> None:
    with pytest.raises(StorageError, match="Telegram id"):
        await storage.record_rating(bad_id, 2, 4.0)  # type: ignore[arg-type]


async def test_removing_a_rating_forgets_it_and_its_count(storage: Storage) -> None:
    await storage.record_rating(ALICE, 2, 5.0)

    removed = await storage.remove_rating(ALICE, 2)

    assert removed is True
    assert await storage.ratings_of(ALICE) == []
    movie = await storage.movie(2)
    assert movie is not None and movie.n_ratings == 3


async def test_removing_what_was_never_rated_says_so(storage: Storage) -> None:
    await storage.record_rating(ALICE, 2, 5.0)

    assert await storage.remove_rating(ALICE, 3) is False


async def test_removing_for_an_unknown_person_or_movie_is_refused(storage: Storage) -> None:
    await storage.record_rating(ALICE, 2, 5.0)

    with pytest.raises(UnknownPerson):
        await storage.remove_rating(BOB, 2)
    with pytest.raises(UnknownMovie):
        await storage.remove_rating(ALICE, 999_999)
    assert len(await storage.ratings_of(ALICE)) == 1


async def test_forgetting_a_person_deletes_them_and_only_them(storage: Storage) -> None:
    for movie_id in (1, 2, 3):
        await storage.record_rating(ALICE, movie_id, 4.0)
    await storage.record_rating(BOB, 2, 2.0)
    before = await storage.counts()

    deleted = await storage.forget_person(ALICE)

    assert deleted == 3 + 1  # three ratings and the person
    after = await storage.counts()
    assert (after.telegram_people, after.ratings) == (1, before.ratings - 3)
    assert await storage.ratings_of(ALICE) == []
    assert [(r.movie_id, r.rating) for r in await storage.ratings_of(BOB)] == [(2, 2.0)]


async def test_forgetting_someone_unknown_deletes_nothing(storage: Storage) -> None:
    assert await storage.forget_person(ALICE) == 0


async def test_a_person_id_is_the_user_id_of_the_training_snapshot(storage: Storage) -> None:
    await storage.record_rating(ALICE, 2, 4.0)

    person = await storage.person_id(ALICE)

    snapshot = await storage.training_snapshot()
    assert person is not None
    assert snapshot[snapshot["userId"] == person]["movieId"].tolist() == [2]
    assert await storage.person_id(BOB) is None


async def test_existing_people_are_those_not_forgotten(storage: Storage) -> None:
    await storage.record_rating(ALICE, 2, 4.0)
    await storage.record_rating(BOB, 2, 3.0)
    alice, bob = await storage.person_id(ALICE), await storage.person_id(BOB)
    assert alice is not None and bob is not None
    movielens = int((await storage.training_snapshot())["userId"].min())

    await storage.forget_person(ALICE)

    assert await storage.existing_people([alice, bob, movielens, 10**9]) == {bob, movielens}
    assert await storage.existing_people([]) == set()


async def test_counts_separate_bot_ratings_by_day_week_and_model_run(
    database_url, small_movielens
) -> None:
    clock = FakeClock(1_800_000_000.0)  # 2027-01-15 08:00 UTC
    async with await Storage.connect(database_url, clock=clock) as store:
        await store.import_movielens(small_movielens)
        await store.record_rating(ALICE, 1, 4.0)  # ten days ago
        clock.now += 10 * 86_400
        await store.record_rating(BOB, 1, 4.0)  # three days ago
        clock.now += 3 * 86_400 - 9 * 3600  # 23:00 UTC the day before
        run = await store.start_model_run("schedule")
        await store.finish_model_run(run, status="succeeded")
        await store.record_rating(BOB, 2, 3.0)
        clock.now += 3 * 3600  # 02:00 UTC today
        await store.record_rating(BOB, 3, 3.0)

        counts = await store.counts()

    assert counts == Counts(
        people=3 + 2,
        telegram_people=2,
        ratings=9 + 4,
        bot_ratings=4,
        bot_ratings_today=1,
        active_people_7d=1,
        ratings_since_last_run=2,
    )


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
