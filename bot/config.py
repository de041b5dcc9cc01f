"""Settings read once from the environment (and an optional `.env`): every setting and its default.

Every problem is reported as one `ConfigError` line naming the variable, so a
misconfigured deployment fails at start-up instead of on the first update.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.logs import LOG_FORMATS
from bot.storage.url import BadDatabaseUrl, DatabaseUrl, parse_database_url
from bot.training.schedule import ScheduleError, parse_duration, parse_schedule

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_SCHEDULE = "6h"
DEFAULT_TIMEOUT_S = 1800.0
DEFAULT_MARGIN = 0.02
DEFAULT_BACKUP_KEEP = 7
DEFAULT_MODEL_POLL_S = 10.0
DEFAULT_MESSAGES_PER_S = 30.0
"""Telegram's limit on what one bot token sends (about 30 messages a second, all replicas
together): over it, Telegram answers 429 and makes the bot wait."""
_TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
DEFAULT_LISTEN, DEFAULT_WEBHOOK_PORT = "0.0.0.0", 8080
_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
"""Telegram's rule for a webhook's secret_token."""
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
"""Hosts a plain-http WEBHOOK_URL may name (tests, a proxy on the same machine)."""
TELEGRAM_WEBHOOK_PORTS = frozenset({443, 80, 88, 8443})
"""The only ports Telegram sends webhooks to."""
HEALTH_PATHS = frozenset({"/healthz", "/metrics"})


class ConfigError(ValueError):
    """A missing or malformed setting; the message is one line for the operator."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot process needs to know about its environment."""

    token: str = field(repr=False)
    """TELEGRAM_BOT_TOKEN: secret; never printed (excluded from repr)."""
    base_url: str | None = None
    """TELEGRAM_BASE_URL: a Bot API server other than Telegram's; PTB appends the token."""
    admin_ids: frozenset[int] = frozenset()
    """ADMIN_IDS: Telegram user ids allowed to run admin commands."""
    data_dir: Path = Path("data")
    """DATA_DIR: default home of the database, the models and a downloaded dataset."""
    database_path: Path = Path("data/moviebot.db")
    """DATABASE_PATH: the SQLite file (when DATABASE_URL names one, that file)."""
    database_url: DatabaseUrl | None = None
    """DATABASE_URL: sqlite:///path or postgresql://user:password@host:port/db; wins over
    DATABASE_PATH. None: the SQLite file database_path. Use `database`, which knows."""
    model_dir: Path = Path("data/models")
    """MODEL_DIR: one sub-folder per trained model plus the `current` pointer."""
    movielens_dir: Path | None = None
    """MOVIELENS_DIR: a local ml-latest-small folder; when unset it is downloaded once."""
    log_level: str = "INFO"
    """LOG_LEVEL: one of DEBUG, INFO, WARNING, ERROR, CRITICAL."""
    log_format: str = "text"
    """LOG_FORMAT: "text" (readable lines) or "json" (one JSON object per line: time, level,
    logger, message and, while an update is handled, update_id, person as a keyed hash of
    the Telegram id, duration_ms; see bot.logs)."""
    retrain_schedule: str = DEFAULT_SCHEDULE
    """RETRAIN_SCHEDULE: an interval ("30m", "6h", "1d"), a 5-field crontab, or "off"."""
    retrain_timeout: float = DEFAULT_TIMEOUT_S
    """RETRAIN_TIMEOUT: seconds (or "30m") after which a training run is stopped as failed."""
    retrain_margin: float = DEFAULT_MARGIN
    """RETRAIN_MARGIN: how much worse (relative, 0.02 = 2%) a new model's validation metrics
    may be than the serving model's and still replace it."""
    backup_schedule: str = "off"
    """BACKUP_SCHEDULE: when the bot backs its database up by itself, in RETRAIN_SCHEDULE's
    syntax (an interval, a 5-field crontab in UTC, or "off", the default)."""
    backup_dir: Path = Path("data/backups")
    """BACKUP_DIR: where scheduled backups go (default <DATA_DIR>/backups), each named
    <database name>-<UTC time>.db."""
    backup_keep: int = DEFAULT_BACKUP_KEEP
    """BACKUP_KEEP: how many scheduled backups stay in BACKUP_DIR; older ones are deleted."""
    train_config: Mapping[str, Any] = field(default_factory=dict)
    """TRAIN_CONFIG: JSON overrides of recsys.train.TrainConfig for every run, e.g.
    {"epochs": 3, "dim": 16} for fast tests."""
    migrations_dir: Path | None = None
    """MIGRATIONS_DIR: a folder of numbered SQL files to use instead of the bot's own (an
    override, for trying a migration). None: storage's default, the files installed with the
    package, or in a checkout the top-level `migrations/` folder."""
    holdout_share: float = 0.1
    """Share of (person, movie) pairs no model trains on, so runs are judged fairly (see
    bot.training.holdout). Not an environment variable: changing it re-draws the slice."""
    keep_models: int = 5
    """Model artifacts kept on disk after a swap (rollback needs only the previous one);
    each is tens of MB."""
    webhook_url: str | None = None
    """WEBHOOK_URL: the public https URL Telegram POSTs updates to; set, the bot runs in
    webhook mode instead of long polling, taking them at this URL's path."""
    webhook_listen: str = DEFAULT_LISTEN
    """WEBHOOK_LISTEN: the address the webhook server binds (behind a reverse proxy)."""
    webhook_port: int = DEFAULT_WEBHOOK_PORT
    """WEBHOOK_PORT: the port the webhook server binds."""
    webhook_secret: str | None = field(default=None, repr=False)
    """WEBHOOK_SECRET: required in webhook mode; Telegram sends it in every request's
    X-Telegram-Bot-Api-Secret-Token header, and a request without it is refused (403)."""
    health_port: int | None = None
    """HEALTH_PORT: a server of its own for /healthz and /metrics (in webhook mode the
    webhook server has them too); None: none in polling mode."""
    health_listen: str = DEFAULT_LISTEN
    """HEALTH_LISTEN: the address the HEALTH_PORT server binds."""
    model_poll_seconds: float = DEFAULT_MODEL_POLL_S
    """MODEL_POLL_SECONDS: how often the bot looks at MODEL_DIR's `current` pointer for a
    model another process published (another replica; 0: never); see bot.training.pickup."""
    messages_per_second: float = DEFAULT_MESSAGES_PER_S
    """MESSAGES_PER_SECOND: this process's share of Telegram's limit on the messages a bot
    sends (sends and edits; answers to presses are not counted). The limit is per bot token,
    so N replicas give each 30/N."""

    @property
    def database(self) -> DatabaseUrl:
        """The database to open: DATABASE_URL, else the SQLite file DATABASE_PATH. Its str()
        and repr() never show the password."""
        return self.database_url or DatabaseUrl.sqlite(self.database_path)

    @property
    def webhook_path(self) -> str:
        """Where the webhook server takes updates: the path of WEBHOOK_URL ("/" for none)."""
        return urlsplit(self.webhook_url or "").path or "/"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from `env` (default: the process environment); raises ConfigError."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        token = get("TELEGRAM_BOT_TOKEN")
        if token is None:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: put the token from @BotFather in the "
                "environment or in .env"
            )
        if not _TOKEN_SHAPE.match(token):
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token (<digits>:<secret>)"
            )

        data_dir = Path(get("DATA_DIR") or "data")
        database_url = _database_url(env)
        movielens = get("MOVIELENS_DIR")
        migrations = get("MIGRATIONS_DIR")
        webhook_url = _webhook_url(get("WEBHOOK_URL"), token)
        backup_schedule = _schedule(get("BACKUP_SCHEDULE"), "BACKUP_SCHEDULE", "off")
        if database_url.path is None and backup_schedule.lower() != "off":
            raise ConfigError(
                "BACKUP_SCHEDULE makes SQLite backups, but DATABASE_URL names PostgreSQL: leave"
                " it off and back the database up with pg_dump (or the service's snapshots)"
            )
        health_port = get("HEALTH_PORT")
        return cls(
            token=token,
            base_url=_base_url(get("TELEGRAM_BASE_URL")),
            admin_ids=_admin_ids(get("ADMIN_IDS")),
            data_dir=data_dir,
            database_path=database_url.path
            or Path(get("DATABASE_PATH") or data_dir / "moviebot.db"),
            database_url=database_url if get("DATABASE_URL") else None,
            model_dir=Path(get("MODEL_DIR") or data_dir / "models"),
            movielens_dir=Path(movielens) if movielens else None,
            log_level=_log_level(get("LOG_LEVEL")),
            log_format=_log_format(get("LOG_FORMAT")),
            retrain_schedule=_schedule(get("RETRAIN_SCHEDULE")),
            retrain_timeout=_duration(get("RETRAIN_TIMEOUT")),
            retrain_margin=_non_negative("RETRAIN_MARGIN", get("RETRAIN_MARGIN"), DEFAULT_MARGIN),
            backup_schedule=backup_schedule,
            backup_dir=Path(get("BACKUP_DIR") or data_dir / "backups"),
            backup_keep=_count("BACKUP_KEEP", get("BACKUP_KEEP"), DEFAULT_BACKUP_KEEP),
            model_poll_seconds=_non_negative(
                "MODEL_POLL_SECONDS", get("MODEL_POLL_SECONDS"), DEFAULT_MODEL_POLL_S
            ),
            messages_per_second=_positive(
                "MESSAGES_PER_SECOND", get("MESSAGES_PER_SECOND"), DEFAULT_MESSAGES_PER_S
            ),
            train_config=_train_config(get("TRAIN_CONFIG")),
            migrations_dir=Path(migrations) if migrations else None,
            webhook_url=webhook_url,
            webhook_listen=get("WEBHOOK_LISTEN") or DEFAULT_LISTEN,
            webhook_port=_port("WEBHOOK_PORT", get("WEBHOOK_PORT") or str(DEFAULT_WEBHOOK_PORT)),
            webhook_secret=_webhook_secret(get("WEBHOOK_SECRET"), webhook_url),
            health_port=_port("HEALTH_PORT", health_port) if health_port else None,
            health_listen=get("HEALTH_LISTEN") or DEFAULT_LISTEN,
        )


