"""Running the real bot process against the fake Bot API, and playing people in it.

Shared by the end-to-end tests (through fixtures in conftest.py) and by benchmarks,
which import it with the repository root on ``sys.path``::

    from tests.support.botapi import FakeBotApi
    from tests.support.data import movielens_dir, write_subset
    from tests.support.harness import BotProcess, Person, make_token
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.support.botapi import (
    Call,
    FakeBotApi,
    Message,
    buttons,
    find_button,
    make_user,
)
from tests.support.training import FAST_JSON

EDIT_METHODS = frozenset({"editMessageText", "editMessageReplyMarkup"})
_SUCCEEDED = re.compile(r"training run \d+ succeeded")
_POLLING = re.compile(r"getUpdates|No new updates found")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the system picks it), for a server the bot binds."""
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def make_token() -> str:
    """A fresh token in Telegram's shape, with a secret long enough to search logs for."""
    return f"{secrets.randbelow(10**9) + 10**9}:TEST{secrets.token_hex(16)}"


class BotProcess:
    """``python -m bot`` in its own process group, logging to one file across restarts."""

    def __init__(
        self,
        api: FakeBotApi,
        workdir: Path,
        movielens: Path,
        *,
        admin_ids: tuple[int, ...] = (),
        env: dict[str, str] | None = None,
        command: Sequence[str] = (sys.executable, "-m", "bot"),
    ) -> None:
        self.api = api
        self.command = list(command)
        """What starts the bot: this checkout's ``python -m bot`` unless told otherwise (an
        installed ``moviebot``)."""
        self.workdir = workdir
        self.database = workdir / "moviebot.db"
        self.models = workdir / "models"
        self.log_path = workdir / "bot.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")},
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_BASE_URL": api.base_url,
            "DATA_DIR": str(workdir),
            "DATABASE_PATH": str(self.database),
            "MODEL_DIR": str(self.models),
            "MOVIELENS_DIR": str(movielens),
            "ADMIN_IDS": ",".join(map(str, admin_ids)),
            "LOG_LEVEL": "DEBUG",
            "RETRAIN_SCHEDULE": "off",
            "TRAIN_CONFIG": FAST_JSON,
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.polls_before = 0

    def start(self) -> BotProcess:
        """Start the bot; returns at once (see ``wait_polling``)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.polls_before = self.api.polls_started
        self.calls_before = self.api.mark()
        with self.log_path.open("ab") as log:
            log.write(f"\n===== bot start {time.strftime('%H:%M:%S')} =====\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                self.command,
                cwd=self.workdir,  # away from the repository's .env
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def wait_polling(self, timeout: float = 60.0) -> None:
        """Until the bot asks for updates (it has started and registered its handlers)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            if self.api.wait_poll(self.polls_before, timeout=0.5):
                return
        raise TimeoutError(f"the bot did not start polling in {timeout}s; log:\n{self.log_tail()}")

    def wait_webhook(self, timeout: float = 60.0) -> None:
        """Until the bot has set its webhook (in webhook mode): its server listens by then."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            with contextlib.suppress(TimeoutError):
                self.api.wait_for("setWebhook", timeout=0.5, since=self.calls_before)
                return
        raise TimeoutError(f"the bot set no webhook in {timeout}s; log:\n{self.log_tail()}")

    def model_trained(self) -> bool:
        """Whether a trained model is active and serving (not the popularity fallback)."""
        return (self.models / "current").exists() and bool(_SUCCEEDED.search(self.log()))

    def wait_model(self, timeout: float = 180.0) -> None:
        """Until ``model_trained()``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            if self.model_trained():
                return
            time.sleep(0.2)
        raise TimeoutError(f"no trained model after {timeout}s; log:\n{self.log_tail()}")

    def wait_log(self, pattern: str, timeout: float = 20.0) -> re.Match[str]:
        """Until the bot's log matches ``pattern`` (a regular expression)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.log())
            if found:
                return found
            self.check_alive()
            time.sleep(0.1)
        raise TimeoutError(f"no {pattern!r} in the log after {timeout}s:\n{self.log_tail()}")

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM (a graceful PTB shutdown), then SIGKILL for the whole group if it hangs."""
        process, self.process = self.process, None
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # a training worker left behind, if any
        return process.returncode

    def kill(self) -> None:
        """SIGKILL the whole process group at once, as a crash or an OOM killer would."""
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def restart(self) -> int | None:
        """Stop and start again with the same database and models; waits until polling."""
        code = self.stop()
        self.start()
        self.wait_polling()
        return code

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(
                f"the bot exited with {self.process.returncode}; log:\n{self.log_tail()}"
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 40) -> str:
        """The end of the log without the long-polling chatter of DEBUG level."""
        quiet = [line for line in self.log().splitlines() if not _POLLING.search(line)]
        return "\n".join(quiet[-lines:])


