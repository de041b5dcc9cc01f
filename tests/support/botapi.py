"""A local stand-in for the Telegram Bot API, for end-to-end tests and benchmarks.

Telegram is unreachable from the machines that build this project, so the real bot
process is pointed (``TELEGRAM_BASE_URL``) at this server on loopback. It answers the
methods the bot uses the way Telegram does, including the errors that matter for a bot's
robustness ("message is not modified", unknown message ids, over-long texts or callback
data), records every call, and lets a test act as people: queue messages and button
presses as updates, then wait for what the bot sends back.

With ``faults`` (tests/support/api_faults.py) it also misbehaves the way Telegram does now
and then: HTTP 500, flood control (429), dropped connections and slow answers, on a share of
calls drawn from a seeded random generator; the call log records which calls were faulted.

Stdlib only, so that tests and ``benchmarks/`` (with the repository root on ``sys.path``)
can both import it. Telegram's rules live in telegram_rules.py, HTTP in botapi_http.py.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any, Literal

from tests.support.api_faults import (
    DroppedConnection,
    FaultPlan,
    FaultSpec,
    delay_seconds,
    parse_faults,
)
from tests.support.botapi_http import handler_for
from tests.support.telegram_rules import (
    CALLBACK_ANSWER_LIMIT,
    MESSAGE_LIMIT,
    NOT_MODIFIED,
    ApiError,
    check_markup,
    plain_text,
    png_size,
)

__all__ = [
    "MESSAGE_METHODS",
    "NOT_MODIFIED",
    "ApiError",
    "Call",
    "DroppedConnection",
    "FakeBotApi",
    "Message",
    "User",
    "buttons",
    "find_button",
    "make_user",
    "parse_faults",
]

User = dict[str, Any]
Message = dict[str, Any]
log = logging.getLogger("e2e.botapi")
log.setLevel(logging.DEBUG)  # a transcript of every call, in pytest's captured log
COMMANDS_LIMIT = 100
DESCRIPTION_LIMIT = 512
SHORT_DESCRIPTION_LIMIT = 120
"""Telegram's limits: commands per list, characters of the description and short one."""
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active;"
    " use deleteWebhook to delete the webhook first"
)


@dataclass(frozen=True)
class Call:
    """One request the bot made: what it asked and what it got back.

    ``fault`` names the injected fault that hit it ("500", "429", "drop", "delay5"), if any:
    the first three were not performed (``ok`` is False), a delayed call was.
    """

    index: int
    method: str
    params: dict[str, Any]
    at: float
    ok: bool
    result: Any = None
    error: str | None = None
    files: dict[str, bytes] = field(default_factory=dict, repr=False)
    fault: str | None = None

    @property
    def chat_id(self) -> int | None:
        """The chat the call targets (also for edits), if it names one."""
        chat = self.params.get("chat_id")
        return chat if isinstance(chat, int) else None


def make_user(
    user_id: int,
    first_name: str = "Tester",
    *,
    username: str | None = None,
    language_code: str = "en",
) -> User:
    """A Telegram ``User`` object for a person the test plays (``language_code``: their app's
    language, an IETF tag such as "ru" or "es-419")."""
    user: User = {
        "id": user_id,
        "is_bot": False,
        "first_name": first_name,
        "language_code": language_code,
    }
    if username:
        user["username"] = username
    return user


def make_group(chat_id: int, title: str = "Movie night") -> dict[str, Any]:
    """A Telegram group ``Chat`` object (group ids are negative)."""
    assert chat_id < 0, "group chat ids are negative"
    return {"id": chat_id, "type": "group", "title": title}


