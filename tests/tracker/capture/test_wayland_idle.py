"""The compositor's idle protocol on a real headless sway (``org_kde_kwin_idle``: sway 1.7 has no
``ext_idle_notifier_v1``), with input injected by ``wtype`` and ``swaymsg``: what a wlroots session
gives the tracker instead of input events.

The test process connects to sway's socket by its path (root may). Waits poll until a deadline: to
know the source's one-second notification has fired, a probe with a longer timeout is awaited, as
the compositor fires the shorter one first.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from common.errors import EnvironmentProblem
from common.states import ActivitySource
from tests.helpers.wayland import Stack, sway_stack
from tests.tracker.capture.test_idle import the_only_block
from tests.tracker.capture.test_input import wait_until
from tracker.capture import IdleTimeSource
from tracker.capture.idle import IDLE_TIMEOUT_MS, WaylandIdleTime
from tracker.engine import IdleQuestion, IdleStarted, Tracker
from tracker.simulation import SimulatedClock

INPUTS = (["wtype", "a"], ["swaymsg", "seat", "seat0", "cursor", "move", "10", "10"])


@pytest.fixture
def sway(monkeypatch) -> Iterator[Stack]:
    with sway_stack() as stack:
        monkeypatch.setenv(
            "WAYLAND_DISPLAY", str(Path(stack.env["XDG_RUNTIME_DIR"]) / stack.env["WAYLAND_DISPLAY"])
        )
        yield stack


def idle_after_the_source(sway_source: WaylandIdleTime) -> None:
    """Until the compositor has told ``sway_source`` of a second without input."""
    probe = WaylandIdleTime(timeout_ms=IDLE_TIMEOUT_MS + 300)
    probe.start()
    try:
        assert wait_until(lambda: not probe.input_since_last_read(), timeout=10), "sway never said idle"
    finally:
        probe.stop()


def test_injected_input_becomes_active_seconds_and_no_input_idle_in_the_engines_minutes(
    sway, database, contract
):
    clock = SimulatedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    source = WaylandIdleTime()
    assert isinstance(source, IdleTimeSource)
    source.start()
    idle_after_the_source(source)
    tracker = Tracker(database, clock, input_source=source, rng=random.Random(7))
    tracker.start(contract.id)
    clock.advance(1)
    tracker.tick()  # idle: no input since the start
    for argv in INPUTS:
        sway.run(argv)
        clock.advance(1)
        tracker.tick()
    idle_after_the_source(source)
    clock.advance(1)
    tracker.tick()
    tracker.stop()
    source.stop()
    assert the_only_block(database) == (4, ActivitySource.IDLE_TIME, [[0, None, None, 2]])


def test_ten_minutes_without_input_is_idle_and_typing_then_asks_the_idle_question(sway, database, contract):
    clock = SimulatedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    events: list[object] = []
    source = WaylandIdleTime()
    source.start()
    tracker = Tracker(database, clock, input_source=source, rng=random.Random(7), on_event=events.append)
    tracker.start(contract.id)
    sway.run(INPUTS[0])
    clock.advance(1)
    tracker.tick()  # the last input, at 09:00:01
    idle_after_the_source(source)
    for _ in range(600):  # ten minutes on the engine's clock, each tick reading sway's notifications
        clock.advance(1)
        tracker.tick()
    since = datetime(2026, 11, 23, 9, 0, 1, tzinfo=UTC)
    assert events[-1] == IdleStarted(since)
    sway.run(INPUTS[1])
    clock.advance(1)
    tracker.tick()
    tracker.stop()
    source.stop()
    assert IdleQuestion(since, since + timedelta(minutes=10, seconds=1)) in events


def test_without_a_compositor_the_source_says_what_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("WAYLAND_DISPLAY", str(tmp_path / "no-compositor"))
    with pytest.raises(EnvironmentProblem, match="Activity cannot be seen"):
        WaylandIdleTime().start()
