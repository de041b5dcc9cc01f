"""RETRAIN_SCHEDULE and RETRAIN_TIMEOUT parsing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.training.schedule import ScheduleError, describe, parse_duration, parse_schedule


@pytest.mark.parametrize(("text", "seconds"), [("6h", 21600), ("30m", 1800), ("45s", 45)])
def test_intervals(text: str, seconds: int) -> None:
    trigger = parse_schedule(text)
    assert isinstance(trigger, IntervalTrigger)
    assert trigger.interval == timedelta(seconds=seconds)


def test_crontab_fires_on_its_fields() -> None:
    trigger = parse_schedule("0 */6 * * *")
    assert isinstance(trigger, CronTrigger)
    now = datetime.fromisoformat("2026-01-01T07:30:00+00:00")
    assert trigger.get_next_fire_time(None, now) == datetime.fromisoformat(
        "2026-01-01T12:00:00+00:00"
    )


@pytest.mark.parametrize("text", ["off", "", "OFF", "none"])
def test_off(text: str) -> None:
    assert parse_schedule(text) is None
    assert describe(None) == "off"


@pytest.mark.parametrize("text", ["6x", "every hour", "-5m", "0 99 * * *", "1 2 3"])
def test_bad_schedules_name_the_variable(text: str) -> None:
    with pytest.raises(ScheduleError, match="RETRAIN_SCHEDULE"):
        parse_schedule(text)


def test_durations() -> None:
    assert parse_duration("90") == 90
    assert parse_duration("1.5m") == 90
    assert parse_duration(30) == 30
    with pytest.raises(ScheduleError, match="RETRAIN_TIMEOUT"):
        parse_duration("0s")
    with pytest.raises(ScheduleError, match="RETRAIN_TIMEOUT"):
        parse_duration("soon")
