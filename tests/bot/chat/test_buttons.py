"""The button handler against a real database: answers first, stores for the presser,
rejects forged or stale data without changing anything."""

from __future__ import annotations

import pytest
from telegram.error import BadRequest, NetworkError

from bot.chat import callbacks as cb
from bot.chat import texts
from tests.support.catalogue import title


def labels(markup) -> list[str]:
    return [b.text for row in markup.inline_keyboard for b in row]


async def test_rating_is_stored_for_the_presser_and_the_list_shows_it(press, storage) -> None:
    query, _ = await press("v1|r|2|9|p0", user_id=42)
    assert [(r.movie_id, r.rating) for r in await storage.ratings_of(42)] == [(2, 4.5)]
    assert query.answer_text == f"Saved: {title(2)} ★4.5"
    text, markup = query.edits[0]
    assert "Rated: 1" in text and f"2. {title(2)} ★4.5" in labels(markup)


async def test_a_press_on_someone_elses_group_message_gets_a_copy_instead_of_an_edit(
    press, storage
) -> None:
    # Message 1 in the group answered person 7; person 42 presses a rating on it.
    await storage.own_message(-1001, 1, 7)
    query, bot = await press("v1|r|2|9|p0", user_id=42, chat_id=-1001)
    assert [(r.movie_id, r.rating) for r in await storage.ratings_of(42)] == [(2, 4.5)]
    assert await storage.ratings_of(7) == []
    assert query.edits == []
    ((chat_id, text, _),) = bot.sent
    assert chat_id == -1001 and text.startswith("<b>For Tester</b>")
    assert await storage.message_owner(-1001, 101) == 42


async def test_the_owner_of_a_group_message_edits_it(press, storage) -> None:
    await storage.own_message(-1001, 1, 42)
    query, bot = await press("v1|p1", user_id=42, chat_id=-1001)
    assert len(query.edits) == 1 and bot.sent == []


async def test_a_saved_rating_whose_answer_fails_is_not_reported_as_a_failure(
    press, storage
) -> None:
    # Telegram refused the answer even after the retries (bot.chat.outgoing): the rating is
    # committed, so the screen is redrawn and nothing reaches the error handler ("Sorry").
    query, _ = await press("v1|r|2|9|p0", answer_error=NetworkError("Bad Gateway"))
    assert [(r.movie_id, r.rating) for r in await storage.ratings_of(42)] == [(2, 4.5)]
    assert len(query.edits) == 1


async def test_every_press_is_answered_before_the_message_changes(press) -> None:
    for data in ("v1|p1", "v1|m|3|p0", "v1|r|3|8|p0", "v1|n|4|p0", "v1|g", "v1|R", "v1|w0"):
        query, _ = await press(data)
        assert query.events[0][0] == "answer" and len(query.edits) == 1, data


async def test_refresh_with_the_same_list_says_nothing_new(press) -> None:
    first, _ = await press("v1|R")
    assert first.answer_text is None
    ((_, markup),) = first.edits

    again, _ = await press("v1|R", markup=markup)  # the message shows that list already
    assert again.answer_text == texts.current().nothing_new
    assert next(kind for kind, _ in again.events) == "answer"


@pytest.mark.parametrize(
    "data",
    [
        "v1|r|3|14|p0",
        "v1|r|999999|8|p0",
        "v1|m|999999|p0",
        "v1|n|999999|p0",
        "v1|i|999999|p0",
        "v1|l|999999|p0",
        "v1|u|5|p0",
        "v1|x|999999|p0",
        "v1|f|42|7",
        "nonsense",
        "v2|r|3|8|p0",
        "",
    ],
)
async def test_forged_or_malformed_data_is_answered_and_changes_nothing(
    press, storage, data: str
) -> None:
    before = await storage.counts()
    query, bot = await press(data)
    assert query.answer_text in (
        texts.current().bad_button,
        texts.current().unknown_movie,
        texts.current().not_rated,
        texts.current().not_marked,
    )
    assert query.edits == [] and bot.sent == []
    assert await storage.counts() == before
    assert await storage.marks_of(42) == []


async def test_removing_with_no_ratings_at_all_changes_nothing(press, storage) -> None:
    query, _ = await press("v1|x|5|p0", user_id=31337)  # this person never rated anything
    assert query.answer_text == texts.current().not_rated and query.edits == []


