"""Admin commands: /retrain, /model, /rollback, /stats. Anyone not in ADMIN_IDS gets a refusal.

`register(application)` adds the handlers and the schedule; the resources they use (storage,
model holder) are read from `application.bot_data` when a command or job runs, after post_init
opened them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CommandHandler, ContextTypes

from bot import admin_texts as texts
from bot import plots
from bot.retrain import (
    RetrainBusy,
    Retrainer,
    RetrainOptions,
    retrainer_of,
    schedule,
    while_running,
)
from bot.run_metrics import run_curve
from bot.schedule import describe, parse_schedule
from recsys.artifacts import ArtifactError

log = logging.getLogger(__name__)

EDIT_INTERVAL_S = 2.0
"""At most one progress edit per this many seconds: Telegram allows ~1 message a second a chat."""
RUNS_SHOWN = 5


def register(application: Application) -> None:
    """Adds the admin commands and the RETRAIN_SCHEDULE job (needs bot_data["settings"])."""
    commands = {"retrain": retrain, "model": model, "rollback": rollback, "stats": stats}
    for name, callback in commands.items():
        # block=False: a /retrain awaiting its run must not hold up everyone's updates
        application.add_handler(CommandHandler(name, callback, block=False))
    settings = application.bot_data.get("settings")
    if settings is not None:
        RetrainOptions.from_settings(settings)  # a bad TRAIN_CONFIG fails the start, not a run
        schedule(application, settings.retrain_schedule)
    else:
        log.warning("no settings in bot_data at register(): scheduled retraining is off")


async def retrain(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/retrain: starts a run now and keeps one message updated until it ends."""
    retrainer = await _admin_retrainer(update, context)
    if retrainer is None:
        return
    message = update.effective_message
    if retrainer.busy:
        await message.reply_text(texts.ALREADY_RUNNING)
        return
    live = LiveMessage(await message.reply_text(texts.STARTED, parse_mode=ParseMode.HTML))
    run = retrainer.run(f"admin:{update.effective_user.id}", live.update)
    report = await while_running(context.application, run)
    await live.finish(texts.report(report) if report else texts.STOPPED)


async def model(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/model: what is being served and how it scores against the popularity baseline."""
    retrainer = await _admin_retrainer(update, context)
    if retrainer is None:
        return
    info = getattr(retrainer.holder.get(), "info", None)
    if info is None:
        await update.effective_message.reply_text(texts.NO_MODEL)
        return
    counts = await retrainer.storage.counts()
    plan = describe(parse_schedule(context.application.bot_data["settings"].retrain_schedule))
    text = texts.model(info, counts.ratings_since_last_run, plan)
    await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)


async def rollback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/rollback: serve the previous model artifact again."""
    retrainer = await _admin_retrainer(update, context)
    if retrainer is None:
        return
    try:
        version = await retrainer.rollback()
    except (RetrainBusy, ArtifactError) as err:
        await update.effective_message.reply_text(f"Cannot roll back: {err}")
        return
    await update.effective_message.reply_text(f"Rolled back: now serving {version}.")


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats: numbers as text, then the training curve and run history as a picture."""
    retrainer = await _admin_retrainer(update, context)
    if retrainer is None:
        return
    counts = await retrainer.storage.counts()
    runs = await retrainer.storage.model_runs(limit=50)
    message = update.effective_message
    await message.reply_text(texts.stats(counts, runs[:RUNS_SHOWN]), parse_mode=ParseMode.HTML)
    with_curve = next((r for r in runs if run_curve(r.metrics)), None)
    curve = run_curve(with_curve.metrics) if with_curve else []
    title = f"validation RMSE, run {with_curve.run_id}" if with_curve else "validation RMSE"
    points = [
        plots.RunPoint(r.run_id, r.status, r.metrics.get("rmse"), r.metrics.get("ndcg@10"))
        for r in runs
        if r.status != "running"
    ]
    png = await asyncio.to_thread(plots.stats_png, curve, title, points)
    await message.reply_photo(png, caption="Training curve and held-out metrics per run")


async def _admin_retrainer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Retrainer | None:
    """The Retrainer when the sender is an admin and the bot is ready; else replies and None."""
    settings = context.application.bot_data.get("settings")
    user = update.effective_user
    message = update.effective_message
    if message is None:
        return None
    if settings is None or user is None or user.id not in settings.admin_ids:
        log.info("refused admin command from user %s", user.id if user else None)
        await message.reply_text(texts.REFUSAL)
        return None
    retrainer = retrainer_of(context.application)
    if retrainer is None:
        await message.reply_text(texts.STARTING)
    return retrainer


class LiveMessage:
    """One message edited as a run progresses: throttled, and never an identical edit."""

    def __init__(self, message: Message, interval_s: float = EDIT_INTERVAL_S) -> None:
        self._message = message
        self._interval_s = interval_s
        self._state: dict[str, Any] = {}
        self._shown = message.text_html if message.text else ""
        self._last_edit = 0.0

    async def update(self, event: dict[str, Any]) -> None:
        """Takes one worker event; shows a new stage at once, epochs at most every interval."""
        kind = event.get("event")
        fields = {k: v for k, v in event.items() if k != "event"}
        if kind in ("epoch", "start"):
            self._state.update(fields, stage="training")
        elif kind == "stage":
            self._state["stage"] = event.get("stage")
        stage_changed = kind in ("stage", "start")
        if stage_changed or time.monotonic() - self._last_edit >= self._interval_s:
            await self._edit(texts.progress(self._state))

    async def finish(self, text: str) -> None:
        """The final edit is never throttled; if editing fails the result is sent anew."""
        if not await self._edit(text):
            await self._message.reply_text(text, parse_mode=ParseMode.HTML)

    async def _edit(self, text: str) -> bool:
        if text == self._shown:
            return True
        self._last_edit = time.monotonic()
        try:
            await self._message.edit_text(text, parse_mode=ParseMode.HTML)
        except BadRequest as err:
            if "not modified" in str(err).lower():
                self._shown = text
                return True
            log.warning("could not update the /retrain message: %s", err)
            return False
        except TelegramError as err:
            log.warning("could not update the /retrain message: %s", err)
            return False
        self._shown = text
        return True
