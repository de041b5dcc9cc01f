"""Every kind of update is handled or ignored on purpose, through the real Application.

Ignored: edited messages, channel posts, and every update kind the bot never asked for.
Answered with help: stickers, photos and voice notes in a private chat. Refused with a
pointer to a private chat: personal commands and presses with nobody in particular
behind them (no `from`, anonymous admins, channels, bots), which must never share one
identity across groups.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.chat import texts
from bot.storage import Storage
from bot.training.model_holder import ModelHolder
from tests.bot.chat.wired import (
    ANONYMOUS_ADMIN,
    GROUP,
    Wired,
    answers,
    message,
    press,
    private_chat,
    sent,
    unwire,
    user,
    wire,
)

ANN = user(42)
CHANNEL = {"id": -1009876543210, "type": "channel", "title": "Film news"}
CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"}
STICKER = {
    "file_id": "s1",
    "file_unique_id": "u1",
    "type": "regular",
    "width": 512,
    "height": 512,
    "is_animated": False,
    "is_video": False,
}
PHOTO = [{"file_id": "p1", "file_unique_id": "u2", "width": 90, "height": 90}]
VOICE = {"file_id": "v1", "file_unique_id": "u3", "duration": 2}


@pytest.fixture
async def wired(storage: Storage, holder: ModelHolder, tmp_path: Path) -> AsyncIterator[Wired]:
    await storage.record_rating(42, 1, 4.0)
    await storage.mark(42, 2, "later")
    bot = await wire(storage, holder, tmp_path / "bot.db")
    yield bot
    await unwire(bot)


def group_message(text: str | None, **kwargs: Any) -> dict[str, Any]:
    return message(text, chat=GROUP, **kwargs)


@pytest.mark.parametrize(
    "body",
    [
        {"edited_message": message("/forget", sender=ANN, chat=private_chat(42), edit_date=1)},
        {"edited_message": message("matrix", sender=ANN, chat=private_chat(42), edit_date=1)},
        {"channel_post": message("/popular", sender=None, chat=CHANNEL, sender_chat=CHANNEL)},
        {"edited_channel_post": message("/help", sender=None, chat=CHANNEL, edit_date=1)},
        {"inline_query": {"id": "i1", "from": ANN, "query": "matrix", "offset": ""}},
        {
            "my_chat_member": {
                "chat": GROUP,
                "from": ANN,
                "date": 1,
                "old_chat_member": {"status": "left", "user": ANN},
                "new_chat_member": {"status": "member", "user": ANN},
            }
        },
        {
            "poll_answer": {
                "poll_id": "p",
                "option_ids": [0],
                "option_persistent_ids": ["a"],
                "user": ANN,
            },
        },
        {},
    ],
    ids=[
        "edited command",
        "edited text",
        "channel post",
        "edited channel post",
        "inline query",
        "my_chat_member",
        "poll answer",
        "empty",
    ],
)
async def test_updates_the_bot_never_asked_for_are_ignored(wired: Wired, body) -> None:
    before = wired.dump()
    assert await wired.send(body) == []
    assert wired.errors == [] and wired.dump() == before


@pytest.mark.parametrize(
    "command",
    [
        "/myratings",
        "/popular@movie_test_bot",
        "/rate",
        "/start",
        "/recommend",
        "/watchlist",
        "/hidden",
        "/forget",
        "/search x",
    ],
)
@pytest.mark.parametrize(
    "who",
    [
        {"sender": ANONYMOUS_ADMIN, "sender_chat": GROUP},
        {"sender": None},
        {"sender": CHANNEL_BOT, "sender_chat": CHANNEL},
        {"sender": ANN, "sender_chat": CHANNEL},
    ],
    ids=["anonymous admin", "no from", "channel in a group", "on behalf of a chat"],
)
async def test_personal_commands_from_nobody_in_particular_point_to_a_private_chat(
    wired: Wired, command: str, who: dict[str, Any]
) -> None:
    before = wired.dump()
    calls = await wired.send({"message": group_message(command, **who)})
    assert wired.errors == []
    if command == "/rate":  # not a command of this bot: groups hear nothing back
        assert calls == []
    else:
        assert sent(calls) == [texts.current().needs_a_person]
    assert wired.dump() == before


async def test_anonymous_admins_share_no_identity_across_groups(wired: Wired) -> None:
    other_group = {**GROUP, "id": -1005555555555}
    for group in (GROUP, other_group):
        anonymous = message("/myratings", chat=group, sender=ANONYMOUS_ADMIN, sender_chat=group)
        assert sent(await wired.send({"message": anonymous})) == [texts.current().needs_a_person]
    people = [row[0] for row in wired.dump()["people"]]
    assert ANONYMOUS_ADMIN["id"] not in people and wired.errors == []


async def test_help_is_for_anyone(wired: Wired) -> None:
    calls = await wired.send(
        {"message": group_message("/help", sender=ANONYMOUS_ADMIN, sender_chat=GROUP)}
    )
    assert sent(calls) == [texts.help_text()] and wired.errors == []


@pytest.mark.parametrize(
    "who",
    [{"sender": ANONYMOUS_ADMIN, "sender_chat": GROUP}, {"sender": None}],
    ids=["anonymous admin", "no from"],
)
@pytest.mark.parametrize("command", ["/retrain", "/stats", "/model", "/rollback"])
async def test_admin_commands_from_nobody_in_particular_are_refused(
    wired: Wired, who: dict[str, Any], command: str
) -> None:
    calls = await wired.send({"message": group_message(command, **who)})
    assert sent(calls) == [texts.current().admin_needs_a_person] and wired.errors == []


@pytest.mark.parametrize(
    "content",
    [{"sticker": STICKER}, {"photo": PHOTO}, {"voice": VOICE}, {"photo": PHOTO, "caption": "/x"}],
    ids=["sticker", "photo", "voice", "captioned photo"],
)
async def test_a_sticker_or_photo_in_private_gets_a_pointer_to_text(
    wired: Wired, content: dict[str, Any]
) -> None:
    calls = await wired.send(
        {"message": message(None, sender=ANN, chat=private_chat(42), **content)}
    )
    assert sent(calls) == [texts.current().text_only] and wired.errors == []


async def test_a_sticker_in_a_group_is_ignored(wired: Wired) -> None:
    assert await wired.send({"message": group_message(None, sender=ANN, sticker=STICKER)}) == []
    assert wired.errors == []


@pytest.mark.parametrize(
    "content",
    [
        {"chat": GROUP, "new_chat_members": [ANN]},
        {"chat": GROUP, "left_chat_member": ANN},
        {
            "chat": private_chat(42),
            "pinned_message": {"message_id": 1, "date": 0, "chat": private_chat(42)},
        },
        {"chat": GROUP, "text": "just chatting about films"},
    ],
    ids=["joined", "left", "pinned", "group chatter"],
)
async def test_service_messages_and_group_chatter_are_ignored(
    wired: Wired, content: dict[str, Any]
) -> None:
    chat, text = content.pop("chat"), content.pop("text", None)
    assert await wired.send({"message": message(text, sender=ANN, chat=chat, **content)}) == []
    assert wired.errors == []


@pytest.mark.parametrize(
    "data",
    ["v1|r|1|8|p0", "v1|x|1|p0", "v1|f|42|1", "v1|y0"],
    ids=["rate", "remove", "forget", "list"],
)
@pytest.mark.parametrize(
    "sender", [ANONYMOUS_ADMIN, None, CHANNEL_BOT], ids=["anonymous", "no from", "bot"]
)
async def test_a_press_by_nobody_in_particular_is_refused_on_the_button(
    wired: Wired, data: str, sender: dict[str, Any] | None
) -> None:
    before = wired.dump()
    calls = await wired.send(press(data, sender=sender, chat_id=GROUP["id"]))
    assert answers(calls) == [texts.current().needs_a_person] and len(calls) == 1
    assert wired.errors == [] and wired.dump() == before


@pytest.mark.parametrize(
    "data",
    [
        "v1|s\udcbfx",
        "\udcbf",
        "v1|r|1|\ud800|p0",
        None,
        "",
        "v1|p\u0663",
        "v1|r|1|\u0668|p0",
        "v1|\x00",
        "v1|s" + "x" * 5000,
    ],
    ids=[
        "surrogate in query",
        "only a surrogate",
        "surrogate digit",
        "no data",
        "empty",
        "arabic-indic page",
        "arabic-indic stars",
        "nul",
        "huge",
    ],
)
async def test_odd_callback_data_is_refused_like_forged_data(wired: Wired, data: Any) -> None:
    before = wired.dump()
    calls = await wired.send(press(data, sender=ANN))
    assert answers(calls) == [texts.current().bad_button] and len(calls) == 1
    assert wired.errors == [] and wired.dump() == before


async def test_a_real_press_still_works_through_the_same_path(wired: Wired) -> None:
    calls = await wired.send(press("v1|r|3|9|p0", sender=ANN))
    assert answers(calls) == [texts.saved("Movie 3 (1953)", 4.5)] and wired.errors == []
    assert (42, 3, 4.5) in [row[:3] for row in wired.dump()["ratings"]]


async def test_an_odd_genre_after_recommend_is_answered(wired: Wired) -> None:
    calls = await wired.send(
        {"message": message("/recommend \udcbf\x00<b>", sender=ANN, chat=private_chat(42))}
    )
    assert wired.errors == [] and len(sent(calls)) == 1


def test_the_refusal_fits_a_button_answer() -> None:
    assert len(texts.current().needs_a_person) <= 200  # answerCallbackQuery's limit
