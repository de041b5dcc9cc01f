"""Wires the Application: handlers, the resources made at start-up and closed at shut-down.

Start-up (post_init, before the first update is delivered): open and migrate the database,
import MovieLens on first start, pick the model to serve, make the retrainer, add the
retraining schedule, on first start train the first model in the background, and publish the
command menus (admins' chats get the admin commands too) and the bot's description. Handlers
reach all of it through the typed context (bot.chat.context). `serve` runs it all: start-up,
the intake (long polling, or the webhook when WEBHOOK_URL is set, through the inbox), the
health and metrics endpoints, and, on SIGTERM or SIGINT, a stop within STOP_WITHIN_S that
stops taking updates first, then finishes or hands back what is queued.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Iterable
from functools import partial

from telegram import Bot, BotCommand, BotCommandScopeChat, LinkPreviewOptions, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationBuilder, Defaults

from bot.chat import admin, admin_texts, handlers, jobs, language, texts
from bot.chat.context import CONTEXT_TYPES, BotApplication, BotContext, Resources
from bot.chat.errors import on_error
from bot.chat.intake import Intake
from bot.chat.outgoing import OutgoingLimiter
from bot.chat.processor import FairProcessor
from bot.chat.server import HttpServer, http_servers
from bot.config import Settings
from bot.storage import Storage, StorageError
from bot.storage.cluster import training_lock
from bot.storage.models_lock import models_lock
from bot.training.pickup import ModelPickup
from bot.training.retrainer import Retrainer, RetrainOptions
from bot.training.serving import load_model
from recsys.artifacts import ArtifactError
from recsys.download import DownloadError

log = logging.getLogger(__name__)

EXPECTED_FAILURES = (TelegramError, StorageError, DownloadError, ArtifactError, OSError)
"""Start-up failures with a cause the operator can read in one line."""
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
READ_TIMEOUT_S = 15.0
"""PTB's default 5 s failed calls that a slow Telegram performed (the person got the reply
and a "Sorry" as well); the retries bound the total wait instead."""
STOP_WITHIN_S = 8.0
"""On SIGTERM, updates being handled get this long; the rest go back to the inbox. Together
with closing the database this keeps a stop under a supervisor's usual 10 s."""


def build_application(settings: Settings) -> BotApplication:
    """The configured Application; resources open later, in post_init (see `serve`)."""
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .context_types(CONTEXT_TYPES)
        .rate_limiter(OutgoingLimiter(overall_per_s=settings.messages_per_second))
        .concurrent_updates(FairProcessor())
        .read_timeout(READ_TIMEOUT_S)
        .write_timeout(READ_TIMEOUT_S)
        .updater(None)
        # Cards link IMDb and TMDb; a preview of either would bury the rating buttons.
        .defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
    )
    if settings.base_url:
        builder = builder.base_url(settings.base_url)
    application: BotApplication = builder.build()
    application.bot_data.settings = settings
    handlers.register(application)
    admin.register(application)
    handlers.register_fallback(application)
    application.add_error_handler(count_error)  # first: on_error may answer for a while
    application.add_error_handler(on_error)
    return application


async def count_error(update: object, context: BotContext) -> None:
    """Count the error in the metrics (on_error logs it and tells the person)."""
    context.bot_data.metrics.error(update)