def database_location(env: Mapping[str, str] | None = None) -> tuple[Path, Path | None]:
    """The SQLite file (DATABASE_URL's, else DATABASE_PATH, default <DATA_DIR>/moviebot.db)
    and MIGRATIONS_DIR from `env` (default: the process environment): all that `moviebot
    backup` and `moviebot restore` read, so they run without a bot token. ConfigError when
    DATABASE_URL is malformed or names PostgreSQL (whose backups are pg_dump's)."""
    env = os.environ if env is None else env
    url = _database_url(env)
    migrations = env.get("MIGRATIONS_DIR", "").strip()
    if url.path is None:
        raise ConfigError(
            f"DATABASE_URL names PostgreSQL ({url}): moviebot backup and restore copy SQLite"
            " files; use pg_dump and pg_restore for it"
        )
    return url.path, Path(migrations) if migrations else None


def _database_url(env: Mapping[str, str]) -> DatabaseUrl:
    """DATABASE_URL when set (it wins), else the SQLite file DATABASE_PATH or
    <DATA_DIR>/moviebot.db; ConfigError (never showing a password) when malformed."""
    value = env.get("DATABASE_URL", "").strip()
    if value:
        try:
            return parse_database_url(value)
        except BadDatabaseUrl as err:
            raise ConfigError(str(err)) from None
    data_dir = env.get("DATA_DIR", "").strip() or "data"
    database = env.get("DATABASE_PATH", "").strip() or Path(data_dir) / "moviebot.db"
    return DatabaseUrl.sqlite(database)


