"""Per-chat turns, shedding of stale work and the stop (bot.chat.processor)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from datetime import UTC, datetime
from typing import Any

from telegram import CallbackQuery, Chat, Message, Update, User

from bot.chat import texts
from bot.chat.locales import ru
from bot.chat.processor import STALE_PRESS_S, FairProcessor, chat_key
from bot.chat.turns import give_up_turn
from bot.logs import DURATION, JsonFormatter, person_hash


class Answers:
    """Stands in for the bot behind a CallbackQuery: records answers."""

    def __init__(self) -> None:
        self.answers: list[str | None] = []

    async def answer_callback_query(
        self, callback_query_id: str, text: str | None = None, **_: Any
    ) -> bool:
        self.answers.append(text)
        return True


def message(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE if chat_id > 0 else Chat.GROUP)
    sender = User(abs(chat_id), "Ann", is_bot=False)
    return Update(
        update_id,
        message=Message(update_id, datetime.now(UTC), chat, from_user=sender, text="/help"),
    )


def press(update_id: int, chat_id: int, bot: Answers, language_code: str | None = None) -> Update:
    shown = Message(1, datetime.now(UTC), Chat(chat_id, Chat.PRIVATE), text="list")
    presser = User(chat_id, "Ann", is_bot=False, language_code=language_code)
    query = CallbackQuery(f"q{update_id}", presser, "i", message=shown, data="v1|p0")
    query.set_bot(bot)  # type: ignore[arg-type]
    return Update(update_id, callback_query=query)


class Recorder:
    """Handler coroutines that log when they start and end, and can be held."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.release = asyncio.Event()

    async def handle(self, name: str, *, hold: bool = False) -> None:
        self.log.append(f"start {name}")
        if hold:
            await self.release.wait()
        await asyncio.sleep(0)
        self.log.append(f"end {name}")


async def test_one_chat_is_handled_in_order_while_other_chats_go_on() -> None:
    processor, rec = FairProcessor(), Recorder()
    done: list[int] = []

    async def on_done(update_id: int) -> None:
        done.append(update_id)

    processor.on_done = on_done
    first = asyncio.create_task(
        processor.process_update(message(1, -5), rec.handle("g1", hold=True))
    )
    second = asyncio.create_task(processor.process_update(message(2, -5), rec.handle("g2")))
    other = asyncio.create_task(processor.process_update(message(3, 9), rec.handle("p")))
    await other  # a private chat is not held up by the busy group
    assert rec.log == ["start g1", "start p", "end p"]
    rec.release.set()
    await asyncio.gather(first, second)
    assert rec.log[3:] == ["end g1", "start g2", "end g2"]
    assert done == [3, 1, 2]


async def test_a_press_that_waited_too_long_is_answered_busy_and_not_acted_on() -> None:
    now = [0.0]
    processor, rec, bot = FairProcessor(clock=lambda: now[0]), Recorder(), Answers()
    done: list[int] = []

    async def on_done(update_id: int) -> None:
        done.append(update_id)

    processor.on_done = on_done
    held = asyncio.create_task(
        processor.process_update(message(1, 7), rec.handle("slow", hold=True))
    )
    await asyncio.sleep(0)
    late = asyncio.create_task(processor.process_update(press(2, 7, bot), rec.handle("press")))
    await asyncio.sleep(0)
    now[0] = STALE_PRESS_S + 1
    rec.release.set()
    await asyncio.gather(held, late)
    assert "start press" not in rec.log
    assert bot.answers == [texts.current().busy_press_again]
    assert done == [1, 2]  # answered, so done: not replayed at the next start


async def test_the_busy_answer_speaks_the_app_language_of_the_presser() -> None:
    now = [0.0]
    processor, rec, bot = FairProcessor(clock=lambda: now[0]), Recorder(), Answers()
    held = asyncio.create_task(
        processor.process_update(message(1, 7), rec.handle("slow", hold=True))
    )
    await asyncio.sleep(0)
    late = processor.process_update(press(2, 7, bot, "ru"), rec.handle("press"))
    late_task = asyncio.create_task(late)
    await asyncio.sleep(0)
    now[0] = STALE_PRESS_S + 1
    rec.release.set()
    await asyncio.gather(held, late_task)
    assert bot.answers == [ru.CATALOGUE.busy_press_again]


async def test_stopping_hands_back_what_has_not_started_and_cuts_off_the_slow() -> None:
    processor, rec = FairProcessor(), Recorder()
    done: list[int] = []

    async def on_done(update_id: int) -> None:
        done.append(update_id)

    processor.on_done = on_done
    slow = asyncio.create_task(
        processor.process_update(message(1, 7), rec.handle("slow", hold=True))
    )
    queued = asyncio.create_task(processor.process_update(message(2, 7), rec.handle("queued")))
    await asyncio.sleep(0.01)
    assert await processor.drain(timeout=0.05) == 1
    await asyncio.gather(slow, queued, return_exceptions=True)
    assert slow.cancelled()
    assert "start queued" not in rec.log
    assert done == []  # both stay undone in the inbox, so the next start handles them


def test_whose_turn() -> None:
    assert chat_key(message(1, -5)) == -5
    assert chat_key(Update(3)) is None
    assert chat_key("not an update") is None


async def test_a_handler_that_only_waits_for_telegram_lets_its_chat_move_on() -> None:
    processor, rec = FairProcessor(), Recorder()

    async def sends_slowly() -> None:
        rec.log.append("start send")
        give_up_turn()  # what bot.chat.outgoing does before waiting for a rate limit
        await rec.release.wait()
        rec.log.append("end send")

    first = asyncio.create_task(processor.process_update(message(1, 7), sends_slowly()))
    second = asyncio.create_task(processor.process_update(message(2, 7), rec.handle("next")))
    await second  # the same chat, handled while the first still waits
    assert rec.log == ["start send", "start next", "end next"]
    rec.release.set()
    await first


async def test_a_press_that_only_waits_for_its_screen_is_marked_done_at_once() -> None:
    processor, bot = FairProcessor(), Answers()
    done: list[int] = []
    release = asyncio.Event()

    async def on_done(update_id: int) -> None:
        done.append(update_id)

    async def answered_then_waits() -> None:
        give_up_turn()  # answered and committed; its edit waits for the chat's limit
        await release.wait()

    processor.on_done = on_done
    task = asyncio.create_task(processor.process_update(press(4, 7, bot), answered_then_waits()))
    await asyncio.sleep(0.01)
    assert done == [4]  # a crash now would not hand it to the next start
    release.set()
    await task
    assert done == [4]  # and it is not marked twice


async def test_what_is_logged_while_an_update_is_handled_names_it_its_person_and_time() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(b"key"))
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)

    async def logs_a_line() -> None:
        logging.getLogger("bot.chat.buttons").info("saved")

    try:
        await FairProcessor().process_update(message(31, 7), logs_a_line())
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    inside, handled = (json.loads(line) for line in stream.getvalue().splitlines())
    assert inside["update_id"] == handled["update_id"] == 31
    assert inside["person"] == handled["person"] == person_hash(7, b"key")
    assert handled["message"].startswith("update 31 handled in") and handled[DURATION] >= 0