async def serve(application: BotApplication) -> None:
    """Start up, handle updates until SIGTERM or SIGINT, stop within STOP_WITHIN_S.

    Raises what start-up raises (EXPECTED_FAILURES for causes the operator can act on: a
    port that cannot be bound is an OSError), and InvalidToken when Telegram refuses the
    token while polling.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    processor = application.update_processor
    if not isinstance(processor, FairProcessor):
        raise TypeError("serve needs the FairProcessor that build_application sets up")
    async with application:  # initialize() and, on the way out, shutdown()
        servers: list[HttpServer] = []
        try:
            await post_init(application)
            resources = application.bot_data
            assert resources.storage is not None  # post_init opened it
            intake = Intake(application, resources.storage, ALLOWED_UPDATES)
            processor.on_done = intake.done
            processor.on_finished = resources.metrics.update_finished
            await application.start()
            await intake.start()  # what the last run left undone, before anything new
            servers = http_servers(application, intake)
            for server in servers:
                await server.start()
            taking = asyncio.create_task(take_updates(application, intake))
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({taking, stopping}, return_when=asyncio.FIRST_COMPLETED)
            failure = taking.exception() if taking.done() else None  # InvalidToken
            log.info("stopping")
            taking.cancel()
            stopping.cancel()
            for server in servers:  # no new update comes in from here on
                await server.stop()
            if cancelled := await processor.drain(STOP_WITHIN_S):
                log.warning("%d updates cut short; they run again at the next start", cancelled)
            await application.stop()
            if failure is not None:
                raise failure
        finally:
            for server in servers:
                await server.stop()
            if application.running:  # start-up failed after start(): shutdown() refuses else
                await application.stop()
            await post_shutdown(application)
    log.info("stopped")


async def take_updates(application: BotApplication, intake: Intake) -> None:
    """Tell Telegram how updates come, then take them in until cancelled: by long polling
    (deleteWebhook first), or, with WEBHOOK_URL, at the webhook, whose server listens by now
    (setWebhook, then only the inbox's pruning runs here)."""
    settings = _settings(application.bot_data)
    bot = application.bot
    if settings.webhook_url is None:
        await bot.delete_webhook()
        await intake.run()
        return
    await bot.set_webhook(
        settings.webhook_url,
        secret_token=settings.webhook_secret,
        allowed_updates=ALLOWED_UPDATES,
        drop_pending_updates=False,  # what Telegram holds for the bot is handled, not dropped
    )
    log.info("webhook set: Telegram sends updates to %s", settings.webhook_url)
    await intake.keep_pruned()


def retrain_options(settings: Settings) -> RetrainOptions:
    return RetrainOptions(
        models_dir=settings.model_dir,
        timeout_s=settings.retrain_timeout,
        margin=settings.retrain_margin,
        holdout=settings.holdout_share,
        keep_models=settings.keep_models,
        train_config=settings.train_config,
    )


async def post_init(application: BotApplication) -> None:
    """Open the database, import MovieLens on first start, load or start training the model."""
    resources: Resources = application.bot_data
    settings = _settings(resources)
    database = settings.database
    log.info("opening database %s", database.path or database)  # never the password
    storage = await Storage.connect(database, migrations=settings.migrations_dir)
    resources.storage = storage
    await storage.ensure_movielens(settings.movielens_dir, settings.data_dir, log.info)
    holder, needs_training = await load_model(
        settings.model_dir, storage, models_lock=models_lock(database)
    )
    resources.holder = holder
    resources.retrainer = Retrainer(
        storage, holder, retrain_options(settings), cluster=training_lock(database)
    )
    metrics = resources.metrics
    resources.retrainer.on_finished = lambda report: metrics.training_finished(report.status)
    if stale := await resources.retrainer.recover():
        log.warning("%d training runs were cut off by the last stop: marked failed", stale)
    jobs.schedule(application, settings.retrain_schedule)
    jobs.schedule_backups(application, settings)
    if needs_training:
        resources.first_training = jobs.start_first_training(resources.retrainer)
    if settings.model_poll_seconds > 0:
        resources.pickup = ModelPickup(holder, settings.model_dir, settings.model_poll_seconds)
        resources.pickup.start()
    await publish_menus(application.bot, settings.admin_ids)
    log.info("ready")


async def publish_menus(bot: Bot, admin_ids: Iterable[int]) -> None:
    """The command menus and the bot's description, as Telegram shows them, in each language.

    Everyone gets the person commands (the default scope); each admin's private chat gets
    them plus the admin commands (BotCommandScopeChat). English goes without a language code
    (Telegram shows it to every app language without a list of its own); Russian and Spanish
    go with theirs. All of it is best effort: the bot works without a menu, and Telegram
    refuses an admin's scope ("chat not found") until that admin has opened a chat with the
    bot, so each failure is one warning line.
    """
    steps: list[tuple[str, Callable[[], Awaitable[object]]]] = []
    admin_menus: list[tuple[str | None, list[BotCommand]]] = []
    for code in language.LANGUAGES:
        with language.using(code) as say:
            people = [BotCommand(name, about) for name, about in texts.commands()]
            admins = people + [BotCommand(name, about) for name, about in admin_texts.commands()]
        tag = None if code == language.DEFAULT else code
        shown = f" ({code})" if tag else ""
        steps += [
            (f"the command menu{shown}", partial(bot.set_my_commands, people, language_code=tag)),
            (
                f"the description{shown}",
                partial(bot.set_my_description, say.description, language_code=tag),
            ),
            (
                f"the short description{shown}",
                partial(bot.set_my_short_description, say.short_description, language_code=tag),
            ),
        ]
        admin_menus.append((tag, admins))
    steps += [
        (
            f"the admin command menu in chat {admin_id}",
            partial(_admin_menus, bot, admin_id, admin_menus),
        )
        for admin_id in sorted(admin_ids)
    ]
    for what, step in steps:
        try:
            await step()
        except TelegramError as err:
            log.warning("could not set %s: %s", what, err)


async def _admin_menus(
    bot: Bot, admin_id: int, menus: Iterable[tuple[str | None, list[BotCommand]]]
) -> None:
    """An admin's menu in each language; the first refusal ends it (the chat is the same)."""
    for tag, commands in menus:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(admin_id), language_code=tag)


async def post_shutdown(application: BotApplication) -> None:
    """Stop watching for new models and a running training; close the database."""
    resources: Resources = application.bot_data
    if resources.pickup is not None:
        await resources.pickup.stop()
        resources.pickup = None
    if resources.retrainer is not None:
        await resources.retrainer.close()
    if resources.storage is not None:
        await resources.storage.close()
        resources.storage = None


def _settings(resources: Resources) -> Settings:
    if resources.settings is None:
        raise RuntimeError("build_application sets the settings before post_init runs")
    return resources.settings
