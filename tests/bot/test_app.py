"""The wired Application and its error handler."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

import pytest
from telegram import Bot, CallbackQuery, Chat, Message, Update, User
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import app
from bot.chat import admin_texts, language, texts
from bot.chat.context import BotContext
from bot.chat.errors import on_error
from bot.chat.outgoing import OutgoingLimiter
from bot.chat.processor import FairProcessor
from bot.config import Settings
from tests.support.botapi import FakeBotApi, make_user

TOKEN = "123456:AAHsecret-Token_value42"
ADMIN, OTHER_ADMIN = 7001, 7002


class RecordingBot:
    def __init__(self, answer_error: Exception | None = None) -> None:
        self.sent: list[tuple[int, str]] = []
        self.answers: list[str] = []
        self.answer_error = answer_error

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> None:
        self.sent.append((chat_id, text))

    async def answer_callback_query(self, callback_query_id: str, text: str, **kwargs: Any) -> bool:
        if self.answer_error:
            raise self.answer_error
        self.answers.append(text)
        return True


def error_context(error: Exception, bot: RecordingBot) -> BotContext:
    """What the error handler reads from its context: the error and the bot."""
    return cast(BotContext, SimpleNamespace(error=error, bot=bot))


def message_update() -> Update:
    chat = Chat(42, Chat.PRIVATE)
    user = User(42, "Ann", is_bot=False)
    return Update(1, message=Message(5, datetime.now(UTC), chat, from_user=user, text="/popular"))


def button_update(bot: RecordingBot) -> Update:
    user = User(42, "Ann", is_bot=False)
    message = Message(5, datetime.now(UTC), Chat(42, Chat.PRIVATE), text="list")
    query = CallbackQuery("q1", user, "inst", message=message, data="v1|p0")
    query.set_bot(cast(Bot, bot))  # a fake: records what the handler sends
    return Update(2, callback_query=query)


def test_application_has_every_command_buttons_the_limiter_and_the_fair_processor() -> None:
    settings = Settings.from_env(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": "http://127.0.0.1:8081/bot"}
    )
    application = app.build_application(settings)
    handlers = [h for group in application.handlers.values() for h in group]
    commands = {c for h in handlers if isinstance(h, CommandHandler) for c in h.commands}
    assert {name for name, _ in texts.commands()} <= commands
    assert any(isinstance(h, CallbackQueryHandler) for h in handlers)
    assert isinstance(application.bot.rate_limiter, OutgoingLimiter)
    assert isinstance(application.update_processor, FairProcessor)
    assert application.updater is None  # bot.chat.intake polls, through the inbox
    assert application.bot.base_url == f"http://127.0.0.1:8081/bot{TOKEN}"
    assert application.bot_data.settings is settings


async def test_error_in_a_command_is_logged_and_the_person_told(caplog) -> None:
    bot = RecordingBot()
    context = error_context(RuntimeError("boom"), bot)
    with caplog.at_level(logging.ERROR, logger="bot.chat.errors"):
        await on_error(message_update(), context)
    assert bot.sent == [(42, texts.current().error)]
    assert caplog.records[0].exc_info[1] is context.error


async def test_error_in_a_button_is_answered_on_the_button() -> None:
    bot = RecordingBot()
    await on_error(button_update(bot), error_context(RuntimeError("x"), bot))
    assert bot.answers == [texts.current().error] and bot.sent == []


async def test_error_after_the_button_was_answered_goes_to_the_chat() -> None:
    bot = RecordingBot(answer_error=BadRequest("Query is too old"))
    await on_error(button_update(bot), error_context(RuntimeError("x"), bot))
    assert bot.sent == [(42, texts.current().error)]


async def test_telegram_failing_past_the_retries_is_one_line_and_told_once(caplog) -> None:
    bot = RecordingBot()
    with caplog.at_level(logging.WARNING, logger="bot.chat.errors"):
        await on_error(message_update(), error_context(NetworkError("Bad Gateway"), bot))
    assert bot.sent == [(42, texts.current().error)]
    assert [r.exc_info for r in caplog.records] == [None]


async def test_a_timed_out_send_is_not_followed_by_an_apology() -> None:
    bot = RecordingBot()
    await on_error(message_update(), error_context(TimedOut(), bot))
    assert bot.sent == []  # the request arrived: Telegram most likely delivered the reply


async def test_a_bad_request_is_a_bug_and_keeps_its_traceback(caplog) -> None:
    bot = RecordingBot()
    error = BadRequest("Can't parse entities")
    with caplog.at_level(logging.ERROR, logger="bot.chat.errors"):
        await on_error(message_update(), error_context(error, bot))
    assert caplog.records[0].exc_info[1] is error and bot.sent == [(42, texts.current().error)]


def names(commands: list[dict[str, Any]]) -> list[str]:
    return [c["command"] for c in commands]


async def publish(api: FakeBotApi, admin_ids: set[int]) -> None:
    async with Bot(TOKEN, base_url=api.base_url) as bot:
        await app.publish_menus(bot, admin_ids)


async def test_an_admins_chat_menu_adds_the_admin_commands_and_everyone_elses_does_not() -> None:
    with FakeBotApi(TOKEN) as api:
        api.send_text(make_user(ADMIN, "Boss"), "/start")  # the admin has opened the chat

        await publish(api, {ADMIN})

        people = [name for name, _ in texts.commands()]
        assert names(api.commands) == people
        admin_menu = [*people, "stats", "model", "retrain", "rollback"]
        assert names(api.commands_in(f"chat:{ADMIN}")) == admin_menu


def test_the_admin_menu_lists_every_admin_command_the_bot_has() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    handlers = app.build_application(settings).handlers.values()
    commands = {c for group in handlers for h in group if isinstance(h, CommandHandler)
                for c in h.commands}  # fmt: skip
    admin_commands = {name for name, _ in admin_texts.commands()}

    assert admin_commands <= commands
    assert commands - admin_commands == {name for name, _ in texts.commands()}


async def test_an_admin_who_never_opened_the_chat_is_one_warning_and_the_rest_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with FakeBotApi(TOKEN) as api:
        api.send_text(make_user(OTHER_ADMIN, "Deputy"), "/start")

        with caplog.at_level(logging.WARNING, logger="bot.app"):
            await publish(api, {ADMIN, OTHER_ADMIN})

        assert [r.getMessage() for r in caplog.records if r.name == "bot.app"] == [
            f"could not set the admin command menu in chat {ADMIN}: Chat not found"
        ]
        deputy = f"chat:{OTHER_ADMIN}"
        assert api.command_scopes == [
            *("default", "default/ru", "default/es"),
            *(deputy, f"{deputy}/ru", f"{deputy}/es"),
        ]
        assert api.description == texts.current().description


async def test_the_bot_describes_itself_within_telegrams_limits() -> None:
    with FakeBotApi(TOKEN) as api:
        await publish(api, set())

        assert (api.description, api.short_description) == (
            texts.current().description,
            texts.current().short_description,
        )
        assert "/start" not in api.short_description and "rate" in api.description


async def test_menus_and_descriptions_are_published_in_each_language() -> None:
    with FakeBotApi(TOKEN) as api:
        api.send_text(make_user(ADMIN, "Boss"), "/start")

        await publish(api, {ADMIN})

        for code in ("ru", "es"):
            with language.using(code) as say:
                people = [{"command": n, "description": d} for n, d in texts.commands()]
            assert api.commands_in(f"default/{code}") == people
            assert api.commands_in(f"chat:{ADMIN}/{code}")[: len(people)] == people
            assert api.description_in(code) == say.description
            assert api.description_in(code, "short_description") == say.short_description
        assert api.commands_in("default/ru")[0]["description"] == "Приветствие и популярные фильмы"
