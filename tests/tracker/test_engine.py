"""The tracking engine over a real SQLite file, driven by a fake clock: whole days in milliseconds."""

from __future__ import annotations

import random
import tempfile
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from common.errors import EnvironmentProblem, RuleViolation
from common.states import IdleDecision
from common.timeutil import slot_start
from common.wire import MAX_MEMO_CHARS
from tests.conftest import MONDAY
from tests.helpers.fakes import FakeCapturer
from tests.helpers.rows import live_blocks, read_rows
from tracker import tables
from tracker.diary import Diary
from tracker.engine import (
    BlockClosed,
    CaptureFailed,
    ClockJump,
    IdleQuestion,
    IdleStarted,
    LimitReached,
    LimitWarning,
    ScreenshotSkipped,
    ScreenshotTaken,
    Tracker,
    TrackerConfig,
    TrackingStopped,
)
from tracker.simulation import SimulatedClock, SimulatedInput, simulate
from tracker.storage import Database


def test_eight_hours_make_48_blocks_with_their_activity(make_tracker, clock, contract, database, diary):
    events = []
    tracker = make_tracker(events)
    tracker.start(contract.id, "Landing page")
    simulate(tracker, clock, 8 * 3600, keys=2, mouse=3, every=2)  # input every other second
    tracker.stop()

    blocks = live_blocks(database)
    assert len(blocks) == 48
    assert all(b.seconds == 600 and b.start == slot_start(b.start) for b in blocks)
    assert all(b.memo == "Landing page" and not b.is_open for b in blocks)
    views = diary.day_blocks(clock.now().date())
    assert all(v.minutes_tracked == 10 and v.active_minutes == 10 for v in views)
    # 300 input seconds of 2 keys and 3 mouse events in each block
    assert {tuple(map(sum, zip(*(m[1:] for m in b.activity), strict=True))) for b in blocks} == {
        (600, 900, 300)
    }
    assert {round(v.active_share, 2) for v in views} == {0.5}
    shots = [e for e in events if isinstance(e, ScreenshotTaken)]
    assert len(shots) == 48
    assert len({e.block_id for e in shots}) == 48
    assert diary.totals(contract.id, clock.now()).this_week == 8 * 3600
    assert diary.totals(contract.id, clock.now()).week_earnings == 400


def test_every_block_that_ends_is_reported_once_it_is_saved_closed(make_tracker, clock, contract, database):
    events = []
    tracker = make_tracker(events)
    tracker.start(contract.id)
    simulate(tracker, clock, 600 + 30)  # a slot ends
    tracker.cut()  # a screenshot of the open block is being deleted
    simulate(tracker, clock, 30)
    tracker.stop()
    blocks = live_blocks(database)
    assert [e.block_id for e in events if isinstance(e, BlockClosed)] == [b.id for b in blocks]
    assert len(blocks) == 3 and not any(b.is_open for b in blocks)


def test_short_sessions_are_credited_to_the_second(make_tracker, clock, contract, database):
    clock.advance(7 * 60 + 13)  # 09:07:13
    tracker = make_tracker()
    tracker.start(contract.id)
    simulate(tracker, clock, 200)  # to 09:10:33
    tracker.stop()
    first, second = live_blocks(database)
    assert (first.start, first.end) == (clock.now() - timedelta(seconds=200), slot_start(clock.now()))
    assert first.seconds == 167 and second.seconds == 33


def test_minutes_without_input_lower_the_activity_level(make_tracker, clock, contract, diary):
    tracker = make_tracker()
    tracker.start(contract.id)
    simulate(tracker, clock, 180)  # three busy minutes
    simulate(tracker, clock, 420, every=0)  # seven quiet ones, below the idle threshold
    tracker.stop()
    (view,) = diary.day_blocks(clock.now().date())
    assert (view.active_minutes, view.minutes_tracked) == (3, 10)
    assert view.active_share == pytest.approx(0.3)


def test_switching_contracts_closes_the_block_and_opens_another(
    make_tracker, clock, contract, diary, database
):
    other = diary.add_contract("Logo", now=clock.now())
    tracker = make_tracker()
    tracker.start(contract.id, "Site")
    simulate(tracker, clock, 240)
    tracker.start(other.id, "Logo sketches")
    simulate(tracker, clock, 120)
    tracker.stop()
    first, second = live_blocks(database)
    assert (first.contract_id, first.seconds, first.memo) == (contract.id, 240, "Site")
    assert (second.contract_id, second.seconds, second.memo) == (other.id, 120, "Logo sketches")
    assert first.end == second.start


