"""Admin commands: /retrain, /model, /rollback, /stats. Anyone not in ADMIN_IDS gets a refusal."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from telegram import Message, Update, User
from telegram.constants import ParseMode
from telegram.ext import CommandHandler

from bot.chat import admin_texts as texts
from bot.chat import language, plots
from bot.chat.context import BotApplication, BotContext
from bot.chat.handlers import nobody
from bot.chat.jobs import while_running
from bot.chat.live_message import LiveMessage
from bot.training.retrainer import RetrainBusy
from bot.training.runs import run_curve
from bot.training.schedule import describe, parse_schedule
from recsys.artifacts import ArtifactError
from recsys.results import ModelInfo

log = logging.getLogger(__name__)

RUNS_SHOWN = 5
RUNS_PLOTTED = 50


def register(application: BotApplication) -> None:
    """Adds the admin commands."""
    commands = {"retrain": retrain, "model": model, "rollback": rollback, "stats": stats}
    for name, callback in commands.items():
        # block=False: a /retrain awaiting its run must not hold up everyone's updates
        application.add_handler(CommandHandler(name, callback, block=False))


async def retrain(update: Update, context: BotContext) -> None:
    """/retrain: starts a run now and keeps one message updated until it ends."""
    if (admin := await _admin(update, context)) is None:
        return
    message, user = admin
    retrainer = context.retrainer
    if retrainer.busy:
        await message.reply_text(texts.current().already_running)
        return
    live = LiveMessage(await message.reply_text(texts.current().started, parse_mode=ParseMode.HTML))
    run = retrainer.run(f"admin:{user.id}", live.update)
    report = await while_running(context.application, run)
    await live.finish(texts.report(report) if report else texts.current().stopped)


async def model(update: Update, context: BotContext) -> None:
    """/model: what is being served and how it scores against the popularity baseline."""
    if (admin := await _admin(update, context)) is None:
        return
    message = admin[0]
    if not context.holder.personal:
        await message.reply_text(texts.current().no_model)
        return
    counts = await context.storage.counts()
    plan = describe(parse_schedule(context.settings.retrain_schedule))
    text = texts.model(context.holder.get().info, counts.ratings_since_last_run, plan)
    await message.reply_text(text, parse_mode=ParseMode.HTML)


async def rollback(update: Update, context: BotContext) -> None:
    """/rollback: swap the current and the previous model; says which one serves now and
    whether it is older or newer than the one it replaced (a second /rollback undoes one)."""
    if (admin := await _admin(update, context)) is None:
        return
    message = admin[0]
    # Read with no await before rollback() takes the retrainer's lock (it checks and takes it
    # without yielding), and every swap happens under that lock: this is what it replaces.
    replaced = context.holder.get().info if context.holder.personal else None
    try:
        await context.retrainer.rollback()
    except (RetrainBusy, ArtifactError) as err:
        await message.reply_text(texts.rollback_refused(str(err)), parse_mode=ParseMode.HTML)
        return
    await message.reply_text(
        rollback_text(context.holder.get().info, replaced), parse_mode=ParseMode.HTML
    )


def rollback_text(moved_to: ModelInfo, replaced: ModelInfo | None) -> str:
    """What /rollback says: older or newer by training time (the version name, which starts
    with the save time, breaks ties and stands in for a missing time). Neither when it
    replaced the popularity list, or the model it already served (a corrupt `current` at
    start-up makes the bot serve `previous`)."""
    if replaced is None or replaced.version in ("", moved_to.version):
        return texts.switched_to(moved_to.version, moved_to.created_at)
    args = (moved_to.version, moved_to.created_at, replaced.version, replaced.created_at)
    if _trained_order(moved_to) > _trained_order(replaced):
        return texts.switched_to_newer(*args)
    return texts.rolled_back_to_older(*args)


def _trained_order(info: ModelInfo) -> tuple[datetime, str]:
    try:
        created = datetime.fromisoformat(info.created_at)
    except ValueError:
        created = datetime.min
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return created, info.version


async def stats(update: Update, context: BotContext) -> None:
    """/stats: numbers as text, then the training curve and run history as a picture."""
    if (admin := await _admin(update, context)) is None:
        return
    message = admin[0]
    counts = await context.storage.counts()
    runs = await context.storage.model_runs(limit=RUNS_PLOTTED)
    await message.reply_text(texts.stats(counts, runs[:RUNS_SHOWN]), parse_mode=ParseMode.HTML)
    with_curve = next((r for r in runs if run_curve(r.metrics)), None)
    curve = run_curve(with_curve.metrics) if with_curve else []
    title = (
        f"validation RMSE by epoch, run {with_curve.run_id}" if with_curve else "validation RMSE"
    )
    points = [
        plots.RunPoint.from_metrics(r.run_id, r.status, r.metrics)
        for r in runs
        if r.status != "running"
    ]
    margin = context.settings.retrain_margin
    png = await asyncio.to_thread(plots.stats_png, curve, title, points, margin)
    await message.reply_photo(png, caption=texts.current().stats_caption)


async def _admin(update: Update, context: BotContext) -> tuple[Message, User] | None:
    """The command's message and sender when they are an admin; anyone else gets a refusal."""
    message, user = update.effective_message, update.effective_user
    if message is None:
        return None
    if nobody(user, message):
        # An anonymous admin is every anonymous admin of every group: never an admin here.
        log.info("refused admin command from nobody in particular in chat %s", message.chat_id)
        await message.reply_text(language.current().admin_needs_a_person)
        return None
    if user is None or user.id not in context.settings.admin_ids:
        log.info("refused admin command from user %s", user.id if user else None)
        await message.reply_text(texts.current().refusal)
        return None
    return message, user
