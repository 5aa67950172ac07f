"""Time in Workdiary: slots, work weeks and the clock the core is driven by.

Everything is computed with aware UTC datetimes; local time zones are used only to show times and
to decide which local date a moment falls on.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfoNotFoundError

import tzlocal

SLOT = timedelta(minutes=10)
WEEK = timedelta(days=7)


class Clock(Protocol):
    def now(self) -> datetime:
        """The wall clock, an aware UTC datetime."""

    def monotonic(self) -> float:
        """Seconds on a clock that never jumps and stops while the machine sleeps."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


def slot_start(moment: datetime) -> datetime:
    """The start of the clock-aligned 10-minute slot that holds ``moment``."""
    moment = moment.astimezone(UTC)
    return moment.replace(minute=moment.minute - moment.minute % 10, second=0, microsecond=0)


def slot_minutes(start: datetime, end: datetime) -> int:
    """The minutes of its slot that a block from ``start`` to ``end`` touches: the activity
    meter's denominator."""
    slot = slot_start(start)
    first = int((start - slot).total_seconds()) // 60
    last = (int((end - slot).total_seconds()) - 1) // 60
    return max(last - first + 1, 0)


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 UTC of the work week that holds ``moment``."""
    moment = moment.astimezone(UTC)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def week_of_date(day: date) -> datetime:
    """The work week named by a calendar date: the one whose UTC Monday..Sunday holds that date."""
    monday = day - timedelta(days=day.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=UTC)


def local_day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The UTC instants at which a local calendar date starts and ends (DST-aware: 23 or 25 h)."""
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    following = day + timedelta(days=1)
    end = datetime(following.year, following.month, following.day, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def to_epoch(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: Workdiary only computes with aware times")
    return int(moment.timestamp())


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def local_zone() -> tzinfo:
    """The user's time zone with its DST rules (a fixed offset would misplace summer days): $TZ,
    else the system's (tzlocal maps Windows' zone names to IANA ones). A $TZ that names no zone
    leaves the current offset, as the C library does."""
    try:
        return tzlocal.reload_localzone()  # read afresh: get_localzone() keeps its first answer
    except (ZoneInfoNotFoundError, ValueError):
        return datetime.now().astimezone().tzinfo  # type: ignore[return-value]  # astimezone() always sets a zone
