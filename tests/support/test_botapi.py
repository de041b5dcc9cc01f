"""The fake Bot API server, driven by a real python-telegram-bot ``Bot`` in-process.

If PTB can talk to it the way it talks to Telegram, the end-to-end tests exercise the
bot's real HTTP path; these tests pin that down independently of the bot.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, InvalidToken, RetryAfter

from tests.support.botapi import FakeBotApi, find_button, make_user

TOKEN = "4242:TEST-fake-server-token"
ANN = make_user(1001, "Ann")


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi(TOKEN) as server:
        yield server


@pytest.fixture
async def client(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=api.base_url) as client:
        yield client


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in pairs])


async def test_get_me_answers_with_the_bot_user(client: Bot, api: FakeBotApi) -> None:
    assert (client.id, client.username) == (4242, "movie_test_bot")
    assert [c.method for c in api.calls()] == ["getMe"]


async def test_a_wrong_token_is_unauthorized(api: FakeBotApi) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("4242:WRONG", base_url=api.base_url):
            pass


async def test_long_poll_blocks_until_a_person_writes(client: Bot, api: FakeBotApi) -> None:
    before = api.polls_started
    poll = asyncio.create_task(client.get_updates(timeout=5))
    assert await asyncio.to_thread(api.wait_poll, before, 3)  # the poll reached the server
    assert not poll.done()
    api.send_text(ANN, "/start")
    updates = await asyncio.wait_for(poll, 3)
    assert [u.message.text for u in updates] == ["/start"]
    assert updates[0].message.entities[0].type == "bot_command"
    assert updates[0].effective_user.id == ANN["id"]


async def test_long_poll_times_out_empty(client: Bot) -> None:
    assert await client.get_updates(timeout=0.2) == ()


async def test_offset_confirms_updates(client: Bot, api: FakeBotApi) -> None:
    api.send_text(ANN, "one")
    api.send_text(ANN, "two")
    first = await client.get_updates()
    assert [u.message.text for u in first] == ["one", "two"]
    await client.get_updates(offset=first[0].update_id + 1)
    assert api.pending_updates() == 1


async def test_sent_message_is_recorded_with_its_keyboard(client: Bot, api: FakeBotApi) -> None:
    api.send_text(ANN, "hi")
    sent = await client.send_message(
        ANN["id"],
        "<b>Pick</b> &amp; rate",
        parse_mode="HTML",
        reply_markup=keyboard(("1. Heat", "m:1")),
    )
    assert sent.text == "Pick & rate"
    assert sent.message_id == 2  # the person's message was number 1 in this chat
    stored = api.last_message_to(ANN["id"])
    assert find_button(stored, "1.")["callback_data"] == "m:1"
    assert api.wait_for("sendMessage").params["chat_id"] == ANN["id"]


async def test_unparsable_html_is_rejected(client: Bot, api: FakeBotApi) -> None:
    api.send_text(ANN, "hi")
    with pytest.raises(BadRequest, match="parse entities"):
        await client.send_message(ANN["id"], "Lock, Stock & Two Smoking Barrels", parse_mode="HTML")


async def test_unknown_chat_is_rejected(client: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await client.send_message(999, "nobody wrote to me from there")


async def test_too_long_callback_data_is_rejected(client: Bot, api: FakeBotApi) -> None:
    api.send_text(ANN, "hi")
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await client.send_message(ANN["id"], "x", reply_markup=keyboard(("a", "é" * 33)))
    assert api.last_message_to(ANN["id"]) is None  # nothing was sent


async def test_editing_to_identical_content_is_not_modified(client: Bot, api: FakeBotApi) -> None:
    api.send_text(ANN, "hi")
    sent = await client.send_message(ANN["id"], "card", reply_markup=keyboard(("5", "r:1:5")))
    edited = await sent.edit_text("card, rated", reply_markup=keyboard(("5 ✓", "r:1:5")))
    assert api.message(ANN["id"], sent.message_id)["text"] == edited.text == "card, rated"
    with pytest.raises(BadRequest, match="not modified"):
        await client.edit_message_text(
            "card, rated", ANN["id"], sent.message_id, reply_markup=keyboard(("5 ✓", "r:1:5"))
        )
    with pytest.raises(BadRequest, match="not modified"):
        await client.edit_message_reply_markup(
            ANN["id"], sent.message_id, reply_markup=keyboard(("5 ✓", "r:1:5"))
        )


async def test_editing_an_unknown_message_fails(client: Bot, api: FakeBotApi) -> None:
    api.send_text(ANN, "hi")
    with pytest.raises(BadRequest, match="not found"):
        await client.edit_message_text("x", ANN["id"], 77)


async def test_a_press_arrives_as_a_callback_query_answered_once(
    client: Bot, api: FakeBotApi
) -> None:
    api.send_text(ANN, "hi")
    sent = await client.send_message(ANN["id"], "rate", reply_markup=keyboard(("4.5", "r:9:4.5")))
    query_id = api.press_button(ANN, api.last_message_to(ANN["id"]), "4.5")
    updates = await client.get_updates()
    query = next(u.callback_query for u in updates if u.callback_query)
    assert (query.data, query.message.message_id) == ("r:9:4.5", sent.message_id)
    assert api.answered(query_id) is None
    await query.answer("Saved")
    assert api.wait_answer(query_id).params["text"] == "Saved"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer("again")


async def test_photo_upload_is_recorded(client: Bot, api: FakeBotApi) -> None:
    api.send_text(ANN, "hi")
    png = (
        b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + (640).to_bytes(4, "big") + (480).to_bytes(4, "big")
    )
    sent = await client.send_photo(ANN["id"], png, caption="RMSE by epoch")
    assert (sent.photo[-1].width, sent.caption) == (640, "RMSE by epoch")
    assert api.wait_for("sendPhoto").files["photo"] == png


async def test_commands_round_trip_and_deletion(client: Bot, api: FakeBotApi) -> None:
    await client.set_my_commands([("start", "Begin"), ("help", "How it works")])
    assert [c.command for c in await client.get_my_commands()] == ["start", "help"]
    api.send_text(ANN, "hi")
    sent = await client.send_message(ANN["id"], "bye")
    assert await sent.delete()
    assert api.message(ANN["id"], sent.message_id) is None


async def test_injected_failure_hits_the_next_call_only(client: Bot, api: FakeBotApi) -> None:
    api.send_text(ANN, "hi")
    api.fail_next("sendMessage", 400, "Bad Request: injected")
    with pytest.raises(BadRequest, match=r"(?i)injected"):
        await client.send_message(ANN["id"], "first")
    assert (await client.send_message(ANN["id"], "second")).text == "second"


def test_updates_parse_as_ptb_updates(api: FakeBotApi) -> None:
    message = api.send_text(ANN, "/recommend comedy")
    update = Update.de_json({"update_id": 1, "message": message}, None)
    assert update.message.text == "/recommend comedy"


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own
async def test_flood_control_answers_429_with_retry_after(client: Bot, api: FakeBotApi) -> None:
    api.send_text(ANN, "hi")
    api.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    with pytest.raises(RetryAfter) as raised:
        await client.send_message(ANN["id"], "too fast")
    assert "Retry in 3 seconds" in str(raised.value)
