"""The bot's Prometheus metrics (bot.chat.metrics) and where the processor reports to them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from telegram import CallbackQuery, Chat, Message, Update, User

from bot.chat.metrics import Metrics, kind_of
from bot.chat.processor import STALE_PRESS_S, FairProcessor
from tests.bot.chat.test_processor import Answers, Recorder, message, press


def samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the exposition, read back with Prometheus' own parser."""
    found = {}
    for family in text_string_to_metric_families(metrics.exposition().decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def handled(metrics: Metrics, kind: str, outcome: str) -> float:
    key = ("moviebot_updates_handled_total", (("kind", kind), ("outcome", outcome)))
    return samples(metrics)[key]


def latency_count(metrics: Metrics, kind: str) -> float:
    return samples(metrics)[("moviebot_reply_latency_seconds_count", (("kind", kind),))]


def text(update_id: int, words: str) -> Update:
    chat = Chat(5, Chat.PRIVATE)
    sender = User(5, "Ann", is_bot=False)
    return Update(
        update_id, message=Message(1, datetime.now(UTC), chat, from_user=sender, text=words)
    )


def test_kinds_tell_commands_from_other_messages_and_presses() -> None:
    shown = Message(1, datetime.now(UTC), Chat(5, Chat.PRIVATE), text="list")
    query = CallbackQuery("q", User(5, "Ann", is_bot=False), "i", message=shown, data="v1|p0")
    kinds = [
        kind_of(text(1, "/popular")),
        kind_of(text(2, "matrix")),
        kind_of(Update(3, callback_query=query)),
        kind_of(Update(4)),
        kind_of("not an update"),
    ]
    assert kinds == ["command", "message", "callback_query", "other", "other"]


def test_a_handled_update_is_counted_with_its_latency() -> None:
    metrics = Metrics()
    metrics.update_finished(text(1, "/help"), "ok", 0.03)
    assert handled(metrics, "command", "ok") == 1
    found = samples(metrics)
    assert found[("moviebot_reply_latency_seconds_bucket", (("kind", "command"), ("le", "0.05")))]
    assert not found[
        ("moviebot_reply_latency_seconds_bucket", (("kind", "command"), ("le", "0.025")))
    ]


def test_an_update_whose_handler_failed_is_counted_as_an_error() -> None:
    metrics = Metrics()
    update = text(1, "/recommend")
    metrics.error(update)
    metrics.update_finished(update, "ok", 0.2)
    metrics.update_finished(text(2, "/recommend"), "ok", 0.2)  # the next one is fine again
    assert (handled(metrics, "command", "error"), handled(metrics, "command", "ok")) == (1, 1)
    assert samples(metrics)[("moviebot_errors_total", (("source", "update"),))] == 1


def test_updates_not_handled_are_counted_without_a_latency() -> None:
    metrics = Metrics()
    metrics.update_finished(text(1, "/help"), "shed", 61.0)
    metrics.update_finished(text(2, "/help"), "handed_back", 0.5)
    assert handled(metrics, "command", "shed") == handled(metrics, "command", "handed_back") == 1
    assert latency_count(metrics, "command") == 0


def test_ratings_runs_webhook_answers_and_the_serving_model_are_exposed() -> None:
    metrics = Metrics()
    metrics.rating_stored()
    metrics.rating_stored()
    metrics.training_finished("succeeded")
    metrics.training_finished("busy")  # never started: not a run
    metrics.webhook_answered(403)
    metrics.serving("mf_bias", "20260101-120000-ab12")
    found = samples(metrics)
    assert found[("moviebot_ratings_stored_total", ())] == 2
    runs = {
        o: found[("moviebot_training_runs_total", (("outcome", o),))]
        for o in ("succeeded", "rejected", "failed")
    }
    assert runs == {"succeeded": 1, "rejected": 0, "failed": 0}
    assert ("moviebot_training_runs_total", (("outcome", "busy"),)) not in found
    assert found[("moviebot_webhook_requests_total", (("status", "403"),))] == 1
    model = ("moviebot_model_info", (("kind", "mf_bias"), ("version", "20260101-120000-ab12")))
    assert found[model] == 1


def test_each_bot_has_its_own_registry_apart_from_the_global_one() -> None:
    first, second = Metrics(), Metrics()
    first.rating_stored()
    assert samples(second)[("moviebot_ratings_stored_total", ())] == 0
    assert REGISTRY.get_sample_value("moviebot_ratings_stored_total") is None


async def test_the_processor_reports_how_each_update_left_it() -> None:
    now = [0.0]
    processor, rec, bot = FairProcessor(clock=lambda: now[0]), Recorder(), Answers()
    metrics = Metrics()
    processor.on_finished = metrics.update_finished
    held = asyncio.create_task(
        processor.process_update(message(1, 7), rec.handle("slow", hold=True))
    )
    await asyncio.sleep(0)
    late = asyncio.create_task(processor.process_update(press(2, 7, bot), rec.handle("press")))
    await asyncio.sleep(0)
    now[0] = STALE_PRESS_S + 1  # the first one took that long; the press waited as long
    rec.release.set()
    await asyncio.gather(held, late)
    assert handled(metrics, "command", "ok") == 1
    assert handled(metrics, "callback_query", "shed") == 1
    assert samples(metrics)[("moviebot_reply_latency_seconds_sum", (("kind", "command"),))] == (
        STALE_PRESS_S + 1
    )


async def test_a_stop_reports_updates_cut_short_and_handed_back() -> None:
    processor, rec = FairProcessor(), Recorder()
    metrics = Metrics()
    processor.on_finished = metrics.update_finished
    slow = asyncio.create_task(
        processor.process_update(message(1, 7), rec.handle("slow", hold=True))
    )
    queued = asyncio.create_task(processor.process_update(message(2, 7), rec.handle("queued")))
    await asyncio.sleep(0.01)
    await processor.drain(timeout=0.05)
    await asyncio.gather(slow, queued, return_exceptions=True)
    assert handled(metrics, "command", "cut_short") == 1
    assert handled(metrics, "command", "handed_back") == 1