def buttons(message: Message) -> list[dict[str, Any]]:
    """All inline buttons of a message, row by row."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button for row in rows for button in row]


def find_button(message: Message, prefix: str) -> dict[str, Any]:
    """The first button whose text starts with ``prefix``; a readable error otherwise."""
    for button in buttons(message):
        if button["text"].startswith(prefix):
            return button
    texts = [button["text"] for button in buttons(message)]
    raise LookupError(f"no button starting with {prefix!r}; buttons: {texts}")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    """socketserver's listen backlog of 5 overflows when a bot opens many connections at once
    (PTB keeps a pool of up to 256): 238 of 768 requests from 256 at a time timed out."""


class FakeBotApi:
    """The server plus the state of the chats it serves; thread-safe throughout."""

    def __init__(
        self,
        token: str,
        *,
        bot_name: str = "Movie Test Bot",
        faults: FaultSpec | str | None = None,
        seed: int = 0,
    ) -> None:
        self.token = token
        bot_id = int(token.split(":", 1)[0])
        self.bot_user: User = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_name,
            "username": "movie_test_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self._cond = threading.Condition()
        self._calls: list[Call] = []
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._messages: dict[tuple[int, int], Message] = {}
        self._next_message_id: dict[int, int] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        # id -> query; "answered" once answered
        self._callbacks: dict[str, dict[str, Any] | Literal["answered"]] = {}
        self._callback_ids = itertools.count(1)
        self._update_ids: dict[tuple[Any, ...], int] = {}
        self._commands: dict[str, list[dict[str, Any]]] = {}  # scope key -> commands
        self._descriptions: dict[str, str] = {}  # "description", "short_description/ru", ...
        self._failures: dict[str, list[ApiError]] = {}
        self._closed = False
        self._stopped = threading.Event()  # cuts injected delays short at stop()
        self._polls_started = 0
        self._webhook: dict[str, Any] | None = None  # setWebhook's parameters, until deleted
        self._faults = FaultPlan(faults, seed)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -------------------------------------------------------------------
    def start(self) -> FakeBotApi:
        """Listen on 127.0.0.1 on a free port, in a background thread."""
        self._server = _Server(("127.0.0.1", 0), handler_for(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening; long polls in flight return empty."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._stopped.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """What to give PTB as ``base_url`` (it appends the token and the method)."""
        assert self._server, "start() the server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    # ---- acting as people ------------------------------------------------------------
    def send_text(self, user: User, text: str, *, chat: dict[str, Any] | None = None) -> Message:
        """Queue a text message from ``user`` (in their private chat unless ``chat``)."""
        with self._cond:
            chat = chat or self._private_chat(user)
            self._chats[chat["id"]] = chat
            message = self._new_message(chat["id"], user, text=text)
            command = re.match(r"/[A-Za-z0-9_]+(@\w+)?", text)
            if command:
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": command.end()}
                ]
            update_id = self._queue({"message": message})
            self._update_ids[("message", chat["id"], message["message_id"])] = update_id
            log.debug("%s says %r in chat %s", user["id"], text, chat["id"])
            return message

    def reply_text(self, user: User, replied: Message, text: str) -> Message:
        """Queue a text message from ``user`` replying to ``replied`` (in its chat)."""
        with self._cond:
            chat = replied["chat"]
            reply = {k: v for k, v in replied.items() if k != "reply_to_message"}
            message = self._new_message(chat["id"], user, text=text, reply_to_message=reply)
            update_id = self._queue({"message": message})
            self._update_ids[("message", chat["id"], message["message_id"])] = update_id
            return message

    def press(self, user: User, message: Message, data: str) -> str:
        """Queue a button press carrying ``data`` on a bot message; returns the query id."""
        with self._cond:
            key = (message["chat"]["id"], message["message_id"])
            current = self._messages.get(key, message)
            query_id = f"cq{next(self._callback_ids)}-{user['id']}"
            query = {
                "id": query_id,
                "from": user,
                "message": current,
                "chat_instance": str(message["chat"]["id"] * 7 + 1),
                "data": data,
            }
            self._callbacks[query_id] = query
            self._update_ids[("query", query_id)] = self._queue({"callback_query": query})
            log.debug("%s presses %r (%s)", user["id"], data, query_id)
            return query_id

    def press_button(self, user: User, message: Message, prefix: str) -> str:
        """Press the button whose text starts with ``prefix`` on the message as it is now."""
        current = self.message(message["chat"]["id"], message["message_id"]) or message
        return self.press(user, current, find_button(current, prefix)["callback_data"])

    def send_raw(self, update: dict[str, Any]) -> int:
        """Queue any update body (an ``edited_message``, a ``channel_post``, a message without
        ``from``...) as it is; returns the ``update_id`` the server gives it.

        Chats named in it become known (so the bot may answer there) and a ``callback_query``
        with an ``id`` can be answered (and counts in ``unanswered()``) like a ``press``.
        """
        body = json.loads(json.dumps(update))
        body.pop("update_id", None)
        with self._cond:
            for value in body.values():
                if not isinstance(value, dict):
                    continue
                for chat in (value.get("chat"), (value.get("message") or {}).get("chat")):
                    if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                        self._chats.setdefault(chat["id"], chat)
            query = body.get("callback_query")
            query_id = query.get("id") if isinstance(query, dict) else None
            if isinstance(query_id, str):
                self._callbacks[query_id] = query
            update_id = self._queue(body)
            if isinstance(query_id, str):
                self._update_ids[("query", query_id)] = update_id
            log.debug("raw update %s: %s", update_id, sorted(body))
            return update_id

    def delete_by_person(self, message: Message) -> None:
        """The person deletes a bot message (its buttons may still be pressed meanwhile)."""
        with self._cond:
            self._messages.pop((message["chat"]["id"], message["message_id"]), None)

    def fail_next(
        self,
        method: str,
        code: int = 502,
        description: str = "Bad Gateway",
        *,
        retry_after: int | None = None,
    ) -> None:
        """Make the next call of ``method`` fail, to exercise the bot's error paths;
        ``retry_after`` answers like Telegram's flood control (429)."""
        error = ApiError(code, description, {"retry_after": retry_after} if retry_after else None)
        with self._cond:
            self._failures.setdefault(method, []).append(error)

    def set_faults(self, faults: FaultSpec | str | None, seed: int = 0) -> None:
        """Misbehave from now on as ``faults`` says (None or "" stops), drawing from a fresh
        generator seeded with ``seed``. A call with a ``fail_next`` failure waiting is not
        faulted (the injected failure wins)."""
        plan = FaultPlan(faults, seed)
        with self._cond:
            self._faults = plan

    @property
    def faults(self) -> FaultSpec:
        """The faults in force."""
        with self._cond:
            return self._faults.spec

    # ---- reading what happened -------------------------------------------------------
    def mark(self) -> int:
        """A position in the call log; pass it as ``since`` to wait for later calls only."""
        with self._cond:
            return len(self._calls)

    def calls(self, method: str | None = None, since: int = 0) -> list[Call]:
        """Recorded calls (of one method, from a mark on)."""
        with self._cond:
            return [c for c in self._calls[since:] if method is None or c.method == method]

    def wait_calls(self, since: int, timeout: float = 1.0) -> list[Call]:
        """The calls recorded from ``since`` on, waiting up to ``timeout`` for the first one
        (empty when none came, or the server stopped): to follow the log from one thread."""
        with self._cond:
            self._cond.wait_for(lambda: len(self._calls) > since or self._closed, timeout)
            return self._calls[since:]

    def fault_counts(self, since: int = 0) -> dict[str, int]:
        """How many recorded calls each fault kind hit."""
        counts: dict[str, int] = {}
        for call in self.calls(since=since):
            if call.fault:
                counts[call.fault] = counts.get(call.fault, 0) + 1
        return counts

    def wait_for(
        self,
        method: str | Callable[[Call], bool],
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,
        *,
        since: int = 0,
    ) -> Call:
        """Block until a call of ``method`` (a name or a test on the call) matching
        ``predicate`` is recorded at or after ``since``."""
        wanted = method if callable(method) else (lambda call: call.method == method)
        deadline = time.monotonic() + timeout
        with self._cond:
            scanned = since
            while True:
                for call in self._calls[scanned:]:
                    if wanted(call) and (predicate is None or predicate(call)):
                        return call
                scanned = max(scanned, len(self._calls))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    recent = [(c.method, c.ok, _brief(c.params)) for c in self._calls[since:][-8:]]
                    raise TimeoutError(f"no matching {method!r} call in {timeout}s; got {recent}")
                self._cond.wait(remaining)

    @property
    def polls_started(self) -> int:
        """How many getUpdates requests have arrived (a long poll is counted as it begins)."""
        with self._cond:
            return self._polls_started

    def wait_poll(self, after: int, timeout: float = 10.0) -> bool:
        """Whether a getUpdates request arrives (begins) beyond the first ``after`` ones."""
        with self._cond:
            return self._cond.wait_for(lambda: self._polls_started > after, timeout)

    def wait_delivered(
        self, *, message: Message | None = None, query_id: str | None = None, timeout: float = 10.0
    ) -> Call:
        """The getUpdates call that handed a person's message (or press) to the bot: what the
        bot sends after it can be a reply, what it sent before cannot."""
        update_id = self.update_id(message=message, query_id=query_id)
        return self.wait_for(
            "getUpdates",
            lambda c: any(u["update_id"] == update_id for u in c.result or ()),
            timeout,
        )

    def update_id(self, *, message: Message | None = None, query_id: str | None = None) -> int:
        """The update_id under which a person's message (from ``send_text``) or press went
        to the bot."""
        if message is not None:
            key: tuple[Any, ...] = ("message", message["chat"]["id"], message["message_id"])
        else:
            key = ("query", query_id)
        with self._cond:
            return self._update_ids[key]

    def wait_message(self, chat_id: int, *, since: int, timeout: float = 10.0) -> Message:
        """The bot's next message sent to or edited in ``chat_id``, as it is now."""
        call = self.wait_for(
            lambda c: c.ok and c.method in MESSAGE_METHODS and c.chat_id == chat_id,
            timeout=timeout,
            since=since,
        )
        with self._cond:
            return self._messages.get((chat_id, call.result["message_id"]), call.result)

    def wait_answer(self, query_id: str, timeout: float = 10.0) -> Call:
        """The bot's ``answerCallbackQuery`` for a press."""
        return self.wait_for(
            "answerCallbackQuery",
            lambda c: c.params.get("callback_query_id") == query_id,
            timeout,
        )

    def answered(self, query_id: str) -> Call | None:
        """The answer to a press, if the bot gave one already."""
        found = [
            c
            for c in self.calls("answerCallbackQuery")
            if c.params["callback_query_id"] == query_id
        ]
        return found[0] if found else None

    def message(self, chat_id: int, message_id: int) -> Message | None:
        """A message as it is now (after edits); None once deleted."""
        with self._cond:
            return self._messages.get((chat_id, message_id))

    def last_message_to(self, chat_id: int) -> Message | None:
        """The bot's most recent message in a chat, as it is now."""
        with self._cond:
            ours = [
                m
                for (chat, _), m in self._messages.items()
                if chat == chat_id and m["from"]["id"] == self.bot_user["id"]
            ]
            return max(ours, key=lambda m: m["message_id"]) if ours else None

    def unanswered(self) -> list[dict[str, Any]]:
        """Button presses the bot never answered (the person would see a spinner)."""
        with self._cond:
            return [q for q in self._callbacks.values() if q != "answered"]

    def pending_updates(self) -> int:
        """Updates the bot has not confirmed yet (through getUpdates' offset)."""
        with self._cond:
            return len(self._updates)

    def take_updates(self, wait: float = 0.0) -> list[dict[str, Any]]:
        """The pending updates, taken off the queue as Telegram takes them to deliver to a
        webhook (the test then POSTs them to the bot itself); waits up to ``wait`` seconds
        for one when none is pending."""
        with self._cond:
            self._cond.wait_for(lambda: self._updates or self._closed, wait)
            taken, self._updates = self._updates, []
            return [json.loads(json.dumps(u)) for u in taken]

    @property
    def webhook(self) -> dict[str, Any] | None:
        """What the bot's last setWebhook asked for (url, secret_token, allowed_updates,
        drop_pending_updates...); None before one, or after deleteWebhook."""
        with self._cond:
            return dict(self._webhook) if self._webhook is not None else None

    @property
    def commands(self) -> list[dict[str, Any]]:
        """The command list the bot registered with setMyCommands for the default scope."""
        return self.commands_in("default")

    def commands_in(self, scope: str) -> list[dict[str, Any]]:
        """The command list registered for one scope: "default", "all_private_chats",
        "chat:<chat_id>", "chat_administrators:<chat_id>", "chat_member:<chat_id>:<user_id>"
        (with "/<language_code>" appended when the bot gave one)."""
        with self._cond:
            return list(self._commands.get(scope, []))

    @property
    def command_scopes(self) -> list[str]:
        """Every scope that has a command list, in the order first registered."""
        with self._cond:
            return list(self._commands)

    @property
    def description(self) -> str:
        """What setMyDescription set without a language code ("" before)."""
        return self.description_in(None)

    @property
    def short_description(self) -> str:
        """What setMyShortDescription set without a language code ("" before)."""
        return self.description_in(None, "short_description")

    def description_in(self, language: str | None, name: str = "description") -> str:
        """The description (or "short_description") set for one language code."""
        with self._cond:
            return self._descriptions.get(f"{name}/{language}" if language else name, "")

    # ---- the Bot API -----------------------------------------------------------------
    def handle(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        """Run one Bot API method; raises ApiError for Telegram's error answers and
        DroppedConnection when a ``drop`` fault says to close without answering."""
        if method == "getUpdates":
            with self._cond:
                self._polls_started += 1
                self._cond.notify_all()
        fault = self._draw_fault(method)
        delay = delay_seconds(fault) if fault else None
        if fault and delay is None:  # 500, 429, drop: not performed
            refusal = _refusal(fault)
            description = refusal.description if refusal else "connection dropped"
            self._record(method, params, files, error=description, fault=fault)
            raise refusal or DroppedConnection(method)
        error: ApiError | None = None
        result: Any = None
        if method == "getUpdates":
            try:
                result = self._get_updates(params)  # waits on the condition, releasing the lock
            except ApiError as refused:
                error = refused
            self._record(method, params, files, result=result, error=error, fault=fault)
        else:
            with self._cond:  # performed and recorded in one go: the log keeps the order
                try:
                    result = self._perform(method, params, files)
                except ApiError as refused:
                    error = refused
                self._record(method, params, files, result=result, error=error, fault=fault)
        if delay:
            self._stopped.wait(delay)  # a slow Telegram: the work is done, the answer is late
        if error is not None:
            raise error
        return result

    def _draw_fault(self, method: str) -> str | None:
        with self._cond:
            if self._failures.get(method):
                return None  # an injected failure comes first
            plan = self._faults
        return plan.draw(method)

    def _perform(self, method: str, params: dict, files: dict) -> Any:
        failures = self._failures.get(method)
        if failures:
            raise failures.pop(0)
        action = _METHODS.get(method)
        if action is None:
            raise ApiError(404, "Not Found")
        return action(self, params, files)

    def _record(
        self,
        method: str,
        params: dict,
        files: dict,
        *,
        result: Any = None,
        error: ApiError | str | None = None,
        fault: str | None = None,
    ) -> None:
        if isinstance(error, ApiError):
            error = error.description
        with self._cond:
            call = Call(
                len(self._calls),
                method,
                params,
                time.time(),
                error is None,
                result,
                error,
                fault=fault,
            )
            self._calls.append(call)
            if method != "getUpdates" or result or error:
                shown = error or "ok"
                log.debug("bot %s %s -> %s%s", method, _brief(params), shown, _tag(fault))
            if files:
                call.files.update(files)
            self._cond.notify_all()

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        with self._cond:
            failures = self._failures.get("getUpdates")
            if failures:
                raise failures.pop(0)
            if self._webhook is not None:
                raise ApiError(409, WEBHOOK_CONFLICT)
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and not self._closed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            return [json.loads(json.dumps(u)) for u in self._updates[:limit]]

    def _get_me(self, params: dict, files: dict) -> User:
        return self.bot_user

    def _true(self, params: dict, files: dict) -> bool:
        return True

    def _set_webhook(self, params: dict, files: dict) -> bool:
        if not str(params.get("url") or "").startswith(("https://", "http://")):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        self._webhook = dict(params)
        return True

    def _delete_webhook(self, params: dict, files: dict) -> bool:
        self._webhook = None
        return True

    def _set_my_commands(self, params: dict, files: dict) -> bool:
        commands = list(params.get("commands") or [])
        if len(commands) > COMMANDS_LIMIT:
            raise ApiError(400, "Bad Request: too many commands specified")
        self._commands[self._scope_key(params)] = commands
        return True

    def _get_my_commands(self, params: dict, files: dict) -> list[dict[str, Any]]:
        return list(self._commands.get(self._scope_key(params), []))

    def _delete_my_commands(self, params: dict, files: dict) -> bool:
        self._commands.pop(self._scope_key(params), None)
        return True

    def _scope_key(self, params: dict) -> str:
        """Telegram keeps one command list per scope and language; a chat scope names a chat
        the bot has met, else "chat not found" (an admin who never opened the chat)."""
        scope = params.get("scope") or {"type": "default"}
        kind = scope.get("type")
        if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
            key = kind
        elif kind in ("chat", "chat_administrators", "chat_member"):
            if scope.get("chat_id") not in self._chats:
                raise ApiError(400, "Bad Request: chat not found")
            key = f"{kind}:{scope['chat_id']}"
            if kind == "chat_member":
                key += f":{scope.get('user_id')}"
        else:
            raise ApiError(400, f"Bad Request: unsupported bot command scope type {kind!r}")
        language = params.get("language_code")
        return f"{key}/{language}" if language else key

    def _set_description(self, params: dict, files: dict, name: str, limit: int) -> bool:
        text = str(params.get(name) or "")
        if len(text) > limit:
            raise ApiError(400, f"Bad Request: {name} is too long")
        language = params.get("language_code")
        self._descriptions[f"{name}/{language}" if language else name] = text
        return True

    def _set_my_description(self, params: dict, files: dict) -> bool:
        return self._set_description(params, files, "description", DESCRIPTION_LIMIT)

    def _set_my_short_description(self, params: dict, files: dict) -> bool:
        return self._set_description(params, files, "short_description", SHORT_DESCRIPTION_LIMIT)

    def _send_message(self, params: dict, files: dict) -> Message:
        text = plain_text(str(params.get("text") or ""), params.get("parse_mode"))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MESSAGE_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        chat_id = self._known_chat(params)
        markup = check_markup(params.get("reply_markup"))
        replied = self._replied(chat_id, params)
        message = self._new_message(
            chat_id, self.bot_user, text=text, reply_markup=markup, reply_to_message=replied
        )
        return self._copy(message)

    def _send_photo(self, params: dict, files: dict) -> Message:
        chat_id = self._known_chat(params)
        photo = files.get("photo")
        if not photo:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        caption = plain_text(str(params.get("caption") or ""), params.get("parse_mode"))
        if len(caption) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        markup = check_markup(params.get("reply_markup"))
        message = self._new_message(chat_id, self.bot_user, caption=caption or None)
        width, height = png_size(photo)
        unique = f"photo{chat_id}_{message['message_id']}"
        message["photo"] = [
            {
                "file_id": unique,
                "file_unique_id": unique,
                "width": width,
                "height": height,
                "file_size": len(photo),
            }
        ]
        if markup:
            message["reply_markup"] = markup
        return self._copy(message)

    def _send_document(self, params: dict, files: dict) -> Message:
        """A file upload (multipart): its bytes are in the call's ``files["document"]``. The
        message's ``document.file_name`` is a placeholder: parse_body keeps no file names."""
        chat_id = self._known_chat(params)
        document = files.get("document")
        if not document:
            raise ApiError(400, "Bad Request: there is no document in the request")
        caption = plain_text(str(params.get("caption") or ""), params.get("parse_mode"))
        if len(caption) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        message = self._new_message(chat_id, self.bot_user, caption=caption or None)
        unique = f"document{chat_id}_{message['message_id']}"
        message["document"] = {
            "file_id": unique,
            "file_unique_id": unique,
            "file_name": "document",
            "file_size": len(document),
        }
        return self._copy(message)

    def _edit_text(self, params: dict, files: dict) -> Message:
        message = self._editable(params)
        text = plain_text(str(params.get("text") or ""), params.get("parse_mode"))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MESSAGE_LIMIT:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        markup = check_markup(params.get("reply_markup"))
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED)
        return self._replace(message, text=text, reply_markup=markup)

    def _edit_markup(self, params: dict, files: dict) -> Message:
        message = self._editable(params)
        markup = check_markup(params.get("reply_markup"))
        if message.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED)
        return self._replace(message, text=message.get("text"), reply_markup=markup)

    def _answer_callback(self, params: dict, files: dict) -> bool:
        query_id = params.get("callback_query_id")
        if not isinstance(query_id, str) or self._callbacks.get(query_id) in (None, "answered"):
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query id is invalid",
            )
        if len(str(params.get("text") or "")) > CALLBACK_ANSWER_LIMIT:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._callbacks[query_id] = "answered"
        return True

    def _delete_message(self, params: dict, files: dict) -> bool:
        key = _message_key(params)
        if key is None or self._messages.pop(key, None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    # ---- state helpers (called with the lock held) ------------------------------------
    def _queue(self, update: dict[str, Any]) -> int:
        update["update_id"] = self._next_update_id
        self._next_update_id += 1
        self._updates.append(update)
        self._cond.notify_all()
        return update["update_id"]

    def _private_chat(self, user: User) -> dict[str, Any]:
        return {"id": user["id"], "type": "private", "first_name": user["first_name"]}

    def _new_message(self, chat_id: int, sender: User, **content: Any) -> Message:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        message = {
            "message_id": message_id,
            "from": sender,
            "chat": self._chats[chat_id],
            "date": int(time.time()),
            **{key: value for key, value in content.items() if value is not None},
        }
        self._messages[(chat_id, message_id)] = message
        return message

    def _replied(self, chat_id: int, params: dict) -> Message | None:
        """The message a send replies to (Telegram nests it, without its own reply), or None.

        A missing one is refused unless ``allow_sending_without_reply``, as Telegram does."""
        reply = params.get("reply_parameters") or {}
        if not isinstance(reply, dict) or "message_id" not in reply:
            return None
        replied = self._messages.get((reply.get("chat_id", chat_id), reply["message_id"]))
        if replied is None:
            if reply.get("allow_sending_without_reply"):
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        return {k: v for k, v in replied.items() if k != "reply_to_message"}

    def _known_chat(self, params: dict) -> int:
        chat_id = params.get("chat_id")
        if chat_id not in self._chats:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _copy(self, message: Message) -> Message:
        """What goes back over HTTP: a copy, so later edits do not alter recorded results."""
        return json.loads(json.dumps(message))

    def _editable(self, params: dict) -> Message:
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: inline messages are not supported by this server")
        key = _message_key(params)
        message = None if key is None else self._messages.get(key)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message["from"]["id"] != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def _replace(self, message: Message, **content: Any) -> Message:
        edited = {k: v for k, v in message.items() if k not in ("text", "reply_markup")}
        edited.update({k: v for k, v in content.items() if v is not None})
        edited["edit_date"] = int(time.time())
        self._messages[(message["chat"]["id"], message["message_id"])] = edited
        return self._copy(edited)


_METHODS: dict[str, Callable[[FakeBotApi, dict, dict], Any]] = {
    "getMe": FakeBotApi._get_me,
    "deleteWebhook": FakeBotApi._delete_webhook,
    "setWebhook": FakeBotApi._set_webhook,
    "close": FakeBotApi._true,
    "logOut": FakeBotApi._true,
    "sendChatAction": FakeBotApi._true,
    "setMyCommands": FakeBotApi._set_my_commands,
    "deleteMyCommands": FakeBotApi._delete_my_commands,
    "getMyCommands": FakeBotApi._get_my_commands,
    "setMyDescription": FakeBotApi._set_my_description,
    "setMyShortDescription": FakeBotApi._set_my_short_description,
    "sendMessage": FakeBotApi._send_message,
    "sendPhoto": FakeBotApi._send_photo,
    "sendDocument": FakeBotApi._send_document,
    "editMessageText": FakeBotApi._edit_text,
    "editMessageReplyMarkup": FakeBotApi._edit_markup,
    "answerCallbackQuery": FakeBotApi._answer_callback,
    "deleteMessage": FakeBotApi._delete_message,
}
MESSAGE_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "editMessageText", "editMessageReplyMarkup"}
)


def _refusal(fault: str) -> ApiError | None:
    """What a refusing fault kind answers; None for "drop" (no answer at all)."""
    if fault == "500":
        return ApiError(500, "Internal Server Error")
    if fault == "429":
        return ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
    return None


def _tag(fault: str | None) -> str:
    return f" [fault {fault}]" if fault else ""


def _brief(params: dict[str, Any]) -> dict[str, Any]:
    """Call parameters shortened for an error message."""
    return {
        k: (v[:60] if isinstance(v, str) else v) for k, v in params.items() if k != "reply_markup"
    }


def _message_key(params: dict[str, Any]) -> tuple[int, int] | None:
    """The (chat id, message id) a call names; None when it leaves either out."""
    chat_id, message_id = params.get("chat_id"), params.get("message_id")
    if chat_id is None or message_id is None:
        return None
    return chat_id, message_id
