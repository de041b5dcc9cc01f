"""The bot's HTTP servers (aiohttp): the webhook in webhook mode, with /healthz and /metrics
beside it, and a server of their own at HEALTH_PORT when that is set.

Which servers run follows the settings: WEBHOOK_URL set, one on WEBHOOK_LISTEN:WEBHOOK_PORT
with the webhook and the health endpoints; HEALTH_PORT set (and not the webhook's port), one
on HEALTH_LISTEN:HEALTH_PORT with the health endpoints only.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.chat.context import BotApplication
from bot.chat.health import add_health
from bot.chat.intake import Intake
from bot.chat.webhook import add_webhook

log = logging.getLogger(__name__)

SHUTDOWN_S = 2.0
"""At a stop, requests in flight get this long to finish once no new connection is taken: a
webhook request only writes to the inbox, so this is plenty."""


class HttpServer:
    """An aiohttp application on one address; `stop` stops accepting first, then lets the
    requests in flight finish (SHUTDOWN_S at most)."""

    def __init__(self, app: web.Application, host: str, port: int, what: str) -> None:
        self._app = app
        self.host, self.port, self.what = host, port, what
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen (an OSError when the address is taken or cannot be bound)."""
        # No access log: a line per Telegram request says nothing the metrics do not.
        runner = web.AppRunner(self._app, access_log=None, shutdown_timeout=SHUTDOWN_S)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        log.info("%s listening on %s:%d", self.what, self.host, self.port)

    async def stop(self) -> None:
        """Stop accepting, finish what is in flight, close; again, nothing."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()


def http_servers(application: BotApplication, intake: Intake) -> list[HttpServer]:
    """The servers the settings ask for, not started yet (see the module docstring)."""
    resources = application.bot_data
    settings = resources.settings
    if settings is None:
        raise RuntimeError("build_application sets the settings before the servers are made")
    servers: list[HttpServer] = []
    webhook_port = None
    if settings.webhook_url is not None and settings.webhook_secret is not None:
        app = web.Application()
        add_webhook(
            app,
            settings.webhook_path,
            settings.webhook_secret,
            intake.take,
            application.bot,
            resources.metrics,
        )
        add_health(app, resources)
        webhook_port = settings.webhook_port
        servers.append(
            HttpServer(app, settings.webhook_listen, webhook_port, "webhook, /healthz, /metrics")
        )
    if settings.health_port is not None and settings.health_port != webhook_port:
        app = web.Application()
        add_health(app, resources)
        servers.append(
            HttpServer(app, settings.health_listen, settings.health_port, "/healthz, /metrics")
        )
    return servers