def test_input_just_before_a_stop_is_credited(make_tracker, clock, contract, database):
    tracker = make_tracker()
    tracker.start(contract.id)
    simulate(tracker, clock, 30, every=0)
    tracker.input.add(keys=4, mouse=6)
    clock.advance(0.5)
    tracker.stop()
    (block,) = live_blocks(database)
    assert block.activity == [[0, 4, 6, 1]]


def test_memo_changes_apply_to_the_open_block(make_tracker, clock, contract, database):
    tracker = make_tracker()
    tracker.start(contract.id, "draft")
    simulate(tracker, clock, 30)
    tracker.set_memo("Checkout flow")
    simulate(tracker, clock, 30)
    tracker.stop()
    assert [b.memo for b in live_blocks(database)] == ["Checkout flow"]


def test_a_memo_over_500_characters_is_refused_and_changes_nothing(make_tracker, clock, contract, database):
    tracker = make_tracker()
    too_long = "x" * (MAX_MEMO_CHARS + 1)
    with pytest.raises(RuleViolation, match="at most 500 characters"):
        tracker.start(contract.id, too_long)
    assert not tracker.tracking
    tracker.start(contract.id, "draft")
    simulate(tracker, clock, 30)
    with pytest.raises(RuleViolation, match="at most 500 characters"):
        tracker.set_memo(too_long)
    simulate(tracker, clock, 30)
    tracker.stop()
    assert [b.memo for b in live_blocks(database)] == ["draft"]


def idle_episode(make_tracker, clock, contract, events):
    """Ten busy minutes, 25 quiet ones (idle from 09:10), then input returns at 09:35."""
    tracker = make_tracker(events)
    tracker.start(contract.id)
    simulate(tracker, clock, 600)
    simulate(tracker, clock, 25 * 60, every=0)
    simulate(tracker, clock, 5)
    return tracker


def test_idle_time_is_taken_back_and_the_user_asked(make_tracker, clock, contract, database):
    events = []
    idle_episode(make_tracker, clock, contract, events)
    idle_at = datetime(2026, 11, 23, 9, 10, tzinfo=UTC)
    assert IdleStarted(idle_at) in events
    assert IdleQuestion(idle_at, idle_at + timedelta(minutes=25, seconds=1)) in events
    # while the question waits, only the time before the last input stays
    assert sum(b.seconds for b in live_blocks(database)) == 600


def test_idle_kept_counts_all_the_time(make_tracker, clock, contract, database):
    events = []
    tracker = idle_episode(make_tracker, clock, contract, events)
    tracker.resolve_idle(IdleDecision.KEEP)
    simulate(tracker, clock, 60)
    tracker.stop()
    blocks = live_blocks(database)
    assert sum(b.seconds for b in blocks) == 600 + 25 * 60 + 5 + 60
    assert tracker.tracking is False
    idle_slots = [
        b
        for b in blocks
        if datetime(2026, 11, 23, 9, 10, tzinfo=UTC) <= b.start < datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    ]
    assert len(idle_slots) == 2 and not any(b.activity for b in idle_slots)


def test_idle_discarded_keeps_tracking_from_the_return(make_tracker, clock, contract, database):
    tracker = idle_episode(make_tracker, clock, contract, [])
    tracker.resolve_idle(IdleDecision.DISCARD)
    assert tracker.tracking
    simulate(tracker, clock, 60)
    tracker.stop()
    assert sum(b.seconds for b in live_blocks(database)) == 600 + 4 + 60


def test_idle_discarded_and_stopped(make_tracker, clock, contract, database):
    events = []
    tracker = idle_episode(make_tracker, clock, contract, events)
    tracker.resolve_idle(IdleDecision.DISCARD_AND_STOP)
    assert not tracker.tracking
    assert events[-1] == TrackingStopped(contract.id, datetime(2026, 11, 23, 9, 10, tzinfo=UTC), "idle")
    assert sum(b.seconds for b in live_blocks(database)) == 600


