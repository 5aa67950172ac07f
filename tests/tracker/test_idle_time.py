"""The engine fed by a compositor's idle time (a Wayland session), faked, on a fake clock: active
seconds and minutes with input as with counted input, the counts absent; idle, the idle question and
a locked screen as always."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from common.states import ActivitySource, IdleDecision
from tests.helpers.fakes import FakeCapturer
from tests.helpers.rows import live_blocks
from tracker.engine import IdleQuestion, IdleStarted, Tracker, TrackerConfig
from tracker.simulation import SimulatedIdleTime, simulate

NINE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def idle_time_tracker(database, clock, events=None) -> tuple[Tracker, SimulatedIdleTime]:
    source = SimulatedIdleTime()
    tracker = Tracker(
        database,
        clock,
        input_source=source,
        capturer=FakeCapturer(),
        rng=random.Random(7),
        config=TrackerConfig(),
        on_event=(events.append if events is not None else lambda event: None),
    )
    return tracker, source


def test_a_block_from_idle_time_has_active_seconds_and_no_counts(database, clock, contract, diary):
    tracker, _ = idle_time_tracker(database, clock)
    tracker.start(contract.id, "Wayland")
    simulate(tracker, clock, 300, every=3)  # 09:00–09:05: input every third second
    live = tracker.live_block
    assert live is not None
    assert (live.active_minutes, live.minutes_tracked, live.activity_source) == (
        5,
        5,
        ActivitySource.IDLE_TIME,
    )
    simulate(tracker, clock, 180, every=0)  # 09:05–09:08: quiet, below the idle threshold
    simulate(tracker, clock, 120)  # 09:08–09:10: input every second; the slot ends
    simulate(tracker, clock, 30, every=0)
    tracker.stop()

    first, second = live_blocks(database)
    assert first.activity_source == second.activity_source == ActivitySource.IDLE_TIME
    assert first.activity == [[m, None, None, 20] for m in range(5)] + [
        [8, None, None, 60],
        [9, None, None, 60],
    ]
    assert (first.active_minutes, first.active_seconds) == (7, 220)
    assert (second.seconds, second.activity, second.active_minutes) == (30, [], 0)
    view = diary.day_blocks(NINE.date())[0]
    assert (view.activity_source, view.active_minutes, view.minutes_tracked) == (
        ActivitySource.IDLE_TIME,
        7,
        10,
    )
    assert view.activity == first.activity


def test_input_before_tracking_starts_is_not_the_sessions(database, clock, contract):
    tracker, source = idle_time_tracker(database, clock)
    source.add(keys=1)
    tracker.start(contract.id)
    simulate(tracker, clock, 60, every=0)
    tracker.stop()
    (block,) = live_blocks(database)
    assert (block.seconds, block.activity) == (60, [])


def test_counted_input_keeps_its_counts_and_says_so(make_tracker, clock, contract, database):
    tracker = make_tracker()
    tracker.start(contract.id)
    simulate(tracker, clock, 60, keys=2, mouse=3)
    tracker.stop()
    (block,) = live_blocks(database)
    assert (block.activity_source, block.activity) == (ActivitySource.INPUT_COUNTS, [[0, 120, 180, 60]])


def test_no_input_for_the_threshold_is_idle_and_input_asks_the_question(database, clock, contract):
    events: list[object] = []
    tracker, _ = idle_time_tracker(database, clock, events)
    tracker.start(contract.id)
    simulate(tracker, clock, 60)  # the last input at 09:01:00
    simulate(tracker, clock, 599, every=0)
    assert not any(isinstance(e, IdleStarted) for e in events) and tracker.tracking
    simulate(tracker, clock, 1, every=0)  # 09:11:00: ten minutes without input
    since = NINE + timedelta(minutes=1)
    assert events[-1] == IdleStarted(since)
    simulate(tracker, clock, 30, every=0)
    assert not any(isinstance(e, IdleQuestion) for e in events)
    simulate(tracker, clock, 1)  # input returns at 09:11:31
    assert events[-1] == IdleQuestion(since, since + timedelta(minutes=10, seconds=31))
    tracker.resolve_idle(IdleDecision.DISCARD)
    simulate(tracker, clock, 60)
    tracker.stop()
    assert [(b.start, b.end) for b in live_blocks(database)] == [
        (NINE, since),
        (since + timedelta(minutes=10, seconds=31), since + timedelta(minutes=11, seconds=31)),
    ]


def test_a_screen_the_compositor_says_is_locked_is_idle_at_once(database, clock, contract):
    events: list[object] = []
    tracker, source = idle_time_tracker(database, clock, events)
    tracker.start(contract.id)
    simulate(tracker, clock, 120)
    source.locked = True
    simulate(tracker, clock, 300)  # typing the password at the lock screen is not work
    source.locked = False
    simulate(tracker, clock, 2)
    since = NINE + timedelta(minutes=2)
    assert IdleStarted(since) in events
    assert IdleQuestion(since, since + timedelta(minutes=5, seconds=1)) in events
    assert sum(b.seconds for b in live_blocks(database)) == 120
