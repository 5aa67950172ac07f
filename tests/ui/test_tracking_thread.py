"""The engine on its worker thread, driven through the service's queued signals."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from common.timeutil import SystemClock
from tests.helpers.fakes import FakeCapturer
from tests.helpers.rows import change_contract
from tests.tracker.capture.test_input import xdotool
from tracker.capture.xrecord import X11RecordInput
from tracker.engine import IdleQuestion, ScreenshotTaken, TrackingStopped
from tracker.settings import Settings
from tracker.simulation import SimulatedInput
from ui.tracking_thread import TrackerService


@pytest.fixture
def service(database, clock, qtbot):
    inputs = SimulatedInput()
    service = TrackerService(
        database,
        clock,
        Settings(idle_minutes=5),
        UTC,
        make_input=lambda: inputs,
        make_capturer=lambda settings: FakeCapturer(),
        tick_ms=None,
    )
    service.inputs = inputs
    yield service
    service.shutdown()  # a second shutdown, after a test's own, does nothing


def begin(qtbot, service, contract_id, memo=""):
    with qtbot.waitSignal(service.status, check_params_cb=lambda status: status.tracking):
        service.start(contract_id, memo)


def tick(qtbot, service, clock, seconds=1, keys=1):
    """Advance the fake clock and tick, as the worker's timer does once a second. Each tick is
    awaited: the worker reads the shared fake clock when it gets to the tick."""
    for _ in range(seconds):
        clock.advance(1)
        service.inputs.add(keys=keys)
        now = clock.now()
        with qtbot.waitSignal(
            service.status, check_params_cb=lambda status, now=now: status.at >= now
        ) as blocker:
            service.tick()
    return blocker.args[0]


def test_start_track_and_stop_through_signals(qtbot, service, clock, contract, diary):
    begin(qtbot, service, contract.id, "Landing page")
    status = tick(qtbot, service, clock, 90)
    assert (status.tracking, status.memo, status.contract_id) == (True, "Landing page", contract.id)
    assert status.session_started == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert (status.today_seconds, status.week_seconds, status.contract_week_seconds) == (90, 90, 90)
    assert (status.live.active_minutes, status.live.minutes_tracked) == (2, 2)
    with qtbot.waitSignal(service.event, check_params_cb=lambda e: isinstance(e, TrackingStopped)):
        service.stop()
    assert diary.totals(contract.id, clock.now()).this_week == 90


def test_totals_carry_on_across_slots(qtbot, service, clock, contract):
    begin(qtbot, service, contract.id)
    status = tick(qtbot, service, clock, 11 * 60)
    assert (status.today_seconds, status.week_seconds) == (660, 660)
    assert status.live.start == datetime(2026, 11, 23, 9, 10, tzinfo=UTC)


def test_screenshots_and_idle_questions_arrive_as_events(qtbot, service, clock, contract):
    begin(qtbot, service, contract.id)
    with qtbot.waitSignal(service.event, check_params_cb=lambda e: isinstance(e, ScreenshotTaken)):
        tick(qtbot, service, clock, 600)
    tick(qtbot, service, clock, 6 * 60, keys=0)
    with qtbot.waitSignal(service.event, check_params_cb=lambda e: isinstance(e, IdleQuestion)) as question:
        tick(qtbot, service, clock, 1)
    assert question.args[0].since == datetime(2026, 11, 23, 9, 10, tzinfo=UTC)
    with qtbot.waitSignal(service.event, check_params_cb=lambda e: isinstance(e, TrackingStopped)):
        service.resolve_idle("discard_and_stop")


def test_a_refused_command_says_why(qtbot, service, diary, clock):
    ended = diary.add_contract("Old job", now=clock.now())
    change_contract(diary.db, ended.id, status="ended")
    with qtbot.waitSignal(service.refused) as refused:
        service.start(ended.id)
    assert refused.args == ["“Old job” is ended: time cannot be tracked on it."]


def test_quitting_while_tracking_stops_and_saves(qtbot, service, clock, contract, diary):
    begin(qtbot, service, contract.id)
    tick(qtbot, service, clock, 30)
    clock.advance(0.9)
    service.shutdown()
    (block,) = diary.day_blocks(clock.now().date())
    assert block.seconds == 30  # to the second it quit at


def test_the_totals_are_read_once_a_minute_and_grow_live_in_between(qtbot, service, clock, contract, diary):
    from sqlalchemy import event

    reads = []

    def count(conn, cursor, statement, *rest) -> None:
        if "coalesce(sum(" in statement.lower():
            reads.append(statement)

    event.listen(diary.db.engine, "before_cursor_execute", count)
    try:
        begin(qtbot, service, contract.id)
        reads.clear()
        for second in range(1, 151):
            status = tick(qtbot, service, clock)
            assert (status.today_seconds, status.week_seconds) == (second, second)
            assert (status.contract_today_seconds, status.contract_week_seconds) == (second, second)
    finally:
        event.remove(diary.db.engine, "before_cursor_execute", count)
    # for the block that the first tick opens, then at 60 and 120 s (a read every second cost about
    # 1.5 ms of CPU a second on a full week)
    assert len(reads) == 3


@pytest.mark.x11
def test_with_no_window_shown_and_no_input_the_engine_rests_until_due_or_the_first_input(
    qtbot, database, contract
):
    """Real X input and the real timers: while resting, the status comes when the engine is due
    (its next save, 5 s after the last tick), or at once when input comes, which the tick a
    second later counts; a window shown ends the rest."""
    service = TrackerService(database, SystemClock(), Settings(), UTC, make_input=X11RecordInput)
    statuses: list = []
    try:
        begin(qtbot, service, contract.id)
        service.set_watched(False)
        qtbot.waitUntil(lambda: service.resting, timeout=5000)
        arrivals: list[float] = []
        service.status.connect(lambda status: (statuses.append(status), arrivals.append(time.monotonic())))
        # The first may be the status of the tick that began the rest, still on its way.
        qtbot.waitUntil(lambda: len(arrivals) >= 2, timeout=15000)
        assert arrivals[1] - arrivals[0] > 3  # not once a second
        qtbot.waitUntil(lambda: service.resting, timeout=5000)  # due in 5 s

        xdotool("key", "a")
        qtbot.waitUntil(lambda: not service.resting, timeout=3000)  # well before it is due
        qtbot.waitUntil(lambda: statuses[-1].live.active_minutes == 1, timeout=5000)

        qtbot.waitUntil(lambda: service.resting, timeout=5000)
        service.set_watched(True)
        qtbot.waitUntil(lambda: not service.resting, timeout=5000)
        with qtbot.waitSignals([service.status, service.status], timeout=5000):
            pass  # ticking once a second again
        assert not service.resting
    finally:
        service.shutdown()