def test_unanswered_idle_question_discards_and_stops(make_tracker, clock, contract, database):
    events = []
    config = TrackerConfig(idle_answer_timeout=timedelta(minutes=5))
    tracker = make_tracker(events, config)
    tracker.start(contract.id)
    simulate(tracker, clock, 300)
    simulate(tracker, clock, 11 * 60, every=0)
    simulate(tracker, clock, 5 * 60 + 1)
    assert not tracker.tracking
    assert isinstance(events[-1], TrackingStopped) and events[-1].reason == "idle"
    assert sum(b.seconds for b in live_blocks(database)) == 300


def test_idle_taken_back_from_blocks_already_synced_is_sent_again(make_tracker, clock, contract, database):
    """The service may hold a block cut (or removed) when idle time is taken back: the change is
    pending again, and newer than what the service holds, so the next sync sends it."""
    tracker = make_tracker()
    tracker.start(contract.id)
    simulate(tracker, clock, 300)  # input until 09:05
    simulate(tracker, clock, 9 * 60, every=0)  # 09:14: the 09:00 block closed at 09:10, idle not seen yet
    database.write(update(tables.blocks).values(sync_state="synced"))
    simulate(tracker, clock, 60, every=0)  # 09:15: ten minutes without input
    cut, removed = read_rows(database, select(tables.blocks).order_by(tables.blocks.c.start))
    seen_at = datetime(2026, 11, 23, 9, 15, tzinfo=UTC)
    assert (cut.end, cut.deleted, cut.sync_state, cut.updated_at) == (
        datetime(2026, 11, 23, 9, 5, tzinfo=UTC),
        False,
        "pending",
        seen_at,
    )
    assert (removed.deleted, removed.sync_state, removed.updated_at) == (True, "pending", seen_at)


def test_idle_retracts_blocks_and_their_screenshots(make_tracker, clock, contract, database):
    capturer = FakeCapturer()
    tracker = make_tracker(capturer=capturer)
    tracker.start(contract.id)
    simulate(tracker, clock, 600)
    simulate(tracker, clock, 10 * 60, every=0)  # idle from 09:10, seen at 09:20
    assert capturer.calls == 2
    shots = read_rows(database, select(tables.screenshots))
    images = [image.screenshot_id for image in read_rows(database, select(tables.screenshot_images))]
    assert len(shots) == 1  # the idle slot's screenshot went with its time
    assert images == [shots[0].id]
    assert shots[0].taken_at < datetime(2026, 11, 23, 9, 10, tzinfo=UTC)
    files = sorted(p.name for p in database.screenshot_dir.rglob("*.jpg"))
    assert files == sorted(f"{shots[0].id}-m1{suffix}.jpg" for suffix in ("", "-thumb"))


def test_a_locked_screen_is_idle_at_once(database, clock, contract):
    events = []
    locked = [False]
    tracker = Tracker(
        database,
        clock,
        input_source=SimulatedInput(),
        screen_locked=lambda: locked[0],
        on_event=events.append,
    )
    tracker.start(contract.id)
    simulate(tracker, clock, 120)
    locked[0] = True
    simulate(tracker, clock, 300)  # typing the password at the lock screen is not work
    locked[0] = False
    simulate(tracker, clock, 2)
    since = datetime(2026, 11, 23, 9, 2, tzinfo=UTC)
    assert IdleStarted(since) in events
    assert IdleQuestion(since, since + timedelta(minutes=5, seconds=1)) in events
    assert sum(b.seconds for b in live_blocks(database)) == 120


def test_a_suspend_mid_block_closes_it_where_the_sleep_began(make_tracker, clock, contract, database):
    events = []
    tracker = make_tracker(events)
    tracker.start(contract.id)
    simulate(tracker, clock, 200)  # 09:03:20
    clock.suspend(3600)
    simulate(tracker, clock, 100)
    tracker.stop()
    first, second = live_blocks(database)
    assert (first.start, first.end) == (
        datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        datetime(2026, 11, 23, 9, 3, 20, tzinfo=UTC),
    )
    assert second.start == datetime(2026, 11, 23, 10, 3, 21, tzinfo=UTC)
    assert second.seconds == 99
    assert ClockJump(first.end, second.start) in events