def _base_url(value: str | None) -> str | None:
    if value is None:
        return None
    if not value.startswith(("http://", "https://")):
        raise ConfigError(f"TELEGRAM_BASE_URL must start with http:// or https://, got {value!r}")
    return value


def _webhook_url(value: str | None, token: str) -> str | None:
    """The URL checked against Telegram's rules; never one that holds the token."""
    if value is None:
        return None
    _, _, secret = token.partition(":")
    if token in value or secret in value:  # the message must not repeat the URL, then
        raise ConfigError("WEBHOOK_URL must not contain the bot token: pick any other path")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as err:
        raise ConfigError(f"WEBHOOK_URL is not a URL ({err}): {value!r}") from None
    host = parts.hostname or ""
    local = host in LOOPBACK_HOSTS
    if not host or parts.scheme not in ("https", "http") or (parts.scheme == "http" and not local):
        raise ConfigError(
            "WEBHOOK_URL must be an https:// URL (http:// only for 127.0.0.1 or localhost),"
            f" got {value!r}"
        )
    if not local and port is not None and port not in TELEGRAM_WEBHOOK_PORTS:
        raise ConfigError(
            f"WEBHOOK_URL: Telegram sends webhooks only to ports 443, 80, 88 or 8443, got {port}"
        )
    if parts.fragment or (parts.path or "/") in HEALTH_PATHS:
        raise ConfigError(
            f"WEBHOOK_URL needs a path of its own (not /healthz, /metrics), got {value!r}"
        )
    return value


