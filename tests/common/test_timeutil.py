"""Slots, work weeks and the user's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from common.timeutil import local_day_bounds, local_zone, slot_start, week_of_date, week_start


def test_slots_are_clock_aligned_ten_minutes_in_utc():
    moment = datetime(2026, 11, 23, 9, 17, 42, 5, tzinfo=ZoneInfo("Asia/Kolkata"))  # +05:30
    assert slot_start(moment) == datetime(2026, 11, 23, 3, 40, tzinfo=UTC)


def test_work_weeks_run_monday_to_sunday_utc():
    assert week_start(datetime(2026, 11, 29, 23, 59, tzinfo=UTC)) == datetime(2026, 11, 23, tzinfo=UTC)
    assert week_start(datetime(2026, 11, 30, tzinfo=UTC)) == datetime(2026, 11, 30, tzinfo=UTC)
    monday_morning_in_kiritimati = datetime(2026, 11, 30, 9, tzinfo=ZoneInfo("Pacific/Kiritimati"))
    assert week_start(monday_morning_in_kiritimati) == datetime(2026, 11, 23, tzinfo=UTC)
    assert week_of_date(date(2026, 11, 29)) == datetime(2026, 11, 23, tzinfo=UTC)


def test_a_local_day_may_last_25_hours():
    start, end = local_day_bounds(date(2026, 11, 1), ZoneInfo("America/New_York"))
    assert (end - start).total_seconds() == 25 * 3600


def test_the_local_zone_knows_its_dst_rules(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Paris")
    zone = local_zone()
    assert datetime(2026, 7, 1, 12, tzinfo=zone).utcoffset().total_seconds() == 7200
    assert datetime(2026, 12, 1, 12, tzinfo=zone).utcoffset().total_seconds() == 3600


def test_a_zone_name_with_the_posix_colon_is_read(monkeypatch):
    monkeypatch.setenv("TZ", ":Asia/Kolkata")
    assert datetime(2026, 7, 1, 12, tzinfo=local_zone()).utcoffset().total_seconds() == 19800


def test_a_tz_that_names_no_zone_leaves_the_current_offset(monkeypatch):
    monkeypatch.setenv("TZ", "Nowhere/Atlantis")
    zone = local_zone()
    assert datetime.now(zone).utcoffset() == datetime.now().astimezone().utcoffset()
