"""Wires the Application: handlers, start-up and shut-down, the error handler.

`application.bot_data` keys (set here; read by handlers, admin commands, retraining):

    "settings"   bot.config.Settings            set by build_application
    "storage"    bot.storage.Storage            opened in post_init, closed in post_shutdown
    "model"      bot.model_holder.ModelHolder   the recommender being served (swap to replace)
    "retrainer"  bot.retrain.Retrainer          created on demand by bot.retrain

Extra handlers: a module with `register(application)` is called by `build_application`
after the person-facing handlers and before the unknown-command fallback (bot.admin).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes

from bot import bootstrap, handlers, retrain, texts
from bot.config import Settings
from bot.storage import StorageError
from recsys.artifacts import ArtifactError
from recsys.download import DownloadError

log = logging.getLogger(__name__)

EXTRA_HANDLER_MODULES = ("bot.admin",)
"""Modules whose `register(application)` adds handlers (skipped while not written yet)."""
EXPECTED_FAILURES = (TelegramError, StorageError, DownloadError, ArtifactError, OSError)
"""Start-up failures with a cause the operator can read in one line."""
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
CONCURRENT_UPDATES = 32
"""Updates handled at once: a slow recommendation or a long admin command never stalls
other people. Storage serialises writes itself."""


def build_application(settings: Settings) -> Application:
    """The configured Application; resources open later, in post_init."""
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if settings.base_url:
        builder = builder.base_url(settings.base_url)
    application = builder.build()
    application.bot_data["settings"] = settings
    handlers.register(application)
    register_extra_handlers(application)
    handlers.register_fallback(application)
    application.add_error_handler(on_error)
    return application


def register_extra_handlers(application: Application) -> None:
    for name in EXTRA_HANDLER_MODULES:
        if importlib.util.find_spec(name) is None:
            log.warning("%s is missing: its commands are not available", name)
            continue
        importlib.import_module(name).register(application)


async def post_init(application: Application) -> None:
    """Open the database, import MovieLens on first start, load or start training the model."""
    settings: Settings = application.bot_data["settings"]
    storage = await bootstrap.open_storage(settings)
    application.bot_data["storage"] = storage
    await bootstrap.ensure_movielens(storage, settings)
    holder, needs_training = await bootstrap.load_model(settings, storage)
    application.bot_data["model"] = holder
    # The retraining schedule is added by bot.admin.register; the first model is ours to ask for.
    if needs_training:
        retrain.start_first_training(application)
    await application.bot.set_my_commands([BotCommand(n, d) for n, d in texts.COMMANDS])
    log.info("ready")


async def post_shutdown(application: Application) -> None:
    """Stop a running training and close the database."""
    await retrain.shutdown(application)
    storage = application.bot_data.pop("storage", None)
    if storage is not None:
        await storage.close()


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure with its traceback and tell the person, if there is one."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update):
        return
    if update.callback_query is not None:
        try:
            await update.callback_query.answer(texts.ERROR, show_alert=True)
            return
        except TelegramError:
            pass  # already answered: say it in the chat instead
    if update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, texts.ERROR)
        except TelegramError:
            log.warning("could not tell chat %s about the error", update.effective_chat.id)
