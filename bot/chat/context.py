"""The typed context every handler and job receives: `context.storage`, `context.holder`, ...

PTB keeps one `bot_data` object per application; here it is a `Resources` instance instead of a
dict, and `BotContext` exposes its members as typed properties. The long-lived objects are made
in `bot.app.post_init`, before PTB delivers the first update, so a handler never meets a bot
that is "not ready yet": reading one before post_init is a programming error and says so.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.chat.metrics import Metrics
from bot.config import Settings
from bot.storage import Storage
from bot.training.model_holder import ModelHolder
from bot.training.pickup import ModelPickup
from bot.training.retrainer import Retrainer

T = TypeVar("T")


class Resources:
    """What one running bot holds: set by build_application (settings) and post_init (the rest)."""

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.storage: Storage | None = None
        self.holder: ModelHolder | None = None
        self.retrainer: Retrainer | None = None
        self.pickup: ModelPickup | None = None
        """Serves the models other replicas publish (None with MODEL_POLL_SECONDS=0)."""
        self.first_training: asyncio.Task[Any] | None = None
        """The first model's training at first start; the reference keeps the task alive."""
        self.metrics = Metrics()
        """What /metrics serves (bot.chat.metrics); each application has its own registry."""


class BotContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], Resources]):
    """CallbackContext with the bot's resources as typed properties."""

    @property
    def settings(self) -> Settings:
        return _ready(self.bot_data.settings, "settings")

    @property
    def storage(self) -> Storage:
        return _ready(self.bot_data.storage, "storage")

    @property
    def holder(self) -> ModelHolder:
        return _ready(self.bot_data.holder, "model holder")

    @property
    def retrainer(self) -> Retrainer:
        return _ready(self.bot_data.retrainer, "retrainer")

    @property
    def metrics(self) -> Metrics:
        return self.bot_data.metrics


BotApplication = Application[
    ExtBot[Any], BotContext, dict[Any, Any], dict[Any, Any], Resources, Any
]
"""The Application with our context; the job queue's type is left open (PTB's builder cannot
carry the custom context type through to it)."""
CONTEXT_TYPES = ContextTypes(context=BotContext, bot_data=Resources)


def _ready(value: T | None, what: str) -> T:
    if value is None:
        raise RuntimeError(f"the bot's {what} is used before post_init created it")
    return value
