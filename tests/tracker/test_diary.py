"""The Work Diary over a real database: edits under the rules, and the week seen from any zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from common.errors import NotFound, RuleViolation
from common.rules import ContractTerms, locked_at
from common.timeutil import to_epoch
from common.wire import MAX_MEMO_CHARS
from tests.helpers.rows import read_rows, row_by_id
from tracker import tables
from tracker.capture import imaging
from tracker.diary import DayAndWeek, Diary
from tracker.engine import Tracker
from tracker.simulation import SimulatedClock, SimulatedInput, simulate
from tracker.tables import pack_activity

WEDNESDAY = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def site(diary):
    return diary.add_contract("Website", now=at(1, 0), hourly_rate=Decimal("50.00"))


def manual(diary, database, contract, start, end, memo="", now=WEDNESDAY):
    return diary.add_manual_time(contract.id, start, end, memo, now, database.device_id())


def test_manual_time_makes_one_labelled_block_per_slot(diary, database, site):
    ids = manual(diary, database, site, at(25, 9), at(25, 9, 30), "Call with Acme")
    blocks = diary.day_blocks(date(2026, 11, 25))
    assert [b.id for b in blocks] == ids
    assert [(b.start, b.seconds, b.source, b.memo) for b in blocks] == [
        (at(25, 9, m), 600, "manual", "Call with Acme") for m in (0, 10, 20)
    ]
    assert all(b.screenshot_id is None and b.activity == [] for b in blocks)


def test_manual_time_is_refused_over_tracked_time_of_another_contract(
    make_tracker, clock, diary, database, site
):
    logo = diary.add_contract("Logo", now=at(1, 0))
    tracker = make_tracker()
    tracker.start(logo.id)
    simulate(tracker, clock, 300)  # Monday 09:00–09:05 on the logo
    tracker.stop()
    with pytest.raises(RuleViolation, match="“Logo”"):
        manual(diary, database, site, at(23, 9), at(23, 9, 10))
    assert len(diary.day_blocks(date(2026, 11, 23))) == 1


def test_manual_time_past_the_weekly_limit_is_marked(diary, database):
    capped = diary.add_contract("Capped", now=at(1, 0), weekly_limit_hours=0.5)
    manual(diary, database, capped, at(24, 9), at(24, 10))
    blocks = diary.day_blocks(date(2026, 11, 24))
    assert [b.over_limit for b in blocks] == [False, False, False, True, True, True]
    assert diary.totals(capped.id, WEDNESDAY).week_earnings == 0  # rate 0, but billed only 30 min


def test_a_contract_that_forbids_manual_time_stores_nothing(diary, database):
    strict = diary.add_contract("Strict", now=at(1, 0), manual_time_allowed=False)
    with pytest.raises(RuleViolation, match="does not allow manual time"):
        manual(diary, database, strict, at(25, 9), at(25, 10))
    assert diary.day_blocks(date(2026, 11, 25)) == []


def test_remove_time_and_edit_memos_of_a_selection(diary, database, site):
    ids = manual(diary, database, site, at(25, 9), at(25, 10))
    diary.edit_memo(ids[:3], "Checkout flow", WEDNESDAY)
    diary.remove_time(ids[4:], WEDNESDAY)
    blocks = diary.day_blocks(date(2026, 11, 25))
    assert [b.memo for b in blocks] == ["Checkout flow"] * 3 + [""]
    tombstones = read_rows(database, select(tables.blocks).where(tables.blocks.c.deleted.is_(True)))
    assert sorted(b.id for b in tombstones) == sorted(ids[4:])
    assert all(b.sync_state == "pending" for b in tombstones)


def test_a_memo_over_500_characters_is_refused_and_changes_nothing(diary, database, site):
    too_long = "x" * (MAX_MEMO_CHARS + 1)
    with pytest.raises(RuleViolation, match="at most 500 characters"):
        manual(diary, database, site, at(25, 9), at(25, 10), too_long)
    ids = manual(diary, database, site, at(25, 9), at(25, 9, 10), "Checkout flow")
    with pytest.raises(RuleViolation, match="at most 500 characters"):
        diary.edit_memo(ids, too_long, WEDNESDAY)
    assert [b.memo for b in diary.day_blocks(date(2026, 11, 25))] == ["Checkout flow"]


def test_past_weeks_are_view_only(diary, database, site):
    ids = manual(diary, database, site, at(25, 9), at(25, 9, 20))
    next_tuesday = at(1, 12, month=12)
    for edit in (
        lambda: diary.edit_memo(ids, "late", next_tuesday),
        lambda: diary.remove_time(ids, next_tuesday),
    ):
        with pytest.raises(RuleViolation, match="locked since Mon 30 Nov 12:00"):
            edit()
    assert [b.memo for b in diary.day_blocks(date(2026, 11, 25))] == ["", ""]


def test_an_edit_with_one_locked_block_changes_none(diary, database, site):
    old = manual(diary, database, site, at(20, 9), at(20, 9, 10), now=at(20, 10))
    new = manual(diary, database, site, at(25, 9), at(25, 9, 10))
    with pytest.raises(RuleViolation):
        diary.edit_memo(new + old, "both", WEDNESDAY)
    assert [b.memo for b in diary.day_blocks(date(2026, 11, 25))] == [""]


def test_unknown_blocks_are_reported(diary):
    with pytest.raises(NotFound, match="no time block"):
        diary.remove_time(["nope"], WEDNESDAY)


def tracked_slot(make_tracker, clock, contract):
    tracker = make_tracker()
    tracker.start(contract.id)
    simulate(tracker, clock, 600)
    tracker.stop()


def test_deleting_a_screenshot_removes_its_blocks_time_and_files(
    make_tracker, clock, diary, database, contract
):
    tracked_slot(make_tracker, clock, contract)
    (block,) = diary.day_blocks(clock.now().date())
    files = list(database.screenshot_dir.rglob("*.jpg"))
    assert len(files) == 2
    diary.delete_screenshot(block.screenshot_id, clock.now())
    assert diary.day_blocks(clock.now().date()) == []
    assert not any(f.exists() for f in files)
    assert row_by_id(database, tables.screenshots, block.screenshot_id).deleted
    assert diary.totals(contract.id, clock.now()).this_week == 0


def test_totals_this_week_last_week_and_since_the_start(diary, database, site):
    manual(diary, database, site, at(17, 9), at(17, 10), now=at(17, 12))
    manual(diary, database, site, at(2, 9), at(2, 9, 30), now=at(2, 12))
    manual(diary, database, site, at(25, 9), at(25, 11))
    totals = diary.totals(site.id, WEDNESDAY)
    assert (totals.this_week, totals.last_week, totals.since_start) == (7200, 3600, 12600)
    assert (totals.week_earnings, totals.currency) == (Decimal("100.00"), "USD")


def test_agency_members_see_no_earnings(diary, database):
    agency = diary.add_contract("Via agency", now=at(1, 0), hourly_rate=Decimal(30), agency_member=True)
    manual(diary, database, agency, at(25, 9), at(25, 10))
    assert diary.totals(agency.id, WEDNESDAY).week_earnings is None


def test_month_days_are_the_calendar_dots_in_local_time(database, site):
    utc = Diary(database, UTC)
    manual(utc, database, site, at(24, 23, 30), at(24, 23, 50))
    manual(utc, database, site, at(25, 9), at(25, 9, 10))
    assert utc.month_days(2026, 11) == {date(2026, 11, 24), date(2026, 11, 25)}
    kiritimati = Diary(database, ZoneInfo("Pacific/Kiritimati"))  # UTC+14: 23:30 UTC is tomorrow
    assert kiritimati.month_days(2026, 11) == {date(2026, 11, 25)}
    assert utc.month_days(2026, 12) == set()


def test_the_week_seen_from_kiritimati(database, site):
    """UTC+14: the work week runs from Monday 14:00 to the next Monday 14:00, local time."""
    diary = Diary(database, ZoneInfo("Pacific/Kiritimati"))
    manual(diary, database, site, at(22, 20), at(22, 20, 10), now=at(22, 22))  # Mon 23 10:00 local, last week
    manual(diary, database, site, at(23, 1), at(23, 1, 10))  # Mon 23 15:00 local
    manual(diary, database, site, at(29, 20), at(29, 20, 20), now=at(29, 21))  # Mon 30 10:00 local
    rows = diary.week_days(date(2026, 11, 25))
    assert [r.day for r in rows] == [date(2026, 11, 23) + timedelta(days=i) for i in range(8)]
    assert diary.week_dates(date(2026, 11, 25)) == [r.day for r in rows]  # computed, not read
    assert [r.partial for r in rows] == [True] + [False] * 6 + [True]
    assert (rows[0].seconds, rows[-1].seconds) == (600, 1200)
    assert sum(r.seconds for r in rows) == 1800
    assert [b.start for b in diary.day_blocks(date(2026, 11, 23))] == [at(22, 20), at(23, 1)]
    assert locked_at(ContractTerms.of(site), at(23, 1)).astimezone(diary.zone) == datetime(
        2026, 12, 1, 2, tzinfo=ZoneInfo("Pacific/Kiritimati")
    )


def test_the_week_seen_from_pago_pago(database, site):
    """UTC−11: the work week runs from Sunday 13:00 to the next Sunday 13:00, local time."""
    diary = Diary(database, ZoneInfo("Pacific/Pago_Pago"))
    manual(diary, database, site, at(23, 0), at(23, 0, 10))  # Sun 22 13:00 local
    manual(diary, database, site, at(30, 7), at(30, 7, 10), now=at(30, 8))  # Sun 29 20:00 local, next week
    rows = diary.week_days(date(2026, 11, 25))
    assert [r.day for r in rows] == [date(2026, 11, 22) + timedelta(days=i) for i in range(8)]
    assert (rows[0].seconds, rows[-1].seconds) == (600, 0)
    assert diary.week_days(date(2026, 11, 30))[0].seconds == 600
    assert [b.start for b in diary.day_blocks(date(2026, 11, 29))] == [at(30, 7)]


def test_a_dst_change_day_in_new_york(database, contract):
    """1 Nov 2026: clocks go back at 02:00 EDT; the day has 25 hours and 01:xx happens twice."""
    new_york = ZoneInfo("America/New_York")
    clock = SimulatedClock(datetime(2026, 11, 1, 4, 0, tzinfo=UTC))  # 00:00 EDT
    tracker = Tracker(database, clock, input_source=SimulatedInput())
    tracker.start(contract.id)
    simulate(tracker, clock, 5 * 3600)  # to 04:00 EST
    tracker.stop()
    local = Diary(database, new_york)
    blocks = local.day_blocks(date(2026, 11, 1))
    assert len(blocks) == 30
    starts = [b.start.astimezone(new_york).strftime("%H:%M") for b in blocks]
    assert starts.count("01:00") == 2 and starts[-1] == "03:50"
    week = local.week_days(date(2026, 11, 1))
    assert next(r.seconds for r in week if r.day == date(2026, 11, 1)) == 5 * 3600


def test_redacting_a_screenshot_blurs_it_for_good_and_keeps_the_time(
    make_tracker, clock, diary, database, contract
):
    from PySide6.QtGui import QImage

    tracked_slot(make_tracker, clock, contract)
    (block,) = diary.day_blocks(clock.now().date())
    (image,) = diary.screenshot_images(block.screenshot_id)
    path = database.data_dir / image.path
    before = QImage(str(path))
    assert before.pixelColor(31, 19).lightness() < 60  # the black square
    diary.redact_screenshot(block.screenshot_id, clock.now())
    after = QImage(str(path))
    assert after.pixelColor(31, 19).lightness() > 150  # averaged into the white around it
    (redacted,) = diary.day_blocks(clock.now().date())
    assert (redacted.redacted, redacted.seconds) == (True, 600)
    (stored,) = diary.screenshot_images(block.screenshot_id)
    assert (stored.sha256, stored.size_bytes) == imaging.digest(path.read_bytes())
    assert stored.sha256 != image.sha256


def test_totals_of_every_contract_in_one_pass(diary, database, site):
    logo = diary.add_contract("Logo", now=at(1, 0), hourly_rate=Decimal(20), currency="EUR")
    manual(diary, database, site, at(25, 9), at(25, 10))
    manual(diary, database, logo, at(17, 9), at(17, 9, 30), now=at(17, 12))
    manual(diary, database, logo, at(25, 10), at(25, 10, 30))
    totals = diary.totals_by_contract(WEDNESDAY)
    assert totals[site.id] == diary.totals(site.id, WEDNESDAY)
    assert (totals[logo.id].this_week, totals[logo.id].last_week, totals[logo.id].since_start) == (
        1800,
        1800,
        3600,
    )
    assert (totals[logo.id].week_earnings, totals[logo.id].currency) == (Decimal("10.00"), "EUR")
    assert diary.totals_by_contract(WEDNESDAY, logo.id).keys() == {logo.id}


def test_all_time_counts_each_block_once_on_either_side_of_the_two_latest_weeks(diary, database, site):
    """The totals read the rows of this week and last week, and the rest of all time from an
    index: time before, at the edge of, in and after those weeks counts once, removed time never."""
    logo = diary.add_contract("Logo", now=at(1, 0))
    manual(diary, database, site, at(2, 9), at(2, 9, 30), now=at(2, 12))
    manual(diary, database, logo, at(2, 10), at(2, 10, 10), now=at(2, 12))
    manual(diary, database, site, at(15, 23, 50), at(16, 0, 10), now=at(16, 1))  # two weeks' edge
    removed, *_ = manual(diary, database, site, at(25, 9), at(25, 10))
    diary.remove_time([removed], WEDNESDAY)
    manual(diary, database, site, at(1, 9, month=12), at(1, 9, 10, month=12), now=at(1, 12, month=12))
    long_ago = tables.blocks.c.start == at(2, 9, 20)
    database.write(update(tables.blocks).where(long_ago).values(deleted=True))  # a block removed long ago

    totals = diary.totals_by_contract(WEDNESDAY)
    site_totals = diary.totals(site.id, WEDNESDAY)
    assert (site_totals.this_week, site_totals.last_week, site_totals.since_start) == (3000, 600, 6000)
    assert site_totals.billable_this_week == 3000
    assert totals[site.id] == site_totals
    assert (totals[logo.id].this_week, totals[logo.id].last_week, totals[logo.id].since_start) == (0, 0, 600)


def test_the_calendar_dots_and_the_days_of_one_contract(diary, database, site):
    logo = diary.add_contract("Logo", now=at(1, 0))
    (removed,) = manual(diary, database, site, at(23, 9), at(23, 9, 10))
    manual(diary, database, site, at(24, 9), at(24, 9, 10))
    manual(diary, database, logo, at(25, 9), at(25, 9, 20))
    diary.remove_time([removed], WEDNESDAY)
    assert diary.month_days(2026, 11) == {date(2026, 11, 24), date(2026, 11, 25)}
    assert diary.month_days(2026, 11, logo.id) == {date(2026, 11, 25)}
    assert [row.seconds for row in diary.week_days(date(2026, 11, 25), logo.id)] == [0, 0, 1200, 0, 0, 0, 0]
    assert [row.seconds for row in diary.week_days(date(2026, 11, 25))] == [0, 600, 1200, 0, 0, 0, 0]


def test_thumbnails_of_many_screenshots_at_once_and_the_open_block(make_tracker, clock, diary, contract):
    tracker = make_tracker()
    tracker.start(contract.id)
    simulate(tracker, clock, 1500)  # two closed slots and an open one
    blocks = diary.day_blocks(clock.now().date())
    assert [b.is_open for b in blocks] == [False, False, True]
    shot_ids = [b.screenshot_id for b in blocks if b.screenshot_id]
    paths = diary.thumbnail_paths(shot_ids)
    assert paths.keys() == set(shot_ids)
    assert all(path.name.endswith("-m1-thumb.jpg") and path.exists() for path in paths.values())


def test_blocks_read_back_with_the_values_and_types_of_the_stored_rows(
    make_tracker, clock, diary, database, contract
):
    tracker = make_tracker()
    tracker.start(contract.id, "Checkout flow")
    simulate(tracker, clock, 1500)  # two closed slots with their screenshots, and an open one
    views = diary.day_blocks(clock.now().date())
    assert len(views) == 3 and views[0].screenshot_id
    for view in views:
        block = row_by_id(database, tables.blocks, view.id)
        shots = read_rows(
            database, select(tables.screenshots).where(tables.screenshots.c.block_id == view.id)
        )
        shot = shots[0] if shots else None
        stored = (
            *(block.id, block.contract_id, to_epoch(block.start), to_epoch(block.end), block.memo),
            *(block.source, block.over_limit, block.capture_note, block.active_minutes),
            *(block.active_seconds, pack_activity(block.activity), block.activity_source, block.is_open),
            *((shot.id, shot.redacted) if shot else (None, False)),
        )
        assert tuple(view) == stored
        assert [type(value) for value in view] == [type(value) for value in stored]


# ----- the block being tracked counts, to the second


def test_every_read_counts_the_running_block_as_far_as_it_has_got(make_tracker, clock, diary, contract):
    other = diary.add_contract("Logo", now=clock.now())
    tracker = make_tracker()
    tracker.start(contract.id)
    simulate(tracker, clock, 58)  # saved at 55 s (every 5 s); the engine is at 58 s
    today = clock.now().date()
    assert sum(b.seconds for b in diary.day_blocks(today)) == 55  # the database alone

    diary.running = tracker.running
    assert diary.running.seconds == 58
    (block,) = diary.day_blocks(today)
    assert block.seconds == 58 and block.is_open
    assert [b.seconds for b in diary.week_blocks(today, contract.id)] == [58]
    assert diary.week_blocks(today, other.id) == []
    assert [row.seconds for row in diary.week_days(today) if row.day == today] == [58]
    totals = diary.totals(contract.id, clock.now())
    assert (totals.this_week, totals.since_start, totals.billable_this_week) == (58, 58, 58)
    assert totals.week_earnings == Decimal("0.81")  # 58 s at 50.00 an hour
    assert diary.day_and_week(clock.now(), contract.id) == DayAndWeek(58, 58, 58, 58)
    assert diary.day_and_week(clock.now(), other.id) == DayAndWeek(58, 58, 0, 0)


def test_today_and_this_week_on_a_contract_and_on_all(make_tracker, clock, diary, database, contract):
    other = diary.add_contract("Logo", now=clock.now())
    device = database.device_id()
    diary.add_manual_time(other.id, at(22, 20), at(22, 20, 30), "", clock.now(), device)  # last week
    diary.add_manual_time(other.id, at(23, 7), at(23, 8), "", clock.now(), device)
    # Sunday 23:50 UTC, last work week, is Monday 00:50 in Berlin
    diary.add_manual_time(contract.id, at(22, 23, 50), at(23, 0), "", clock.now(), device)
    tracker = make_tracker()
    tracker.start(contract.id)
    simulate(tracker, clock, 90)
    diary.running = tracker.running
    assert diary.day_and_week(clock.now(), contract.id) == DayAndWeek(3690, 3690, 90, 90)
    berlin = Diary(database, ZoneInfo("Europe/Berlin"))
    berlin.running = tracker.running
    # Berlin's Monday began at Sunday 23:00 UTC, in last work week: its 10 minutes count today.
    assert berlin.day_and_week(clock.now(), contract.id) == DayAndWeek(4290, 3690, 690, 90)


def test_the_open_block_seen_from_another_process(make_tracker, clock, database, contract):
    tracker = make_tracker()
    tracker.start(contract.id)
    simulate(tracker, clock, 58)
    status = Diary(database, UTC)  # `python -m tracker status` beside the tracker
    fresh = timedelta(seconds=10)
    carried = status.open_block_carried_to(clock.now(), fresh)
    assert carried == tracker.running
    clock.advance(600)  # the tracker was killed after its last save, 3 s before the advance
    assert status.open_block_carried_to(clock.now(), fresh) is None


def test_a_block_saved_into_the_next_slot_is_carried_only_to_its_own_slot_end(
    make_tracker, clock, database, contract
):
    tracker = make_tracker()
    clock.advance(590)  # 09:09:50
    tracker.tick()
    tracker.start(contract.id)
    simulate(tracker, clock, 6)
    clock.advance(6)  # 09:10:02, before the next tick closes the block
    carried = Diary(database, UTC).open_block_carried_to(clock.now(), timedelta(seconds=10))
    assert carried.end == at(23, 9, 10)
