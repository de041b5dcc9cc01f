"""RETRAIN_SCHEDULE, BACKUP_SCHEDULE and RETRAIN_TIMEOUT strings, turned into APScheduler
triggers and seconds.

Kept apart from the retraining run so the parsing can be tested (and fail loudly at start-up)
without a bot, a database or a model. `slot_of` names the tick a job fired for, the same in
every replica, so that only one of them runs it (see bot.storage.cluster).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)")
_OFF = {"", "off", "none", "never", "0"}
SLOT_LOOKBACK = timedelta(hours=1)
"""How far back `slot_of` looks for a crontab's tick: as late as a job may still fire (the
misfire grace of bot.chat.jobs)."""


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


def slot_of(trigger: BaseTrigger, now: datetime, name: str = "retrain") -> str:
    """The tick a job of ``trigger`` that fires at ``now`` runs for, e.g.
    "retrain@2026-12-02T12:00:00Z": every replica names the same tick the same way.

    A crontab fires at the same instants in every replica: the tick is its latest fire time.
    An interval starts when each replica started, so the tick is the interval-long stretch
    since the epoch that ``now`` falls in: each replica fires once per stretch, and the first
    to claim a stretch runs it.
    """
    if isinstance(trigger, IntervalTrigger):
        step = trigger.interval.total_seconds()
        tick = datetime.fromtimestamp(math.floor(now.timestamp() / step) * step, UTC)
    else:
        tick = _last_fire(trigger, now) or now.replace(second=0, microsecond=0)
    return f"{name}@{tick.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def _last_fire(trigger: BaseTrigger, now: datetime) -> datetime | None:
    last = None
    fire = trigger.get_next_fire_time(None, now - SLOT_LOOKBACK)
    while fire is not None and fire <= now:
        last = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return last
