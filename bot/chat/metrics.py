"""The bot's Prometheus metrics: a registry of its own (not the library's global one), names
prefixed `moviebot_`, served as text by /metrics (bot.chat.health).

Where they are counted: the FairProcessor reports each update as it leaves
(`update_finished`), an error handler each error (bot.app registers it before the one that
tells the person), the rating button each rating committed, the retrainer each finished
run, and the webhook each request it answered; the serving model is read from the holder at
every scrape.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, Info, generate_latest
from telegram import Update

KINDS = ("command", "message", "callback_query", "other")
OUTCOMES = ("ok", "error", "shed", "handed_back", "cut_short")
"""How an update left the processor: handled ("error": a handler raised and the error
handler answered), shed (waited too long), handed back to the inbox by a stop before it
started, or cut short by a stop while it ran."""
RUN_OUTCOMES = ("succeeded", "rejected", "failed")
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
"""Seconds. Most replies take milliseconds; seconds mean Telegram's limits or a busy chat."""


def kind_of(update: object) -> str:
    """One of KINDS: a command (a message starting with "/"), another message, a press."""
    if not isinstance(update, Update):
        return "other"
    if update.callback_query is not None:
        return "callback_query"
    if update.message is not None:
        text = update.message.text or ""
        return "command" if text.startswith("/") else "message"
    return "other"


class Metrics:
    """One bot's counters, histogram and model info, in `registry`."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self._updates = Counter(
            "moviebot_updates_handled",
            "Updates that left the processor, by kind and outcome",
            ["kind", "outcome"],
            registry=registry,
        )
        self._errors = Counter(
            "moviebot_errors",
            "Errors that reached the error handler, from handling an update or from a job",
            ["source"],
            registry=registry,
        )
        self._latency = Histogram(
            "moviebot_reply_latency_seconds",
            "From an update reaching the processor (stored in the inbox) to its handlers done",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self._ratings = Counter(
            "moviebot_ratings_stored", "Ratings committed (new or changed)", registry=registry
        )
        self._runs = Counter(
            "moviebot_training_runs",
            "Finished training runs by outcome",
            ["outcome"],
            registry=registry,
        )
        self._webhook = Counter(
            "moviebot_webhook_requests",
            "Requests to the webhook by answer: 200 taken, 400 not an update, 403 wrong secret",
            ["status"],
            registry=registry,
        )
        self._model = Info("moviebot_model", "The model serving recommendations", registry=registry)
        for kind in KINDS:  # every series from the start, so a rate() sees the first one
            self._latency.labels(kind)
            for outcome in OUTCOMES:
                self._updates.labels(kind, outcome)
        for source in ("update", "job"):
            self._errors.labels(source)
        for outcome in RUN_OUTCOMES:
            self._runs.labels(outcome)
        self._errored: set[int] = set()
        """Updates whose handling raised, until the processor reports them finished."""

    def update_finished(self, update: object, outcome: str, seconds: float) -> None:
        """Count an update leaving the processor (FairProcessor.on_finished); a handled one's
        latency goes into the histogram."""
        kind = kind_of(update)
        if isinstance(update, Update) and update.update_id in self._errored:
            self._errored.discard(update.update_id)
            outcome = "error" if outcome == "ok" else outcome
        self._updates.labels(kind, outcome).inc()
        if outcome in ("ok", "error"):
            self._latency.labels(kind).observe(seconds)

    def error(self, update: object) -> None:
        """Count an error; one while handling an update marks that update's outcome."""
        if isinstance(update, Update):
            self._errored.add(update.update_id)
        self._errors.labels("update" if isinstance(update, Update) else "job").inc()

    def rating_stored(self) -> None:
        self._ratings.inc()

    def training_finished(self, outcome: str) -> None:
        """Count a finished run ("busy", a run that never started, is not one)."""
        if outcome in RUN_OUTCOMES:
            self._runs.labels(outcome).inc()

    def webhook_answered(self, status: int) -> None:
        self._webhook.labels(str(status)).inc()

    def serving(self, kind: str, version: str) -> None:
        """The model serving now (read from the holder before each scrape)."""
        self._model.info({"kind": kind, "version": version or "none"})

    def exposition(self) -> bytes:
        """Every metric in the Prometheus text format (version 0.0.4)."""
        return generate_latest(self.registry)