def _webhook_secret(value: str | None, webhook_url: str | None) -> str | None:
    if webhook_url is None:
        return value
    if value is None:
        raise ConfigError(
            "WEBHOOK_SECRET is required with WEBHOOK_URL: a long random string, e.g. from"
            " `openssl rand -hex 32`"
        )
    if not _SECRET_SHAPE.match(value):  # the message never repeats the secret
        raise ConfigError("WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
    return value


def _port(name: str, value: str | None) -> int:
    if value is None or not value.isdigit() or not 1 <= int(value) <= 65535:
        raise ConfigError(f"{name} must be a port number (1-65535), got {value!r}")
    return int(value)


def _admin_ids(value: str | None) -> frozenset[int]:
    if value is None:
        return frozenset()
    ids = set()
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        if not re.fullmatch(r"-?\d{1,20}", part):
            raise ConfigError(f"ADMIN_IDS must be comma-separated Telegram user ids, got {part!r}")
        ids.add(int(part))
    return frozenset(ids)


def _log_level(value: str | None) -> str:
    level = (value or "INFO").upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {value!r}")
    return level


def _log_format(value: str | None) -> str:
    log_format = (value or "text").lower()
    if log_format not in LOG_FORMATS:
        raise ConfigError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, got {value!r}")
    return log_format


def _schedule(
    value: str | None, name: str = "RETRAIN_SCHEDULE", default: str = DEFAULT_SCHEDULE
) -> str:
    schedule = value or default
    try:
        parse_schedule(schedule, name=name)
    except ScheduleError as err:
        raise ConfigError(str(err)) from None
    return schedule


def _duration(value: str | None) -> float:
    try:
        return parse_duration(value or DEFAULT_TIMEOUT_S, name="RETRAIN_TIMEOUT")
    except ScheduleError as err:
        raise ConfigError(str(err)) from None


def _train_config(value: str | None) -> dict[str, Any]:
    """The JSON object, checked by building the TrainConfig the training process will build."""
    # Imported here: recsys.train loads torch (3-5 s), which a config error should not wait for.
    from recsys.train import TrainConfig

    try:
        overrides = json.loads(value) if value else {}
        TrainConfig.from_dict(overrides)
    except (json.JSONDecodeError, TypeError, ValueError, AttributeError) as err:
        raise ConfigError(
            f"TRAIN_CONFIG must be a JSON object of recsys TrainConfig fields: {err}"
        ) from None
    return dict(overrides)


def _number(name: str, value: str | None, default: float) -> float:
    if value is None:
        return default
    try:
        return float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {value!r}") from None


def _non_negative(name: str, value: str | None, default: float) -> float:
    number = _number(name, value, default)
    if not number >= 0:
        raise ConfigError(f"{name} must be 0 or more, got {value!r}")
    return number


def _positive(name: str, value: str | None, default: float) -> float:
    number = _number(name, value, default)
    if not 0 < number < math.inf:
        raise ConfigError(f"{name} must be a number more than 0, got {value!r}")
    return number


def _count(name: str, value: str | None, default: int) -> int:
    if value is None:
        return default
    if not re.fullmatch(r"\d{1,9}", value) or int(value) < 1:
        raise ConfigError(f"{name} must be a whole number, 1 or more, got {value!r}")
    return int(value)
