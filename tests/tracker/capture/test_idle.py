"""GNOME's idle time from a real headless mutter on a session bus of its own, with input injected
through mutter's RemoteDesktop: what a Wayland session gives the tracker instead of input events.

Waits poll until a deadline (no fixed sleeps); the engine runs on a simulated clock.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from jeepney import new_method_call
from jeepney.io.blocking import open_dbus_connection
from jeepney.wrappers import DBusErrorResponse, unwrap_msg

from common.errors import EnvironmentProblem
from common.states import ActivitySource
from tests.helpers.mutter import Mutter
from tests.helpers.rows import live_blocks
from tests.tracker.capture.test_input import wait_until
from tracker.capture import IdleTimeSource
from tracker.capture.idle import IDLE_MONITOR, MutterIdleTime
from tracker.engine import IdleQuestion, IdleStarted, Tracker
from tracker.simulation import SimulatedClock


def answers(mutter_bus: str) -> bool:
    try:
        connection = open_dbus_connection(mutter_bus)
    except OSError:
        return False
    try:
        unwrap_msg(connection.send_and_get_reply(new_method_call(IDLE_MONITOR, "GetIdletime"), timeout=1))
        return True
    except DBusErrorResponse:  # not up yet
        return False
    finally:
        connection.close()


@pytest.fixture
def mutter(monkeypatch) -> Iterator[Mutter]:
    if not (shutil.which("mutter") and shutil.which("dbus-daemon")):
        pytest.fail("mutter and dbus-daemon are needed (scripts/install-system-deps installs them)")
    runtime = Path(tempfile.mkdtemp(prefix="workdiary-mutter-"))
    address = f"unix:path={runtime / 'bus'}"
    environment = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "DBUS_SESSION_BUS_ADDRESS": address}
    # One process group for the bus and mutter, ended together.
    stack = subprocess.Popen(
        [
            "sh",
            "-c",
            f"dbus-daemon --session --nofork --address={address} & "
            "mutter --headless --wayland --no-x11 --wayland-display=wayland-workdiary "
            "--virtual-monitor 640x480 & wait",
        ],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert wait_until(lambda: answers(address), timeout=20), "mutter's IdleMonitor did not come up"
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        handle = Mutter(address)
        yield handle
        handle.connection.close()
    finally:
        os.killpg(stack.pid, signal.SIGTERM)
        stack.wait(timeout=10)
        assert wait_until(lambda: group_ended(stack.pid)), "mutter or its bus outlived the test"
        shutil.rmtree(runtime, ignore_errors=True)


def group_ended(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return True
    return False


def started(source: MutterIdleTime) -> MutterIdleTime:
    source.start()
    return source


@pytest.fixture
def probe(mutter) -> Iterator[MutterIdleTime]:
    """A second source on the same bus: once it has seen a watch fire, the source under test (on
    the bus before it) has the signal on its socket too, to be read at its next tick."""
    source = started(MutterIdleTime())
    yield source
    source.stop()


def test_mutters_watches_say_whether_there_was_input_since_the_last_read(mutter):
    source = started(MutterIdleTime())
    assert isinstance(source, IdleTimeSource)
    try:
        assert wait_until(lambda: not source.input_since_last_read(), timeout=10), "mutter never said idle"
        assert not source.input_since_last_read()  # still idle: nothing came
        mutter.press()
        assert wait_until(source.input_since_last_read)
        assert not source.screen_locked()  # mutter alone has no lock screen
    finally:
        source.stop()


def test_typing_becomes_active_seconds_and_no_counts_in_the_engines_minutes(
    mutter, probe, database, contract
):
    clock = SimulatedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    source = started(MutterIdleTime())
    assert wait_until(lambda: not probe.input_since_last_read(), timeout=10), "mutter never said idle"
    tracker = Tracker(database, clock, input_source=source, rng=random.Random(7))
    tracker.start(contract.id)
    for _ in range(3):
        mutter.press()
        assert wait_until(probe.input_since_last_read)
        clock.advance(1)
        tracker.tick()
    assert wait_until(lambda: not probe.input_since_last_read(), timeout=10)  # a second without input
    clock.advance(1)
    tracker.tick()
    tracker.stop()
    source.stop()
    assert the_only_block(database) == (4, ActivitySource.IDLE_TIME, [[0, None, None, 3]])


def test_ten_minutes_without_input_is_idle_and_typing_then_asks_the_idle_question(
    mutter, probe, database, contract
):
    clock = SimulatedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    events: list[object] = []
    source = started(MutterIdleTime())
    tracker = Tracker(database, clock, input_source=source, rng=random.Random(7), on_event=events.append)
    tracker.start(contract.id)
    mutter.press()
    assert wait_until(probe.input_since_last_read)
    clock.advance(1)
    tracker.tick()  # the last input, at 09:00:01
    assert wait_until(lambda: not probe.input_since_last_read(), timeout=10), "mutter never said idle"
    for _ in range(600):  # ten minutes on the engine's clock, each tick reading mutter's signals
        clock.advance(1)
        tracker.tick()
    since = datetime(2026, 11, 23, 9, 0, 1, tzinfo=UTC)
    assert events[-1] == IdleStarted(since)
    mutter.press()
    assert wait_until(probe.input_since_last_read)
    clock.advance(1)
    tracker.tick()
    tracker.stop()
    source.stop()
    assert IdleQuestion(since, since + timedelta(minutes=10, seconds=1)) in events


def the_only_block(database) -> tuple:
    """The seconds, activity source and per-minute activity of the one block tracked."""
    (block,) = live_blocks(database)
    return block.seconds, block.activity_source, block.activity


def test_without_mutter_the_source_says_what_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    with pytest.raises(EnvironmentProblem, match="GNOME's idle monitor"):
        MutterIdleTime().start()