def test_clock_set_back_never_double_counts(make_tracker, clock, contract, database):
    tracker = make_tracker()
    tracker.start(contract.id)
    simulate(tracker, clock, 600)  # to 09:10
    clock.set_wall(datetime(2026, 11, 23, 9, 5, tzinfo=UTC))
    simulate(tracker, clock, 600)  # wall 09:05 → 09:15: only 09:10–09:15 is new time
    tracker.stop()
    blocks = live_blocks(database)
    assert all(a.end <= b.start for a, b in pairwise(blocks))
    assert sum(b.seconds for b in blocks) == 600 + 300


def test_weekly_limit_warns_then_stops_mid_block(make_tracker, clock, contract, diary, database):
    limited = diary.add_contract("Capped", now=clock.now(), weekly_limit_hours=1)
    events = []
    clock.advance(5 * 60)  # start mid-slot so that the limit falls inside a block
    tracker = make_tracker(events)
    tracker.start(limited.id)
    simulate(tracker, clock, 2 * 3600)
    assert not tracker.tracking
    assert [type(e) for e in events if isinstance(e, LimitWarning | LimitReached)] == [
        LimitWarning,
        LimitReached,
    ]
    assert events[-1] == TrackingStopped(limited.id, datetime(2026, 11, 23, 10, 5, tzinfo=UTC), "limit")
    blocks = live_blocks(database)
    assert sum(b.seconds for b in blocks) == 3600
    assert blocks[-1].end == datetime(2026, 11, 23, 10, 5, tzinfo=UTC)
    with pytest.raises(RuleViolation, match="weekly limit of 1 h"):
        tracker.start(limited.id)


def test_over_limit_time_is_kept_and_marked_when_set_to_keep_tracking(make_tracker, clock, diary, database):
    limited = diary.add_contract("Capped", now=clock.now(), weekly_limit_hours=0.5)
    clock.advance(5 * 60)
    tracker = make_tracker(config=TrackerConfig(keep_tracking_over_limit=True))
    tracker.start(limited.id)
    simulate(tracker, clock, 3600)
    tracker.stop()
    blocks = live_blocks(database)
    assert sum(b.seconds for b in blocks if not b.over_limit) == 1800
    assert sum(b.seconds for b in blocks if b.over_limit) == 1800
    split = [b for b in blocks if slot_start(b.start) == datetime(2026, 11, 23, 9, 30, tzinfo=UTC)]
    assert [(b.seconds, b.over_limit) for b in split] == [(300, False), (300, True)]
    assert diary.totals(limited.id, clock.now()).week_earnings == 0


def test_the_limit_resets_with_the_new_work_week(make_tracker, clock, diary, database):
    clock.set_wall(datetime(2026, 11, 29, 23, 30, tzinfo=UTC))  # Sunday night UTC
    clock.mono += 0  # setting the wall before the tracker exists is not a jump
    limited = diary.add_contract("Capped", now=clock.now(), weekly_limit_hours=0.5)
    tracker = make_tracker(config=TrackerConfig(keep_tracking_over_limit=True))
    tracker.start(limited.id)
    simulate(tracker, clock, 3600)
    tracker.stop()
    blocks = live_blocks(database)
    monday = datetime(2026, 11, 30, tzinfo=UTC)
    assert sum(b.seconds for b in blocks if b.start < monday) == 1800
    assert not any(b.over_limit for b in blocks if b.start >= monday)
    assert sum(b.seconds for b in blocks if b.start >= monday) == 1800


def test_a_limit_reached_exactly_at_the_weeks_end_goes_on_with_the_new_weeks_limit(
    make_tracker, clock, diary, database
):
    clock.set_wall(datetime(2026, 11, 29, 23, 30, tzinfo=UTC))  # Sunday night UTC
    limited = diary.add_contract("Capped", now=clock.now(), weekly_limit_hours=0.5)  # ends at 24:00
    events = []
    tracker = make_tracker(events)
    tracker.start(limited.id)
    simulate(tracker, clock, 45 * 60)
    assert tracker.tracking
    assert not [e for e in events if isinstance(e, LimitReached | TrackingStopped)]
    simulate(tracker, clock, 30 * 60)  # the new week's half hour is used up at 00:30
    assert events[-1] == TrackingStopped(limited.id, datetime(2026, 11, 30, 0, 30, tzinfo=UTC), "limit")
    monday = datetime(2026, 11, 30, tzinfo=UTC)
    blocks = live_blocks(database)
    assert sum(b.seconds for b in blocks if b.start < monday) == 1800
    assert sum(b.seconds for b in blocks if b.start >= monday) == 1800
    assert not any(b.over_limit for b in blocks)


