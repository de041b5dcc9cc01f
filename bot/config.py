"""Settings read once from the environment (and an optional `.env`): every setting and its default.

Every problem is reported as one `ConfigError` line naming the variable, so a
misconfigured deployment fails at start-up instead of on the first update.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.training.schedule import ScheduleError, parse_duration, parse_schedule

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_SCHEDULE = "6h"
DEFAULT_TIMEOUT_S = 1800.0
DEFAULT_MARGIN = 0.02
_TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")


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
    """DATABASE_PATH: the SQLite file."""
    model_dir: Path = Path("data/models")
    """MODEL_DIR: one sub-folder per trained model plus the `current` pointer."""
    movielens_dir: Path | None = None
    """MOVIELENS_DIR: a local ml-latest-small folder; when unset it is downloaded once."""
    log_level: str = "INFO"
    """LOG_LEVEL: one of DEBUG, INFO, WARNING, ERROR, CRITICAL."""
    retrain_schedule: str = DEFAULT_SCHEDULE
    """RETRAIN_SCHEDULE: an interval ("30m", "6h", "1d"), a 5-field crontab, or "off"."""
    retrain_timeout: float = DEFAULT_TIMEOUT_S
    """RETRAIN_TIMEOUT: seconds (or "30m") after which a training run is stopped as failed."""
    retrain_margin: float = DEFAULT_MARGIN
    """RETRAIN_MARGIN: how much worse (relative, 0.02 = 2%) a new model's validation metrics
    may be than the serving model's and still replace it."""
    train_config: Mapping[str, Any] = field(default_factory=dict)
    """TRAIN_CONFIG: JSON overrides of recsys.train.TrainConfig for every run, e.g.
    {"epochs": 3, "dim": 16} for fast tests."""
    migrations_dir: Path | None = None
    """MIGRATIONS_DIR: the numbered SQL files; only a non-editable install (the Docker image)
    needs it. None: storage's default, the `migrations/` folder beside the code."""
    holdout_share: float = 0.1
    """Share of (person, movie) pairs no model trains on, so runs are judged fairly (see
    bot.training.holdout). Not an environment variable: changing it re-draws the slice."""
    keep_models: int = 5
    """Model artifacts kept on disk after a swap (rollback needs only the previous one);
    each is tens of MB."""

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
        movielens = get("MOVIELENS_DIR")
        migrations = get("MIGRATIONS_DIR")
        return cls(
            token=token,
            base_url=_base_url(get("TELEGRAM_BASE_URL")),
            admin_ids=_admin_ids(get("ADMIN_IDS")),
            data_dir=data_dir,
            database_path=Path(get("DATABASE_PATH") or data_dir / "moviebot.db"),
            model_dir=Path(get("MODEL_DIR") or data_dir / "models"),
            movielens_dir=Path(movielens) if movielens else None,
            log_level=_log_level(get("LOG_LEVEL")),
            retrain_schedule=_schedule(get("RETRAIN_SCHEDULE")),
            retrain_timeout=_duration(get("RETRAIN_TIMEOUT")),
            retrain_margin=_non_negative("RETRAIN_MARGIN", get("RETRAIN_MARGIN"), DEFAULT_MARGIN),
            train_config=_train_config(get("TRAIN_CONFIG")),
            migrations_dir=Path(migrations) if migrations else None,
        )


def _base_url(value: str | None) -> str | None:
    if value is None:
        return None
    if not value.startswith(("http://", "https://")):
        raise ConfigError(f"TELEGRAM_BASE_URL must start with http:// or https://, got {value!r}")
    return value


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


def _schedule(value: str | None) -> str:
    schedule = value or DEFAULT_SCHEDULE
    try:
        parse_schedule(schedule)
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
