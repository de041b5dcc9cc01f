"""The fake Bot API server, driven by a real python-telegram-bot ``Bot`` in-process.

If PTB can talk to it the way it talks to Telegram, the end-to-end tests exercise the
bot's real HTTP path; these tests pin that down independently of the bot.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter

from tests.support.api_faults import FaultPlan, FaultSpec, parse_faults
from tests.support.botapi import FakeBotApi, find_button, make_user
from tests.support.botapi_http import handler_for

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


def message_of(update: Update) -> Message:
    assert update.message is not None, f"not a message: {update}"
    return update.message


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
    assert [message_of(u).text for u in updates] == ["/start"]
    assert message_of(updates[0]).entities[0].type == "bot_command"
    user = updates[0].effective_user
    assert user is not None and user.id == ANN["id"]


async def test_long_poll_times_out_empty(client: Bot) -> None:
    assert await client.get_updates(timeout=dtm.timedelta(seconds=0.2)) == ()


async def test_offset_confirms_updates(client: Bot, api: FakeBotApi) -> None:
    api.send_text(ANN, "one")
    api.send_text(ANN, "two")
    first = await client.get_updates()
    assert [message_of(u).text for u in first] == ["one", "two"]
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
    assert stored is not None
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
    assert isinstance(edited, Message)  # not True: the message is not an inline one
    stored = api.message(ANN["id"], sent.message_id)
    assert stored is not None and stored["text"] == edited.text == "card, rated"
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
    stored = api.last_message_to(ANN["id"])
    assert stored is not None
    query_id = api.press_button(ANN, stored, "4.5")
    updates = await client.get_updates()
    query = next(u.callback_query for u in updates if u.callback_query)
    assert query.message is not None
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
    assert message_of(update).text == "/recommend comedy"


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own
async def test_flood_control_answers_429_with_retry_after(client: Bot, api: FakeBotApi) -> None:
    api.send_text(ANN, "hi")
    api.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    with pytest.raises(RetryAfter) as raised:
        await client.send_message(ANN["id"], "too fast")
    assert "Retry in 3 seconds" in str(raised.value)


# ---- the HTTP side: one write per answer, on a TCP_NODELAY socket ----------------------------


def raw_request(port: int, method: str, body: bytes = b"", token: str = TOKEN) -> bytes:
    head = (
        f"POST /bot{token}/{method} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def split_response(data: bytes) -> tuple[str, dict[str, str], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return status, headers, body


def test_the_accepted_socket_has_tcp_nodelay(api: FakeBotApi) -> None:
    accepted: list[socket.socket] = []

    class Recording(ThreadingHTTPServer):
        def get_request(self) -> tuple[socket.socket, Any]:
            conn, address = super().get_request()
            accepted.append(conn)
            return conn, address

    server = Recording(("127.0.0.1", 0), handler_for(api))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", server.server_port), timeout=5) as conn:
            conn.sendall(raw_request(server.server_address[1], "getMe"))
            assert conn.recv(65536).startswith(b"HTTP/1.1 200")
            assert accepted[0].getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.mark.parametrize(("method", "status"), [("getMe", "200 OK"), ("nope", "404 Not Found")])
def test_an_answer_arrives_whole_in_one_recv(api: FakeBotApi, method: str, status: str) -> None:
    port = int(api.base_url.split(":")[2].split("/")[0])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        for _ in range(3):  # the same keep-alive connection, answer after answer
            conn.sendall(raw_request(port, method))
            line, headers, body = split_response(conn.recv(65536))  # one recv, no more
            assert line == f"HTTP/1.1 {status}"
            assert headers["content-type"] == "application/json"
            assert len(body) == int(headers["content-length"])
            assert json.loads(body)["ok"] is (status == "200 OK")


# ---- faults ----------------------------------------------------------------------------------


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def post(http: httpx.Client, api: FakeBotApi, method: str, **params: Any) -> httpx.Response:
    return http.post(f"{api.base_url}{api.token}/{method}", json=params)


def faulty(spec: str, seed: int = 0) -> FakeBotApi:
    api = FakeBotApi(TOKEN, faults=spec, seed=seed).start()
    api.send_text(ANN, "hi")  # Ann's chat exists; her message is update 1
    return api


def test_fault_500_answers_internal_server_error_and_does_nothing(http: httpx.Client) -> None:
    with faulty("500=1") as api:
        answer = post(http, api, "sendMessage", chat_id=ANN["id"], text="lost")
        assert answer.status_code == 500
        assert answer.json() == {
            "ok": False,
            "error_code": 500,
            "description": "Internal Server Error",
        }
        assert api.last_message_to(ANN["id"]) is None
        [call] = api.calls("sendMessage")
        assert (call.ok, call.fault) == (False, "500")


def test_fault_429_asks_to_retry_after_a_second(http: httpx.Client) -> None:
    with faulty("429=1") as api:
        answer = post(http, api, "answerCallbackQuery", callback_query_id="x")
        assert answer.status_code == 429
        assert answer.json() == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        }
        assert api.fault_counts() == {"429": 1}


def test_fault_drop_closes_the_connection_without_an_answer(http: httpx.Client) -> None:
    with faulty("drop=1") as api:
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            post(http, api, "sendMessage", chat_id=ANN["id"], text="lost")
        assert api.last_message_to(ANN["id"]) is None
        assert [(c.method, c.ok, c.fault) for c in api.calls()] == [("sendMessage", False, "drop")]


async def test_a_dropped_connection_is_a_network_error_to_ptb() -> None:
    with faulty("drop=1") as api, pytest.raises(NetworkError):
        async with Bot(TOKEN, base_url=api.base_url):  # getMe is dropped too
            pass
    with faulty("") as api:
        async with Bot(TOKEN, base_url=api.base_url) as client:
            api.set_faults("drop=1")
            with pytest.raises(NetworkError):
                await client.send_message(ANN["id"], "lost")


def test_fault_delay_performs_the_call_then_answers_late(http: httpx.Client) -> None:
    api = faulty("delay30=1")
    try:
        with ThreadPoolExecutor(1) as pool:
            sending = pool.submit(post, http, api, "sendMessage", chat_id=ANN["id"], text="slow")
            call = api.wait_for("sendMessage")
            assert (call.ok, call.fault) == (True, "delay30")
            last = api.last_message_to(ANN["id"])
            assert last is not None and last["text"] == "slow"  # Telegram did the work
            assert not sending.done()  # ...and the answer is still on its way
            api.stop()  # cuts the delay short
            answer = sending.result(10)
    finally:
        api.stop()
    assert answer.json()["result"]["text"] == "slow"


def test_long_polls_are_not_delayed(http: httpx.Client) -> None:
    with faulty("delay30=1") as api:
        answer = post(http, api, "getUpdates", timeout=0)  # http times out in 10 s
        assert [u["update_id"] for u in answer.json()["result"]] == [1]
        assert api.calls("getUpdates")[0].fault is None


def test_a_faulted_get_updates_confirms_nothing(http: httpx.Client) -> None:
    with faulty("500=1") as api:
        assert post(http, api, "getUpdates", offset=2).status_code == 500
        assert api.pending_updates() == 1
        assert api.polls_started == 1


def test_fail_next_wins_over_faults(http: httpx.Client) -> None:
    with faulty("500=1") as api:
        api.fail_next("sendMessage", 400, "Bad Request: injected")
        assert post(http, api, "sendMessage", chat_id=ANN["id"], text="x").status_code == 400
        assert post(http, api, "sendMessage", chat_id=ANN["id"], text="x").status_code == 500
        assert [c.fault for c in api.calls()] == [None, "500"]
        api.set_faults(None)
        assert post(http, api, "sendMessage", chat_id=ANN["id"], text="x").json()["ok"]


def test_faults_are_reproducible_given_the_seed(http: httpx.Client) -> None:
    def faults_seen(seed: int) -> list[str | None]:
        with faulty("500=0.3,429=0.3", seed) as api:
            for _ in range(30):
                post(http, api, "getMe")
            return [c.fault for c in api.calls()]

    first = faults_seen(7)
    assert first == faults_seen(7)
    assert first != faults_seen(8)
    assert {"500", "429", None} == set(first)


# ---- the fault spec ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "shares"),
    [
        ("", ()),
        ("500=0.1", (("500", 0.1),)),
        (
            " 500=0.1, drop=0.1,delay5=0.1,429=0.1 ",
            (("500", 0.1), ("drop", 0.1), ("delay5", 0.1), ("429", 0.1)),
        ),
        ("delay0.5=1", (("delay0.5", 1.0),)),
    ],
)
def test_fault_specs_parse(spec: str, shares: tuple[tuple[str, float], ...]) -> None:
    parsed = parse_faults(spec)
    assert parsed.shares == shares
    assert parse_faults(str(parsed)) == parsed


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("503=0.1", "unknown fault kind '503'"),
        ("delay=0.1", "unknown fault kind 'delay'"),
        ("500", "needs a share"),
        ("500=often", "not a number"),
        ("drop=1.5", "between 0 and 1"),
        ("drop=-0.1", "between 0 and 1"),
        ("500=0.1,500=0.2", "given twice"),
        ("500=0.6,drop=0.6", "more than 1"),
    ],
)
def test_bad_fault_specs_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_faults(spec)
    with pytest.raises(ValueError, match=message):
        FakeBotApi(TOKEN, faults=spec)


def test_a_draw_falls_on_the_kinds_in_order() -> None:
    spec = parse_faults("500=0.25,drop=0.25")
    assert [spec.pick(d) for d in (0.0, 0.2499, 0.25, 0.4999, 0.5, 0.99)] == [
        "500",
        "500",
        "drop",
        "drop",
        None,
        None,
    ]
    assert not FaultSpec() and not parse_faults("500=0")
    assert FaultPlan("delay5=1").draw("getUpdates") is None
    assert FaultPlan("delay5=1").draw("sendMessage") == "delay5"


# ---- raw updates -------------------------------------------------------------------------------


async def test_raw_updates_get_server_assigned_ids(client: Bot, api: FakeBotApi) -> None:
    api.send_text(ANN, "hi")
    edited = {
        "message_id": 1,
        "from": ANN,
        "chat": {"id": ANN["id"], "type": "private", "first_name": "Ann"},
        "date": 0,
        "edit_date": 1,
        "text": "hi, edited",
    }
    first = api.send_raw({"update_id": 999, "edited_message": edited})
    channel = {"id": -1001, "type": "channel", "title": "News"}
    second = api.send_raw(
        {"channel_post": {"message_id": 5, "chat": channel, "date": 0, "text": "/start"}}
    )
    assert (first, second) == (2, 3)
    updates = await client.get_updates()
    assert [u.update_id for u in updates] == [1, 2, 3]
    edited_message, channel_post = updates[1].edited_message, updates[2].channel_post
    assert edited_message is not None and edited_message.text == "hi, edited"
    assert channel_post is not None and channel_post.chat.id == -1001
    assert updates[2].effective_user is None
    assert (await client.send_message(-1001, "to the channel")).chat.id == -1001


async def test_a_raw_callback_query_can_be_answered(client: Bot, api: FakeBotApi) -> None:
    query = {"id": "raw-1", "from": ANN, "chat_instance": "1", "data": "v1|s\udcbfx"}
    update_id = api.send_raw({"callback_query": query})
    assert api.update_id(query_id="raw-1") == update_id
    assert [q["id"] for q in api.unanswered()] == ["raw-1"]
    [update] = await client.get_updates()
    assert update.callback_query is not None
    assert update.callback_query.data == "v1|s\udcbfx"  # a lone surrogate, as sent
    await update.callback_query.answer("no")
    assert api.unanswered() == []