def test_capture_problems_are_reported_and_tracking_goes_on(make_tracker, clock, contract, database):
    events = []
    problem = EnvironmentProblem(
        "Screenshots cannot be taken: no X display.", "Run Workdiary in your desktop session."
    )
    tracker = make_tracker(events, capturer=FakeCapturer(problem=problem))
    tracker.start(contract.id)
    simulate(tracker, clock, 600)
    tracker.stop()
    (block,) = live_blocks(database)
    assert block.seconds == 600
    assert "no X display" in block.capture_note
    assert any("no X display" in getattr(e, "message", "") for e in events)


def test_no_screenshot_while_a_private_app_is_on_screen_and_the_block_says_so(
    make_tracker, clock, contract, database
):
    events = []
    tracker = make_tracker(events, capturer=FakeCapturer(private_app="KeePassXC"))
    tracker.start(contract.id)
    simulate(tracker, clock, 600)
    tracker.stop()

    (block,) = live_blocks(database)
    assert block.seconds == 600  # the time is tracked all the same
    assert block.capture_note == "No screenshot: KeePassXC was on screen (a private app)."
    assert [e for e in events if isinstance(e, ScreenshotSkipped)] == [
        ScreenshotSkipped(block.id, "KeePassXC")
    ]
    assert not [e for e in events if isinstance(e, ScreenshotTaken | CaptureFailed)]
    assert read_rows(database, select(tables.screenshots)) == []


def test_a_capture_with_no_monitor_is_a_failed_capture_not_an_empty_screenshot(
    make_tracker, clock, contract, database
):
    events = []
    tracker = make_tracker(events, capturer=FakeCapturer(monitors=0, note="no monitor is connected"))
    tracker.start(contract.id)
    simulate(tracker, clock, 600)
    tracker.stop()

    assert live_blocks(database)[0].capture_note == "No screenshot: no monitor is connected"
    assert CaptureFailed("no monitor is connected") in events
    assert read_rows(database, select(tables.screenshots)) == []


def test_a_black_screen_note_lands_on_the_block(make_tracker, clock, contract, database):
    tracker = make_tracker(capturer=FakeCapturer(note="The screen was black."))
    tracker.start(contract.id)
    simulate(tracker, clock, 600)
    tracker.stop()
    assert live_blocks(database)[0].capture_note == "The screen was black."


def test_screenshots_at_a_random_moment_of_each_slot(make_tracker, clock, contract, database):
    tracker = make_tracker()
    tracker.start(contract.id)
    simulate(tracker, clock, 3600)
    tracker.stop()
    taken_in = select(tables.screenshots.c.taken_at, tables.blocks.c.start).join(tables.blocks)
    moments = [tuple(moment) for moment in read_rows(database, taken_in)]
    assert len(moments) == 6
    offsets = {(taken - start).total_seconds() for taken, start in moments}
    assert all(0 < o <= 600 for o in offsets) and len(offsets) == 6


def test_the_open_block_is_saved_every_few_seconds(make_tracker, clock, contract, database):
    tracker = make_tracker()
    tracker.start(contract.id)
    simulate(tracker, clock, 137)
    (block,) = live_blocks(database)
    assert block.is_open
    assert (clock.now() - block.end) <= timedelta(seconds=10)


def test_an_interrupted_block_is_recovered_once(make_tracker, clock, contract, database):
    tracker = make_tracker()
    tracker.start(contract.id)
    simulate(tracker, clock, 137)  # then the process dies without stopping
    saved = live_blocks(database)[0]
    again = make_tracker()
    assert again.recovered == [saved.id]
    (block,) = live_blocks(database)
    assert (block.id, block.end, block.is_open) == (saved.id, saved.end, False)
    assert make_tracker().recovered == []


