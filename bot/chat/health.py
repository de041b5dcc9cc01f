"""/healthz and /metrics: what a supervisor and Prometheus ask the running bot.

`GET /healthz` answers 200 when the database answers a real read (a fresh connection, a
short timeout) and still takes writes, and a model serves (a trained one or the popularity
fallback); 503 otherwise. The JSON body names each part, e.g.
{"status": "ok", "database": "ok", "model": "mf_bias 20260101-120000-ab12"} or
{"status": "fail", "database": "cannot read the database ...", "model": "..."}.

`GET /metrics` is the bot's own registry (bot.chat.metrics) in Prometheus' text format.
"""

from __future__ import annotations

from aiohttp import web

from bot.chat.context import Resources
from bot.storage import StorageError

OK = "ok"
TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8"
"""What prometheus_client.generate_latest writes (its CONTENT_TYPE_LATEST names a newer one)."""


class Health:
    """The two endpoints, reading the running bot's resources at each request."""

    def __init__(self, resources: Resources) -> None:
        self._resources = resources

    async def healthz(self, request: web.Request) -> web.Response:
        """200 or 503, with what each part said."""
        database, model = await self.database(), self.model()
        healthy = database == OK and model is not None
        body = {"status": OK if healthy else "fail", "database": database}
        body["model"] = model if model is not None else "no model is loaded"
        return web.json_response(body, status=200 if healthy else 503)

    async def database(self) -> str:
        """ "ok", or what is wrong with the database, in one line."""
        storage = self._resources.storage
        if storage is None:
            return "not open"
        try:
            await storage.check_health()
        except (StorageError, OSError) as error:
            return str(error)
        return OK

    def model(self) -> str | None:
        """The serving model ("mf_bias <version>", "popularity fallback"); None for none."""
        holder = self._resources.holder
        if holder is None:
            return None
        info = holder.get().info
        return f"{info.kind} {info.version}" if holder.personal else "popularity fallback"

    async def metrics(self, request: web.Request) -> web.Response:
        """Every metric, the serving model read from the holder now."""
        metrics = self._resources.metrics
        holder = self._resources.holder
        if holder is not None:
            info = holder.get().info
            metrics.serving(info.kind, info.version)
        return web.Response(body=metrics.exposition(), headers={"Content-Type": TEXT_FORMAT})


def add_health(app: web.Application, resources: Resources) -> None:
    """/healthz and /metrics on `app` (GET, and HEAD)."""
    health = Health(resources)
    app.router.add_get("/healthz", health.healthz)
    app.router.add_get("/metrics", health.metrics)
