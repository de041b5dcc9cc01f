"""Wires the Application: handlers, the resources made at start-up and closed at shut-down.

Start-up (post_init, before the first update is delivered): open and migrate the database,
import MovieLens on first start, pick the model to serve, make the retrainer, add the
retraining schedule and, on first start, train the first model in the background. Handlers
reach all of it through the typed context (bot.chat.context).
"""

from __future__ import annotations

import logging

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, ApplicationBuilder

from bot.chat import admin, handlers, jobs, texts
from bot.chat.context import CONTEXT_TYPES, BotApplication, Resources
from bot.chat.errors import on_error
from bot.config import Settings
from bot.storage import Storage, StorageError
from bot.training.retrainer import Retrainer, RetrainOptions
from bot.training.serving import load_model
from recsys.artifacts import ArtifactError
from recsys.download import DownloadError

log = logging.getLogger(__name__)

EXPECTED_FAILURES = (TelegramError, StorageError, DownloadError, ArtifactError, OSError)
"""Start-up failures with a cause the operator can read in one line."""
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
CONCURRENT_UPDATES = 32
"""Updates handled at once: a slow recommendation or a long admin command never stalls
other people. Storage serialises writes itself."""
RATE_LIMIT_RETRIES = 3


def build_application(settings: Settings) -> BotApplication:
    """The configured Application; resources open later, in post_init."""
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .context_types(CONTEXT_TYPES)
        .rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if settings.base_url:
        builder = builder.base_url(settings.base_url)
    application: BotApplication = builder.build()
    application.bot_data.settings = settings
    handlers.register(application)
    admin.register(application)
    handlers.register_fallback(application)
    application.add_error_handler(on_error)
    return application


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
    log.info("opening database %s", settings.database_path)
    storage = await Storage.open(settings.database_path, migrations=settings.migrations_dir)
    resources.storage = storage
    await storage.ensure_movielens(settings.movielens_dir, settings.data_dir, log.info)
    holder, needs_training = await load_model(settings.model_dir, storage)
    resources.holder = holder
    resources.retrainer = Retrainer(storage, holder, retrain_options(settings))
    jobs.schedule(application, settings.retrain_schedule)
    if needs_training:
        resources.first_training = jobs.start_first_training(resources.retrainer)
    await application.bot.set_my_commands([BotCommand(n, d) for n, d in texts.COMMANDS])
    log.info("ready")


async def post_shutdown(application: BotApplication) -> None:
    """Stop a running training and close the database."""
    resources: Resources = application.bot_data
    if resources.retrainer is not None:
        await resources.retrainer.close()
    if resources.storage is not None:
        await resources.storage.close()
        resources.storage = None


def _settings(resources: Resources) -> Settings:
    if resources.settings is None:
        raise RuntimeError("build_application sets the settings before post_init runs")
    return resources.settings