def test_the_live_block_feeds_the_activity_meter(make_tracker, clock, contract):
    tracker = make_tracker()
    assert tracker.live_block is None and tracker.session_started is None
    clock.advance(125)
    tracker.start(contract.id)
    simulate(tracker, clock, 120)  # 09:02:05 to 09:04:05, input every second
    simulate(tracker, clock, 130, every=0)  # quiet until 09:06:15
    live = tracker.live_block
    assert (live.start, live.end) == (datetime(2026, 11, 23, 9, 2, 5, tzinfo=UTC), clock.now())
    assert (live.active_minutes, live.minutes_tracked) == (3, 5)
    assert tracker.session_started == datetime(2026, 11, 23, 9, 2, 5, tzinfo=UTC)


def track_with_bursts(bursts: dict[timedelta, int], tick_when_due: bool) -> list[tuple]:
    """Track 4 minutes from 09:08 on a fresh database, with keys pressed at the moments (from the
    start; never a whole second) of ``bursts``; ticked every whole second, or as the command line
    ticks while no input comes (when the engine is due, and at the first input without reading
    it), and at the end as the command line does before it stops. The live blocks' spans and
    per-minute activity."""
    with tempfile.TemporaryDirectory() as work:
        database = Database(Path(work))
        clock = SimulatedClock(MONDAY + timedelta(minutes=8))  # a slot ends 2 minutes in
        start, end, second = clock.now(), clock.now() + timedelta(minutes=4), timedelta(seconds=1)
        source = SimulatedInput()
        contract = Diary(database, UTC).add_contract("Bursts", now=start)
        config = TrackerConfig(idle_threshold=timedelta(seconds=45))

        def answer(event):
            if isinstance(event, IdleQuestion):
                tracker.resolve_idle(IdleDecision.DISCARD)

        tracker = Tracker(
            database, clock, input_source=source, capturer=FakeCapturer(), rng=random.Random(7),
            config=config, on_event=answer,
        )  # fmt: skip

        def until(moment: datetime) -> None:
            source.add(
                keys=sum(keys for pressed, keys in bursts.items() if clock.now() < start + pressed <= moment)
            )
            clock.advance((moment - clock.now()).total_seconds())

        tracker.start(contract.id)
        while True:
            tracker.tick()
            if clock.now() == end:
                break
            if tick_when_due and tracker.quiet:
                due = min(tracker.next_due(), end)
                woken = min((start + p for p in bursts if clock.now() < start + p < due), default=None)
                if woken is None:
                    until(due)
                    continue
                until(woken)
                tracker.tick(read_input=False)
            until(min(start + (clock.now() - start) // second * second + second, end))
        tracker.stop()
        blocks = [(b.start, b.end, b.activity) for b in live_blocks(database)]
        database.close()
    return blocks


@settings(max_examples=60, deadline=None)
@given(
    bursts=st.dictionaries(
        st.integers(0, 23999)
        .filter(lambda centiseconds: centiseconds % 100)
        .map(lambda cs: timedelta(milliseconds=10 * cs)),
        st.integers(1, 9),
        max_size=25,
    )
)
def test_ticking_only_when_due_and_on_input_tracks_what_a_tick_every_second_does(bursts):
    """The same blocks, to the second, with the same keys and active seconds in the same minutes,
    across a slot's end, the slot's screenshot, idle time discarded and input coming back."""
    every_second = track_with_bursts(bursts, tick_when_due=False)
    assert track_with_bursts(bursts, tick_when_due=True) == every_second
    counted = sum(keys for *_, activity in every_second for _, keys, _, _ in activity)
    gaps = pairwise([timedelta(0), *sorted(bursts)])
    never_idle = all(later - earlier < timedelta(seconds=44) for earlier, later in gaps)
    assert counted == sum(bursts.values()) if never_idle else counted <= sum(bursts.values())


def test_while_no_input_comes_the_engine_is_due_at_its_next_save_or_screenshot(make_tracker, clock, contract):
    tracker = make_tracker()
    tracker.start(contract.id)
    simulate(tracker, clock, 1)
    assert not tracker.quiet
    simulate(tracker, clock, 1, every=0)
    assert tracker.quiet
    assert tracker.next_due() == clock.now() + TrackerConfig.save_interval
    shot_at = tracker._shot_at
    clock.advance((shot_at - clock.now()).total_seconds() - 2)
    tracker.tick()
    assert tracker.next_due() == shot_at
