"""/export: the person's ratings and marks as a CSV file in MovieLens's columns plus the
signal, sent only in a private chat."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from telegram import Chat, Message, Update, User

from bot.chat import handlers, texts
from bot.chat.export import COLUMNS, FILENAME, export, to_csv
from bot.storage import Mark, Storage, UserRating
from tests.support.catalogue import title

WHEN = datetime(2026, 1, 2, 3, 4, 5, 678_000, tzinfo=UTC)
SECONDS = 1767323045
"""WHEN in whole seconds since the epoch, as MovieLens writes timestamps."""


def rows(document: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(document.decode("utf-8"))))


def test_the_header_is_movielens_columns_plus_the_signal() -> None:
    assert rows(to_csv([], [], {}))[0] == ["movieId", "title", "rating", "timestamp", "signal"]
    assert COLUMNS == ("movieId", "title", "rating", "timestamp", "signal")


def test_a_rating_is_a_row_as_in_ratings_csv() -> None:
    document = to_csv([UserRating(2571, 4.5, WHEN)], [], {2571: "Matrix, The (1999)"})

    assert rows(document)[1] == ["2571", "Matrix, The (1999)", "4.5", str(SECONDS), "rating"]
    assert b'2571,"Matrix, The (1999)",4.5,1767323045,rating\r\n' in document
    assert rows(to_csv([UserRating(1, 5.0, WHEN)], [], {1: "A"}))[1][2] == "5.0"


def test_a_mark_is_a_row_with_no_rating_and_the_mark_as_its_signal() -> None:
    marks = [Mark(1, "later", WHEN), Mark(2, "not_seen", WHEN), Mark(3, "not_interested", WHEN)]

    document = to_csv([], marks, {1: "A", 2: "B", 3: "C"})

    assert [(r[0], r[2], r[4]) for r in rows(document)[1:]] == [
        ("1", "", "later"),
        ("2", "", "not_seen"),
        ("3", "", "not_interested"),
    ]


def test_quotes_and_accents_survive_the_round_trip() -> None:
    odd = 'Say "Hi", Amélie (2001)'

    assert rows(to_csv([UserRating(9, 3.0, WHEN)], [], {9: odd}))[1][1] == odd


async def test_the_export_holds_what_storage_holds_ratings_first(storage: Storage) -> None:
    await storage.record_rating(42, 3, 4.0)
    await storage.record_rating(42, 1, 2.5)
    await storage.mark(42, 7, "later")
    await storage.mark(42, 8, "not_interested")

    exported = await export(storage, 42)

    assert exported is not None and (exported.ratings, exported.marks) == (2, 2)
    stored = [r.rated_at for r in await storage.ratings_of(42)]
    assert [r[:3] + r[4:] for r in rows(exported.document)[1:]] == [
        ["1", title(1), "2.5", "rating"],
        ["3", title(3), "4.0", "rating"],
        ["8", title(8), "", "not_interested"],
        ["7", title(7), "", "later"],
    ]
    assert [int(r[3]) for r in rows(exported.document)[1:3]] == [int(t.timestamp()) for t in stored]


async def test_nothing_stored_is_nothing_to_export(storage: Storage) -> None:
    assert await export(storage, 31337) is None


class FakeBot:
    """Records what a handler sends through PTB's Message.reply_* shortcuts."""

    def __init__(self) -> None:
        self.documents: list[tuple[int, bytes, dict[str, Any]]] = []
        self.texts: list[tuple[int, str]] = []

    async def send_document(self, chat_id: int, document: bytes, **kwargs: Any) -> None:
        self.documents.append((chat_id, document, kwargs))

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> None:
        self.texts.append((chat_id, text))


async def send_export(storage: Storage, chat: Chat, user_id: int = 42) -> FakeBot:
    bot = FakeBot()
    message = Message(
        1, datetime.now(UTC), chat, from_user=User(user_id, "Ann", is_bot=False), text="/export"
    )
    message.set_bot(bot)  # type: ignore[arg-type]
    context = SimpleNamespace(storage=storage, args=[], bot=SimpleNamespace(username="movie_bot"))
    await handlers.export_command(Update(1, message=message), context)  # type: ignore[arg-type]
    return bot


async def test_in_a_private_chat_the_file_is_sent_as_a_document(storage: Storage) -> None:
    await storage.record_rating(42, 3, 4.0)

    bot = await send_export(storage, Chat(42, Chat.PRIVATE))

    [(chat_id, document, kwargs)] = bot.documents
    assert chat_id == 42 and kwargs["filename"] == FILENAME == "moviebot-ratings.csv"
    assert rows(document)[1][:3] == ["3", title(3), "4.0"]
    assert kwargs["caption"] == texts.export_caption(1, 0)


async def test_in_a_group_nothing_about_the_person_is_posted(storage: Storage) -> None:
    await storage.record_rating(42, 3, 4.0)

    bot = await send_export(storage, Chat(-1001, Chat.SUPERGROUP))

    assert bot.documents == [] and bot.texts == [(-1001, texts.current().groups.private_only)]


async def test_with_nothing_stored_it_says_so_instead_of_sending_an_empty_file(
    storage: Storage,
) -> None:
    bot = await send_export(storage, Chat(77, Chat.PRIVATE), user_id=77)

    assert bot.documents == [] and bot.texts == [(77, texts.current().export_nothing)]
