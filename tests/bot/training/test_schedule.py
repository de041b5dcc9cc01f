"""RETRAIN_SCHEDULE and RETRAIN_TIMEOUT parsing."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.training.schedule import (
    ScheduleError,
    describe,
    parse_duration,
    parse_schedule,
    slot_of,
)


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


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + "+00:00")


def test_replicas_firing_a_crontab_name_the_same_tick() -> None:
    trigger = parse_schedule("0 */6 * * *")
    assert trigger is not None
    tick = "retrain@2026-01-01T12:00:00Z"
    # on time, a moment later in a slower replica, and late (a busy loop, within the grace)
    for fired in ("2026-01-01T12:00:00", "2026-01-01T12:00:01.700", "2026-01-01T12:40:00"):
        assert slot_of(trigger, at(fired)) == tick
    assert slot_of(trigger, at("2026-01-01T18:00:00.5")) == "retrain@2026-01-01T18:00:00Z"
    assert slot_of(trigger, at("2026-01-01T12:00:00"), name="backup").startswith("backup@")


def test_replicas_started_at_different_times_run_an_interval_once_per_interval() -> None:
    trigger = parse_schedule("1h")
    assert trigger is not None
    start = at("2026-01-01T00:00:00")
    phases = {"a": timedelta(minutes=50), "b": timedelta(minutes=5), "c": timedelta(minutes=31)}
    fires = sorted(
        (start + phase + timedelta(hours=k), name)
        for name, phase in phases.items()
        for k in range(24)
    )
    claimed: dict[str, tuple[datetime, str]] = {}
    for fired, name in fires:  # the first replica to claim a tick runs it
        claimed.setdefault(slot_of(trigger, fired), (fired, name))
    runs = sorted(claimed.values())
    assert len(runs) == 24  # one per hour the replicas fired in
    gaps = {later[0] - earlier[0] for earlier, later in itertools.pairwise(runs)}
    assert gaps == {timedelta(hours=1)}  # evenly spaced, never two in one hour
