"""The bot as a deployment runs it: one process polling, or replicas in webhook mode on one
database (a SQLite file on this machine, or PostgreSQL) and one models directory.

For benchmarks (benchmarks/load.py) that compare the two set-ups under the same load::

    with database_for("postgresql", workdir) as database:
        fleet = Fleet(api, workdir, movielens, database, replicas=2, admin_ids=(1,))
        fleet.start()  # the first replica trains the first model; the others serve it
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.config import DEFAULT_MESSAGES_PER_S
from tests.support.botapi import FakeBotApi
from tests.support.delivery import Delivery
from tests.support.harness import BotProcess, free_port
from tests.support.postgres import fresh_database

SECRET = "fleet-secret_0123456789abcdef"
DATABASES = ("sqlite", "postgresql")


@contextlib.contextmanager
def database_for(kind: str, folder: Path) -> Iterator[str]:
    """Where the fleet keeps its data: "sqlite", a file in ``folder`` (kept afterwards);
    "postgresql", a fresh database on the test server (dropped afterwards)."""
    if kind == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        yield str(folder / "moviebot.db")
        return
    loop = asyncio.new_event_loop()
    manager = fresh_database()
    try:
        yield loop.run_until_complete(manager.__aenter__())
    finally:
        loop.run_until_complete(manager.__aexit__(None, None, None))
        loop.close()


def is_postgres(database: str) -> bool:
    return database.startswith(("postgresql://", "postgres://"))


class Fleet:
    """``replicas`` bot processes in webhook mode behind one (round-robin) URL, or with
    ``replicas=0`` one process in long-polling mode, as a small deployment runs it."""

    def __init__(
        self,
        api: FakeBotApi,
        root: Path,
        movielens: Path,
        database: str,
        *,
        replicas: int,
        admin_ids: tuple[int, ...] = (),
        log_level: str = "INFO",
        messages_per_second: float | None = None,
    ) -> None:
        """``messages_per_second`` is each process's share of the bot's outgoing messages
        (MESSAGES_PER_SECOND); None splits Telegram's 30 a second between the processes, as
        the README tells a deployment to."""
        self.api, self.database, self.replicas = api, database, replicas
        self.models = root / "models"
        self.bots: list[BotProcess] = []
        self.urls: list[str] = []
        self.delivery: Delivery | None = None
        processes = max(1, replicas)
        share = messages_per_second or DEFAULT_MESSAGES_PER_S / processes
        for index in range(processes):
            env = {
                "LOG_LEVEL": log_level,
                "MODEL_DIR": str(self.models),
                "MESSAGES_PER_SECOND": str(share),
            }
            if is_postgres(database):
                env["DATABASE_URL"] = database
            else:
                env["DATABASE_PATH"] = database
            if replicas:
                port = free_port()
                self.urls.append(f"http://127.0.0.1:{port}/hook")
                env.update(
                    WEBHOOK_URL=self.urls[-1],
                    WEBHOOK_SECRET=SECRET,
                    WEBHOOK_LISTEN="127.0.0.1",
                    WEBHOOK_PORT=str(port),
                    MODEL_POLL_SECONDS="1",
                )
            bot = BotProcess(api, root / f"bot-{index}", movielens, admin_ids=admin_ids, env=env)
            bot.models = self.models
            if not is_postgres(database):
                bot.database = Path(database)
            self.bots.append(bot)

    def start(self, model_timeout: float = 600.0) -> None:
        """The first process imports MovieLens and trains the first model; the others start
        on what it left (one at a time, as a rolling deployment would)."""
        first, *others = self.bots
        self._start(first)
        first.wait_model(model_timeout)
        for bot in others:
            self._start(bot)
            bot.wait_log(r"serving model \S+", timeout=60)
        if self.replicas:
            self.delivery = Delivery(self.api, self.urls, SECRET).start()

    def _start(self, bot: BotProcess) -> None:
        bot.start()
        if self.replicas:
            bot.wait_webhook(120)
        else:
            bot.wait_polling(120)

    def stop(self) -> None:
        if self.delivery is not None:
            self.delivery.stop()
            self.delivery = None
        for bot in self.bots:
            bot.stop()

    def pids(self) -> list[int]:
        return [bot.process.pid for bot in self.bots if bot.process is not None]

    def log_marks(self) -> list[int]:
        """Where each process's log ends now (for `logs_since`)."""
        return [len(bot.log()) for bot in self.bots]

    def logs_since(self, marks: list[int]) -> str:
        return "".join(bot.log()[mark:] for bot, mark in zip(self.bots, marks, strict=True))

    def log(self) -> str:
        return self.logs_since([0] * len(self.bots))


def stored_ratings_of_all(database: str, first_id: int) -> dict[int, dict[int, float]]:
    """Every rating of the people with Telegram ids from ``first_id`` on, read directly from
    either backend: telegram id -> movie -> rating."""
    query = (
        "SELECT p.telegram_id, r.movie_id, r.rating FROM ratings r JOIN people p"
        " USING (person_id) WHERE p.telegram_id >= {}"
    )
    if is_postgres(database):
        rows = asyncio.run(_fetch_postgres(database, query.format("$1"), first_id))
    else:
        with sqlite3.connect(f"file:{os.path.abspath(database)}?mode=ro", uri=True) as db:
            rows = db.execute(query.format("?"), (first_id,)).fetchall()
    stored: dict[int, dict[int, float]] = {}
    for telegram_id, movie_id, rating in rows:
        stored.setdefault(int(telegram_id), {})[int(movie_id)] = float(rating)
    return stored


async def database_bytes(database: str) -> int:
    """What a database takes on disk: a SQLite file with its WAL, or a PostgreSQL database
    (tables, indexes, TOAST; not the server's shared WAL)."""
    if is_postgres(database):
        rows = await _fetch_postgres(database, "SELECT pg_database_size(current_database())")
        return int(rows[0][0])
    path = Path(database)
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())


async def _fetch_postgres(url: str, query: str, *args: object) -> list[tuple[Any, ...]]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return [tuple(row) for row in await conn.fetch(query, *args)]
    finally:
        await conn.close()


def postgres_server_cpu_s() -> float:
    """CPU seconds of every PostgreSQL server process on this machine (Linux), children
    included: a backend that exited is counted in the postmaster that waited for it."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, fields = text[text.index("(") + 1 : text.rindex(")")], text.rsplit(")", 1)[1].split()
        if name == "postgres":
            total += sum(int(v) for v in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")
