"""The bot's real handlers in a real Application, with Telegram replaced by a recorder.

Updates go in as Bot API JSON (`Wired.send`), through `Update.de_json` and PTB's own
dispatch (handler groups, filters, `ApplicationHandlerStop`), into the handlers that
`bot.app` registers, against a real Storage. Every Bot API call the handlers make is
recorded and answered with a plausible result; the body is encoded the way PTB's HTTP
client encodes it, so text that could not travel to Telegram fails here as it would there.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from telegram import Update
from telegram.ext import ApplicationBuilder
from telegram.request import BaseRequest, RequestData

from bot.chat import admin, handlers
from bot.chat.context import CONTEXT_TYPES, BotApplication
from bot.config import Settings
from bot.storage import Storage
from bot.training.model_holder import ModelHolder

TOKEN = "123456:AAHwired-test-token_value42"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Movie Bot", "username": "movie_test_bot"}
ANONYMOUS_ADMIN = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}


def user(user_id: int, name: str = "Ann") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": name}


def private_chat(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "type": "private", "first_name": "Ann"}


GROUP: dict[str, Any] = {"id": -1001234567890, "type": "supergroup", "title": "Movie night"}


@dataclass(frozen=True)
class ApiCall:
    method: str
    params: dict[str, Any]


class RecordingRequest(BaseRequest):
    """Answers every Bot API method like Telegram would, and records the call."""

    def __init__(self) -> None:
        self.calls: list[ApiCall] = []
        self._message_ids = itertools.count(1000)

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        params = request_data.json_parameters if request_data else {}
        urlencode(params).encode("utf-8")  # what httpx sends: lone surrogates fail here
        api_method = url.rsplit("/", 1)[-1]
        self.calls.append(ApiCall(api_method, params))
        return 200, json.dumps({"ok": True, "result": self._result(api_method, params)}).encode()

    def _result(self, method: str, params: dict[str, str]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in ("sendMessage", "sendPhoto", "editMessageText", "editMessageReplyMarkup"):
            chat_id = int(params.get("chat_id", 1))
            message_id = int(params.get("message_id") or next(self._message_ids))
            chat: dict[str, Any] = {
                "id": chat_id,
                "type": "private" if chat_id > 0 else "supergroup",
            }
            if chat_id < 0:
                chat["title"] = "Movie night"
            content: dict[str, Any] = (
                {"text": params["text"]} if "text" in params else {"photo": []}
            )
            return {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": chat,
                "from": BOT_USER,
                **content,
            }
        return True


@dataclass
class Wired:
    application: BotApplication
    request: RecordingRequest
    database: Path
    errors: list[BaseException] = field(default_factory=list)
    _update_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    async def send(self, body: dict[str, Any]) -> list[ApiCall]:
        """Handle one update (Bot API JSON without update_id); returns the calls it made.
        `errors` then holds what reached the error handler while handling it."""
        self.errors.clear()
        start, running = len(self.request.calls), asyncio.all_tasks()
        update = Update.de_json({"update_id": next(self._update_ids), **body}, self.application.bot)
        # In a task of its own, as PTB handles each update: the language it picks stays there.
        await asyncio.create_task(self.application.process_update(update))
        await _settle(running)
        return self.request.calls[start:]

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Everything stored about Telegram users, read directly from the file."""
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as db:
            return {name: db.execute(sql).fetchall() for name, sql in _DUMP.items()}


_DUMP = {
    "people": "SELECT telegram_id, language FROM people WHERE telegram_id IS NOT NULL ORDER BY 1",
    "ratings": "SELECT p.telegram_id, r.movie_id, r.rating, r.rated_at FROM ratings r"
    " JOIN people p USING (person_id) WHERE p.telegram_id IS NOT NULL ORDER BY 1, 2",
    "marks": "SELECT p.telegram_id, k.movie_id, k.kind, k.marked_at FROM marks k"
    " JOIN people p USING (person_id) WHERE p.telegram_id IS NOT NULL ORDER BY 1, 2",
}
"""Telegram users' rows, by table: what no refused update may change."""


async def wire(storage: Storage, holder: ModelHolder, database: Path) -> Wired:
    """An initialised Application with every handler bot.app registers."""
    request = RecordingRequest()
    application: BotApplication = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(request)
        .get_updates_request(RecordingRequest())
        .context_types(CONTEXT_TYPES)
        .updater(None)
        .build()
    )
    application.bot_data.settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    application.bot_data.storage = storage
    application.bot_data.holder = holder
    handlers.register(application)
    admin.register(application)
    handlers.register_fallback(application)
    wired = Wired(application, request, database)

    async def record(update: object, context: Any) -> None:
        wired.errors.append(context.error)

    application.add_error_handler(record)
    await application.initialize()
    await application.start()  # no updater: updates come in through `send` only
    return wired


async def unwire(wired: Wired) -> None:
    await wired.application.stop()
    await wired.application.shutdown()


async def _settle(running: set[asyncio.Task[Any]]) -> None:
    """Wait for the tasks started since `running` (handlers with block=False), so that
    their errors are in too."""
    for _ in range(100):
        pending = [t for t in asyncio.all_tasks() - running if not t.done()]
        if not pending:
            return
        await asyncio.wait(pending, timeout=5)


def message(
    text: str | None,
    *,
    sender: dict[str, Any] | None,
    chat: dict[str, Any],
    sender_chat: dict[str, Any] | None = None,
    **content: Any,
) -> dict[str, Any]:
    """A message body; a leading /command gets its bot_command entity, as Telegram adds."""
    body: dict[str, Any] = {"message_id": 7, "date": int(time.time()), "chat": chat, **content}
    if sender is not None:
        body["from"] = sender
    if sender_chat is not None:
        body["sender_chat"] = sender_chat
    if text is not None:
        body["text"] = text
        if text.startswith("/") and len(text) > 1:
            length = len(text.split()[0]) if text.split() else 1
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return body


def press(data: Any, *, sender: dict[str, Any] | None, chat_id: int = 42) -> dict[str, Any]:
    """A callback_query body on a bot message in chat `chat_id`."""
    chat = private_chat(chat_id) if chat_id > 0 else GROUP
    query: dict[str, Any] = {
        "id": "q1",
        "chat_instance": "1",
        "message": {
            "message_id": 5,
            "date": int(time.time()),
            "chat": chat,
            "from": BOT_USER,
            "text": "a list",
        },
    }
    if sender is not None:
        query["from"] = sender
    if data is not None:
        query["data"] = data
    return {"callback_query": query}


def answers(calls: list[ApiCall]) -> list[str | None]:
    """The texts of the answerCallbackQuery calls among `calls`."""
    return [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]


def sent(calls: list[ApiCall]) -> list[str]:
    """The texts of the messages sent among `calls`."""
    return [c.params.get("text", "") for c in calls if c.method == "sendMessage"]