class Person:
    """Someone chatting with the bot, one step at a time: in a private chat, or in the group
    ``chat`` (a Person made by ``in_group``)."""

    def __init__(
        self,
        api: FakeBotApi,
        user_id: int,
        name: str = "Tester",
        chat: dict[str, Any] | None = None,
    ) -> None:
        self.api = api
        self.user = make_user(user_id, name)
        self.id = user_id
        self.chat = chat
        self.chat_id = chat["id"] if chat else user_id
        """Where this person talks and the bot's replies are looked for."""
        self.answers: list[Call] = []

    def in_group(self, chat: dict[str, Any]) -> Person:
        """The same person, talking in the group ``chat``."""
        return Person(self.api, self.id, self.user["first_name"], chat)

    def say(self, text: str, timeout: float = 20.0) -> Message:
        """Send a message; returns the bot's first reply."""
        return self.say_all(text, 1, timeout)[0]

    def say_all(self, text: str, count: int, timeout: float = 20.0) -> list[Message]:
        """Send a message; returns the bot's first ``count`` messages in reply (sent after
        the bot received it, so a message trailing an earlier press is not taken for one)."""
        sent = self.api.send_text(self.user, text, chat=self.chat)
        mark = self.api.wait_delivered(message=sent, timeout=timeout).index
        replies: list[Message] = []
        for _ in range(count):
            call = self.api.wait_for(
                lambda c: c.ok and c.method == "sendMessage" and c.chat_id == self.chat_id,
                timeout=timeout,
                since=mark,
            )
            replies.append(self.api.message(self.chat_id, call.result["message_id"]) or call.result)
            mark = call.index + 1
        return replies

    def wait_sent(self, contains: str, *, since: int = 0, timeout: float = 20.0) -> Message:
        """A message the bot sent to this person containing ``contains`` (e.g. a message
        that trails a button press), so that the next ``say`` does not mistake it for
        its reply."""
        call = self.api.wait_for(
            lambda c: c.ok and c.method == "sendMessage" and c.chat_id == self.chat_id,
            lambda c: contains in c.result.get("text", ""),
            timeout,
            since=since,
        )
        return self.api.message(self.chat_id, call.result["message_id"]) or call.result

    def tap(self, message: Message, prefix: str, timeout: float = 20.0) -> Message:
        """Press the button starting with ``prefix``; returns the message the bot then shows."""
        button = find_button(self.current(message), prefix)
        return self.press(message, button["callback_data"], timeout=timeout)

    def rate(self, card: Message, value: str, timeout: float = 20.0) -> Message:
        """Press the rating button for ``value`` ("4.5", "5"); returns the next screen."""
        for button in buttons(self.current(card)):
            if button["text"] == value or button["text"].startswith(value + " "):
                return self.press(card, button["callback_data"], timeout=timeout)
        raise LookupError(f"no rating button {value!r}: {button_texts(self.current(card))}")

    def press(self, message: Message, data: str, timeout: float = 20.0) -> Message:
        """Press a button with any ``data`` (forged or real) on a message; waits for the
        answer and the bot's edit of that message, and returns the message as edited."""
        mark = self.api.mark()
        answer = self.press_only(message, data, timeout)
        edited = self.api.wait_for(
            lambda c: c.ok and c.method in EDIT_METHODS and c.chat_id == self.chat_id,
            lambda c: c.params.get("message_id") == message["message_id"],
            timeout=timeout,
            since=mark,
        )
        if edited.index < answer.index:
            raise AssertionError(f"{edited.method} came before answerCallbackQuery for {data!r}")
        return self.current(message)

    def press_only(self, message: Message, data: str, timeout: float = 20.0) -> Call:
        """Press and wait only for the ``answerCallbackQuery``; returns it."""
        query_id = self.api.press(self.user, self.current(message), data)
        answer = self.api.wait_answer(query_id, timeout)
        self.answers.append(answer)
        return answer

    def current(self, message: Message) -> Message:
        """A bot message as it is now (after edits)."""
        return self.api.message(message["chat"]["id"], message["message_id"]) or message


def button_texts(message: Message) -> list[str]:
    return [button["text"] for button in buttons(message)]


def numbered_buttons(message: Message) -> list[dict[str, Any]]:
    """Movie buttons ("12. Title ...") in order."""
    return [b for b in buttons(message) if re.match(r"\d+\. ", b["text"])]


def listed_movies(message: Message) -> list[int]:
    """The movie ids behind a list's numbered buttons, read with the bot's own parser."""
    from bot.chat import callbacks  # the bot's callback format is its business, not the harness's
    from tests.support.keyboard import movie_id

    return [movie_id(callbacks.parse(b["callback_data"])) for b in numbered_buttons(message)]


def stored_ratings(database: Path, telegram_id: int) -> dict[int, float]:
    """What the database holds for a person, read directly (not through the bot)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT r.movie_id, r.rating FROM ratings r JOIN people p USING (person_id)"
            " WHERE p.telegram_id = ?",
            (telegram_id,),
        ).fetchall()
    return dict(rows)


def person_known(database: Path, telegram_id: int) -> bool:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        row = db.execute("SELECT 1 FROM people WHERE telegram_id = ?", (telegram_id,)).fetchone()
    return row is not None


def movie_genres(database: Path, movie_ids: list[int]) -> dict[int, set[str]]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        marks = ",".join("?" * len(movie_ids))
        rows = db.execute(
            f"SELECT movie_id, genres FROM movies WHERE movie_id IN ({marks})", movie_ids
        ).fetchall()
    return {movie_id: set(filter(None, genres.split("|"))) for movie_id, genres in rows}


def stored_marks(database: Path, telegram_id: int) -> dict[int, str]:
    """The person's marks (not_seen, not_interested, later) by movie, read directly."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT k.movie_id, k.kind FROM marks k JOIN people p USING (person_id)"
            " WHERE p.telegram_id = ?",
            (telegram_id,),
        ).fetchall()
    return dict(rows)
