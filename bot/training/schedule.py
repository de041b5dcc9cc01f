"""RETRAIN_SCHEDULE, BACKUP_SCHEDULE and RETRAIN_TIMEOUT strings, turned into APScheduler
triggers and seconds.

Kept apart from the retraining run so the parsing can be tested (and fail loudly at start-up)
without a bot, a database or a model.
"""

from __future__ import annotations

import re
from datetime import timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)")
_OFF = {"", "off", "none", "never", "0"}


class ScheduleError(ValueError):
    """A RETRAIN_SCHEDULE, BACKUP_SCHEDULE or RETRAIN_TIMEOUT value that cannot be understood."""


def parse_duration(text: str | float | int, *, name: str = "RETRAIN_TIMEOUT") -> float:
    """Seconds in `text`: a bare number means seconds, else one unit: "45s", "30m", "6h", "1d"."""
    if isinstance(text, int | float):
        seconds = float(text)
    else:
        match = _DURATION.fullmatch(text.strip().lower())
        if match is None:
            raise ScheduleError(f"{name}={text!r}: expected a duration like 45s, 30m, 6h or 1d")
        seconds = float(match[1]) * _UNITS[match[2] or "s"]
    if seconds <= 0:
        raise ScheduleError(f"{name}={text!r}: must be more than zero seconds")
    return seconds


def parse_schedule(
    text: str, *, timezone: str = "UTC", name: str = "RETRAIN_SCHEDULE"
) -> BaseTrigger | None:
    """The trigger for a schedule (RETRAIN_SCHEDULE, or the setting ``name``): an interval
    ("6h") or a 5-field crontab string.

    "", "off", "none", "never" and "0" switch the schedule off (None): an admin can still run
    /retrain, an operator `moviebot backup`.
    """
    value = text.strip()
    if value.lower() in _OFF:
        return None
    if len(value.split()) == 5:
        try:
            return CronTrigger.from_crontab(value, timezone=timezone)
        except ValueError as err:
            raise ScheduleError(f"{name}={text!r}: not a valid crontab ({err})") from err
    try:
        seconds = parse_duration(value, name=name)
    except ScheduleError:
        raise ScheduleError(
            f"{name}={text!r}: expected an interval like 6h, 30m, 45s "
            "or a crontab like '0 */6 * * *'"
        ) from None
    return IntervalTrigger(seconds=seconds, timezone=timezone)


def describe(trigger: BaseTrigger | None) -> str:
    """A short human description for logs and /model."""
    if trigger is None:
        return "off"
    if isinstance(trigger, IntervalTrigger):
        return f"every {timedelta(seconds=trigger.interval.total_seconds())}"
    return str(trigger)
