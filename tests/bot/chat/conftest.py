"""The synthetic catalogue in a real SQLite file, and fakes for PTB's per-press objects."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from telegram import Chat, Message, Update, User

from bot.chat import buttons
from bot.chat.context import BotContext
from bot.chat.metrics import Metrics
from bot.storage import Storage
from bot.training.model_holder import ModelHolder
from bot.training.serving import popularity
from tests.support.catalogue import write_catalogue


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    store = await Storage.open(tmp_path / "bot.db")
    await store.import_movielens(write_catalogue(tmp_path / "ml"))
    yield store
    await store.close()


@pytest.fixture
async def holder(storage: Storage) -> ModelHolder:
    return ModelHolder(await popularity(storage), personal=False)


@dataclass
class FakeQuery:
    """The parts of telegram.CallbackQuery the button handler uses, recording what it does."""

    data: str
    from_user: User
    message: Message
    events: list[tuple[str, Any]] = field(default_factory=list)
    edit_error: Exception | None = None
    answer_error: Exception | None = None

    async def answer(self, text: str | None = None, show_alert: bool = False) -> bool:
        if any(kind == "answer" for kind, _ in self.events):
            raise AssertionError("a callback query is answered only once")
        self.events.append(("answer", text))
        if self.answer_error is not None:
            raise self.answer_error
        return True

    async def edit_message_text(self, text: str, **kwargs: Any) -> None:
        if self.edit_error is not None:
            raise self.edit_error
        self.events.append(("edit", (text, kwargs.get("reply_markup"))))

    @property
    def answer_text(self) -> str | None:
        return next(value for kind, value in self.events if kind == "answer")

    @property
    def edits(self) -> list[tuple[str, Any]]:
        return [value for kind, value in self.events if kind == "edit"]


class FakeBot:
    def __init__(self) -> None:
        self.sent: list[tuple[int, str, Any]] = []

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> Message:
        self.sent.append((chat_id, text, kwargs.get("reply_markup")))
        chat = Chat(chat_id, Chat.GROUP if chat_id < 0 else Chat.PRIVATE)
        markup = kwargs.get("reply_markup")
        return Message(
            100 + len(self.sent), datetime.now(UTC), chat, text=text, reply_markup=markup
        )


@pytest.fixture
def press(storage: Storage, holder: ModelHolder):
    """press(data, user_id=42) -> (FakeQuery, FakeBot) after running the real button handler."""

    async def run(
        data: str,
        user_id: int = 42,
        *,
        chat_id: int | None = None,
        edit_error=None,
        answer_error=None,
        markup=None,
    ):
        user = User(user_id, "Tester", is_bot=False)
        chat = Chat(chat_id or user_id, Chat.PRIVATE if chat_id is None else Chat.GROUP)
        message = Message(1, datetime.now(UTC), chat, text="a list", reply_markup=markup)
        query = FakeQuery(data, user, message, edit_error=edit_error, answer_error=answer_error)
        bot = FakeBot()
        context = SimpleNamespace(storage=storage, holder=holder, bot=bot, metrics=Metrics())
        update = SimpleNamespace(callback_query=query)
        await buttons.on_button(cast(Update, update), cast(BotContext, context))
        return query, bot

    return run
