"""What the bot does by itself: the first model, the RETRAIN_SCHEDULE and BACKUP_SCHEDULE jobs.

They live here because they need the Application (its job queue, its running flag, and the bot
to tell admins about a failed scheduled run); the runs themselves are bot.training's, the
backups bot.storage's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from apscheduler.triggers.base import BaseTrigger
from telegram.ext import Application

from bot.chat import language, language_choice
from bot.chat.context import BotApplication, BotContext
from bot.config import Settings
from bot.training.retrainer import Retrainer, SlotClaim
from bot.training.schedule import describe, parse_schedule, slot_of

log = logging.getLogger(__name__)

JOB_NAME = "retrain"
BACKUP_JOB = "backup"
STOP_POLL_S = 0.5
MISFIRE_GRACE_S = 3600
"""A scheduled run missed by up to an hour (the bot was busy or suspended) still runs once."""
T = TypeVar("T")


async def while_running(
    application: Application[Any, Any, Any, Any, Any, Any], work: Awaitable[T]
) -> T | None:
    """Awaits `work`; cancels it and returns None if the application stops meanwhile.

    Application.stop() waits for running jobs and block=False handlers before post_shutdown
    runs, so a job or /retrain awaiting a training run would hold a graceful stop (SIGTERM)
    for the whole run. `application.running` turns False as stop() begins: polling it ends
    the run (the worker is killed, the run recorded as failed) within STOP_POLL_S.
    """
    task = asyncio.ensure_future(work)
    watching = application.running  # an application that never ran (tests) is not watched
    try:
        while not task.done():
            await asyncio.wait({task}, timeout=STOP_POLL_S)
            if watching and not application.running and not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
    except asyncio.CancelledError:
        task.cancel()
        raise
    return None if task.cancelled() else task.result()


def schedule(application: BotApplication, text: str) -> None:
    """Adds the RETRAIN_SCHEDULE job; one instance at a time, missed runs coalesced into one."""
    trigger = parse_schedule(text)
    if trigger is None:
        log.info("scheduled retraining is off")
        return
    _add_job(application, scheduled_run, trigger, JOB_NAME)
    log.info("scheduled retraining: %s", describe(trigger))


def schedule_backups(application: BotApplication, settings: Settings) -> None:
    """Adds the BACKUP_SCHEDULE job (when it is not "off"), one instance at a time."""
    trigger = parse_schedule(settings.backup_schedule, name="BACKUP_SCHEDULE")
    if trigger is None:
        log.info("scheduled backups are off")
        return
    _add_job(application, scheduled_backup, trigger, BACKUP_JOB)
    log.info(
        "scheduled backups: %s into %s, keeping the newest %d",
        describe(trigger),
        settings.backup_dir,
        settings.backup_keep,
    )


def _add_job(
    application: BotApplication,
    callback: Callable[[BotContext], Coroutine[Any, Any, None]],
    trigger: BaseTrigger,
    name: str,
) -> None:
    """A job on the trigger: one instance at a time, missed runs coalesced into one."""
    if application.job_queue is None:
        raise RuntimeError("scheduled jobs need python-telegram-bot[job-queue]")
    application.job_queue.run_custom(
        callback,
        job_kwargs={
            "trigger": trigger,
            "max_instances": 1,
            "coalesce": True,
            "misfire_grace_time": MISFIRE_GRACE_S,
            "id": name,
            "replace_existing": True,
        },
        name=name,
    )


async def scheduled_backup(context: BotContext) -> None:
    """One tick of BACKUP_SCHEDULE: a backup into BACKUP_DIR, keeping the newest BACKUP_KEEP.

    The copy runs in a thread (the bot goes on answering); a failure is one WARNING line and
    the next tick tries again.
    """
    settings = context.settings
    try:
        report = await context.storage.backup_into(settings.backup_dir, settings.backup_keep)
    except Exception as error:  # whatever went wrong, the bot goes on serving
        log.warning("scheduled backup failed: %s: %s", type(error).__name__, error)
        return
    log.info("backed up the database to %s: %s", report.path, report.summary())


async def scheduled_run(context: BotContext) -> None:
    """One tick of the schedule: a run when there are new ratings, by one of the processes on
    the database (the one that claims the tick); admins hear of a failure."""
    run = context.retrainer.run_if_new_ratings(claim=_tick_claim(context))
    report = await while_running(context.application, run)
    if report is None or report.status != "failed":
        return
    for admin in context.settings.admin_ids:
        try:
            # A job has no update: each admin is told in the language they chose, if any.
            chosen = await language_choice.stored_choice(context.storage, admin)
            with language.using(language.choose(chosen, None)):
                text = language.current().admin.scheduled_failed.format(reason=report.reason)
            await context.bot.send_message(admin, text)
        except Exception:
            log.warning("could not tell admin %s about the failed run", admin)


def _tick_claim(context: BotContext) -> SlotClaim | None:
    """Claims the tick this job fired for, named alike in every replica (schedule.slot_of)."""
    if context.job is None:
        return None
    slot = slot_of(context.job.job.trigger, datetime.now(UTC))
    return partial(context.storage.claim_schedule_slot, slot)


def start_first_training(retrainer: Retrainer) -> asyncio.Task[Any]:
    """First start: trains the first model in the background (trigger "first-start").

    A plain asyncio task, not `application.create_task`: post_init runs before the application
    does, and a tracked task would make Application.stop() wait for the whole training before
    post_shutdown could kill it. The caller keeps the reference, so the task is not collected.
    """
    run = retrainer.run("first-start", first=True)  # unless another replica was quicker
    return asyncio.create_task(run, name="first-training")
