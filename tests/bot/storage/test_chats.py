"""Group chats in storage: members who rated, message owners, and /forget removing both."""

from __future__ import annotations

from bot.storage import Storage

GROUP = -100200
ALICE, BOB, CAROL = 11, 12, 13


async def first_movie(storage: Storage) -> int:
    return (await storage.popular_movies(1))[0].movie_id


async def test_the_groups_rating_members_are_those_who_used_it_here_and_rated(
    storage: Storage,
) -> None:
    movie = await first_movie(storage)
    await storage.note_member(GROUP, ALICE, "Alice")
    await storage.note_member(GROUP, BOB, "Bob")  # used the bot here, never rated
    await storage.note_member(-999, CAROL, "Carol")  # rated, but in another group
    for person in (ALICE, CAROL):
        await storage.record_rating(person, movie, 4.0)

    assert await storage.rating_members(GROUP) == [(ALICE, "Alice")]


async def test_a_new_first_name_replaces_the_old_one(storage: Storage) -> None:
    await storage.record_rating(ALICE, await first_movie(storage), 4.0)
    await storage.note_member(GROUP, ALICE, "Alice")
    await storage.note_member(GROUP, ALICE, "Alicia")

    assert await storage.rating_members(GROUP) == [(ALICE, "Alicia")]


async def test_a_message_owner_is_known_until_the_owner_is_forgotten(storage: Storage) -> None:
    await storage.own_message(GROUP, 7, ALICE)
    await storage.note_member(GROUP, ALICE, "Alice")
    await storage.record_rating(ALICE, await first_movie(storage), 4.0)
    assert await storage.message_owner(GROUP, 7) == ALICE
    assert await storage.message_owner(GROUP, 8) is None

    await storage.forget_person(ALICE)

    assert await storage.message_owner(GROUP, 7) is None
    assert await storage.rating_members(GROUP) == []