async def test_someone_elses_forget_button_changes_nothing(press, storage) -> None:
    await storage.record_rating(7, 1, 4.0)
    query, _ = await press(cb.encode(cb.Forget(7, True)), user_id=42)
    assert query.answer_text == texts.current().not_yours
    assert len(await storage.ratings_of(7)) == 1


async def test_confirmed_forget_deletes_the_persons_ratings(press, storage) -> None:
    await storage.record_rating(42, 1, 4.0)
    query, _ = await press(cb.encode(cb.Forget(42, True)), user_id=42)
    assert await storage.ratings_of(42) == [] and query.edits[0][0] == texts.forgotten()


async def test_pressing_the_same_button_twice_is_not_an_error(press) -> None:
    unchanged = BadRequest("Message is not modified: specified new message content is the same")
    query, _ = await press("v1|p0", edit_error=unchanged)
    assert query.answer_text is None


async def test_other_edit_errors_still_surface(press) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await press("v1|p0", edit_error=BadRequest("Can't parse entities: bad tag"))


async def test_a_message_too_old_to_edit_gets_a_fresh_one(press) -> None:
    query, bot = await press("v1|p1", edit_error=BadRequest("Message can't be edited"))
    assert query.edits == [] and "page 2/5" in bot.sent[0][1]


async def test_remove_deletes_the_rating_and_returns_to_the_list(press, storage) -> None:
    await storage.record_rating(42, 5, 3.0)
    query, _ = await press("v1|x|5|y0")
    assert await storage.ratings_of(42) == []
    assert query.edits[0][0] == texts.current().no_ratings


async def test_the_fifth_new_rating_offers_recommendations(press, storage) -> None:
    for movie in (1, 2, 3, 4):
        await storage.record_rating(42, movie, 4.0)
    _, bot = await press("v1|r|4|10|p0")  # a change, not a new rating
    assert bot.sent == []
    _, bot = await press("v1|r|5|10|p0")
    assert bot.sent[0][1] == texts.offer_recs()
    assert labels(bot.sent[0][2]) == [texts.current().button_show_recs]


async def test_a_genre_the_model_does_not_know_is_refused(press) -> None:
    query, _ = await press("v1|RWestern")
    assert query.answer_text == texts.current().unknown_genre_button and query.edits == []


async def test_not_seen_is_stored_and_the_popular_list_moves_up(press, storage) -> None:
    query, _ = await press("v1|n|1|p0", user_id=42)
    assert [(m.movie_id, m.kind) for m in await storage.marks_of(42)] == [(1, "not_seen")]
    assert query.answer_text == texts.current().marked.of("not_seen")
    _, markup = query.edits[0]
    assert labels(markup)[0] == f"1. {title(2)}"  # movie 1 (the most rated) is gone
    assert await storage.ratings_of(42) == []


async def test_later_goes_to_the_watchlist_and_undo_takes_it_back(press, storage) -> None:
    await press("v1|l|3|p0", user_id=42)
    query, _ = await press("v1|w0", user_id=42)
    text, markup = query.edits[0]
    assert "watchlist" in text.lower() and labels(markup) == [f"1. {title(3)}"]

    query, _ = await press("v1|u|3|w0", user_id=42)
    assert query.answer_text == texts.current().undone.of("later")
    assert await storage.marks_of(42) == []
    assert query.edits[0][0] == texts.current().no_watchlist


async def test_a_mark_on_a_rated_movie_is_refused_and_the_rating_kept(press, storage) -> None:
    await press("v1|r|2|8|p0", user_id=42)
    query, _ = await press("v1|i|2|p0", user_id=42)
    assert query.answer_text == texts.current().already_rated and query.edits == []
    assert [(r.movie_id, r.rating) for r in await storage.ratings_of(42)] == [(2, 4.0)]
    assert await storage.marks_of(42) == []


async def test_marks_belong_to_the_presser(press, storage) -> None:
    await press("v1|i|4|p0", user_id=42, chat_id=-1001)
    assert await storage.marks_of(7) == []
    query, _ = await press("v1|u|4|p0", user_id=7, chat_id=-1001)
    assert query.answer_text == texts.current().not_marked
    assert len(await storage.marks_of(42)) == 1
