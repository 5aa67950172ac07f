"""Keys and clicks from the input devices, read from FIFOs that stand in for ``/dev/input/event*``
(this machine has no input devices): the test writes real ``struct input_event`` records into them,
and sysfs-format capability files say which is a keyboard and which a mouse. The unreadable device
is a real permission refusal, for a process running as nobody.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from common.errors import EnvironmentProblem
from common.states import ActivitySource
from tests.tracker.capture.test_idle import the_only_block
from tests.tracker.capture.test_input import settles_at, wait_until
from tests.tracker.capture.test_session import session_environment
from tracker import capture
from tracker.capture.devices import (
    EV_ABS,
    EV_KEY,
    EV_REL,
    EV_SYN,
    EVENT,
    INPUT_GROUP_FIX,
    SYN_REPORT,
    InputDevices,
)
from tracker.capture.idle import WaylandIdleTime
from tracker.engine import Tracker
from tracker.settings import Settings
from tracker.simulation import SimulatedClock

NOBODY = 65534
KEY_A, KEY_LEFTSHIFT, KEY_POWER = 30, 42, 116
BTN_LEFT, BTN_RIGHT, BTN_TOUCH, BTN_TOOL_FINGER = 0x110, 0x111, 0x14A, 0x145
REL_X, REL_Y, REL_WHEEL, REL_WHEEL_HI_RES = 0, 1, 8, 11
ABS_X, ABS_Y = 0, 1
# Capability files as the kernel writes them for a 64-bit long (most significant word first).
KEYBOARD = {"ev": "120013", "key": "402000000 3803078f800d001 feffffdfffefffff fffffffffffffffe"}
MOUSE = {"ev": "17", "key": "1f0000 0 0 0 0", "rel": "1943"}
TOUCHPAD = {"ev": "b", "key": "e520 10000 0 0 0 0", "abs": "2e08000 3"}
POWER_BUTTON = {"ev": "3", "key": "10000000000000 0"}
ACCELEROMETER = {"ev": "9", "abs": "7"}


def record(kind: int, code: int, value: int) -> bytes:
    return EVENT.pack(1764928800, 500000, kind, code, value)


def frame(*events: tuple[int, int, int]) -> bytes:
    """Events as the kernel sends them: a frame ends with SYN_REPORT."""
    return b"".join(record(*event) for event in events) + record(EV_SYN, SYN_REPORT, 0)


def key_stroke(code: int) -> bytes:
    return frame((EV_KEY, code, 1)) + frame((EV_KEY, code, 0))


class Devices:
    """A stand-in ``/dev/input`` of FIFOs and its ``/sys/class/input``."""

    def __init__(self, root: Path) -> None:
        self.nodes = root / "dev-input"
        self.capabilities = root / "sys-class-input"
        self.nodes.mkdir()
        self.capabilities.mkdir()
        self.writers: dict[str, int] = {}

    def add(self, name: str, capabilities: dict[str, str], mode: int = 0o660) -> Path:
        node = self.nodes / name
        os.mkfifo(node, mode)
        os.chmod(node, mode)  # whatever the umask
        folder = self.capabilities / name / "device" / "capabilities"
        folder.mkdir(parents=True)
        for file, bitmap in capabilities.items():
            (folder / file).write_text(bitmap + "\n")
        return node

    def source(self) -> InputDevices:
        return InputDevices(self.nodes, self.capabilities)

    def connect(self, name: str) -> bool:
        """Opens the writing end, as the kernel's side of a plugged device; False while no reader
        has the node open (a FIFO cannot be opened for writing without one)."""
        try:
            self.writers[name] = os.open(self.nodes / name, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as problem:
            if problem.errno != errno.ENXIO:
                raise
            return False
        return True

    def write(self, name: str, data: bytes) -> None:
        if name not in self.writers:
            assert self.connect(name), f"nobody reads {name}"
        os.write(self.writers[name], data)

    def unplug(self, name: str) -> None:
        os.close(self.writers.pop(name))

    def close(self) -> None:
        for name in list(self.writers):
            self.unplug(name)


@pytest.fixture
def devices() -> Iterator[Devices]:
    """In a folder of its own that any user may enter (pytest's temporary folders are root's only)."""
    root = Path(tempfile.mkdtemp(prefix="workdiary-devices-"))
    os.chmod(root, 0o755)
    made = Devices(root)
    for folder in (made.nodes, made.capabilities):
        os.chmod(folder, 0o755)
    try:
        yield made
    finally:
        made.close()
        shutil.rmtree(root)


@pytest.fixture
def started(devices) -> Iterator[InputDevices]:
    devices.add("event0", POWER_BUTTON)
    devices.add("event3", KEYBOARD)
    devices.add("event5", MOUSE)
    devices.add("event7", TOUCHPAD)
    source = devices.source()
    source.start()
    try:
        yield source
    finally:
        source.stop()


def test_key_presses_count_for_the_keyboard_and_releases_and_repeats_do_not(devices, started):
    devices.write("event3", key_stroke(KEY_A) + key_stroke(KEY_LEFTSHIFT))
    devices.write(
        "event3", frame((EV_KEY, KEY_A, 1)) + frame((EV_KEY, KEY_A, 2)) * 5 + frame((EV_KEY, KEY_A, 0))
    )
    assert settles_at(started, (3, 0), timeout=0.2), started.counts()


def test_clicks_and_motion_frames_count_for_the_mouse(devices, started):
    devices.write("event5", frame((EV_KEY, BTN_LEFT, 1)) + frame((EV_KEY, BTN_LEFT, 0)))
    devices.write("event5", frame((EV_KEY, BTN_RIGHT, 1)) + frame((EV_KEY, BTN_RIGHT, 0)))
    devices.write("event5", frame((EV_REL, REL_X, 3), (EV_REL, REL_Y, -1)) * 4)  # four moves
    devices.write("event5", frame((EV_REL, REL_WHEEL, 1), (EV_REL, REL_WHEEL_HI_RES, 120)))  # one scroll
    assert settles_at(started, (0, 7), timeout=0.2), started.counts()


def test_a_touchpad_counts_its_motion_frames_not_the_touch(devices, started):
    touch = frame(
        (EV_KEY, BTN_TOUCH, 1), (EV_KEY, BTN_TOOL_FINGER, 1), (EV_ABS, ABS_X, 300), (EV_ABS, ABS_Y, 200)
    )
    devices.write("event7", touch + frame((EV_ABS, ABS_X, 310)) + frame((EV_ABS, ABS_Y, 190)))
    assert settles_at(started, (0, 3), timeout=0.2), started.counts()


def test_a_device_plugged_in_after_the_start_is_counted(devices):
    devices.add("event3", KEYBOARD)
    source = InputDevices(devices.nodes, devices.capabilities, rescan_seconds=0.05)
    source.start()
    try:
        devices.add("event9", MOUSE)
        assert wait_until(lambda: devices.connect("event9")), "the new device was not opened"
        devices.write("event9", frame((EV_KEY, BTN_LEFT, 1)))
        assert settles_at(source, (0, 1), timeout=0.2)
    finally:
        source.stop()


def test_devices_that_are_neither_keyboard_nor_pointer_are_not_opened(devices):
    devices.add("event0", POWER_BUTTON)
    devices.add("event1", ACCELEROMETER)
    devices.add("event2", {})  # no capabilities at all: a device gone from sysfs

    with pytest.raises(EnvironmentProblem) as raised:
        devices.source().check()

    assert raised.value.args[0] == (
        f"Keys and clicks cannot be counted: no keyboard or mouse found in {devices.nodes}."
    )


def test_counting_goes_on_when_a_device_goes_away_and_stop_closes_the_others(devices, started):
    devices.write("event5", frame((EV_KEY, BTN_LEFT, 1)))
    assert wait_until(lambda: started.counts() == (0, 1))
    devices.unplug("event5")
    devices.write("event3", key_stroke(KEY_A))
    assert wait_until(lambda: started.counts() == (1, 1))

    started.stop()
    with pytest.raises(BrokenPipeError):  # the device is closed: nobody reads it any more
        devices.write("event3", key_stroke(KEY_A))
    assert started.counts() == (1, 1)
    assert "input-devices" not in {thread.name for thread in threading.enumerate()}


def test_devices_this_user_may_not_read_say_to_join_the_input_group(devices):
    """As nobody (a forked child that drops root), against nodes that are root's and the input
    group's, as /dev/input's are."""
    devices.add("event3", KEYBOARD, mode=0o660)
    devices.add("event5", MOUSE, mode=0o660)
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            try:
                devices.source().check()
                said = {"problem": None}
            except EnvironmentProblem as problem:
                said = {"problem": problem.args[0], "fix": problem.fix}
            os.write(write_end, json.dumps(said).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as reader:
        said = json.loads(reader.read())
    assert os.waitpid(child, 0)[1] == 0
    assert said == {
        "problem": "Keys and clicks cannot be counted: this user may not read the input devices "
        f"(event3, event5 in {devices.nodes}: they are the input group's).",
        "fix": INPUT_GROUP_FIX,
    }
    assert "sudo usermod -aG input $USER" in INPUT_GROUP_FIX and "log out and in again" in INPUT_GROUP_FIX


def test_the_engines_minutes_from_the_devices_have_counts(devices, started, database, contract):
    clock = SimulatedClock(datetime(2026, 12, 5, 9, 0, tzinfo=UTC))
    tracker = Tracker(database, clock, input_source=started, rng=random.Random(7))
    tracker.start(contract.id)
    devices.write("event3", key_stroke(KEY_A) * 2)
    devices.write("event5", frame((EV_REL, REL_X, 1)))
    assert wait_until(lambda: started.counts() == (2, 1))
    clock.advance(1)
    tracker.tick()
    clock.advance(1)
    tracker.tick()  # a second without input
    tracker.stop()
    assert the_only_block(database) == (2, ActivitySource.INPUT_COUNTS, [[0, 2, 1, 1]])


def test_on_wayland_the_setting_picks_the_devices_and_falls_back_to_the_idle_time(monkeypatch, caplog):
    """This machine has no /dev/input: the idle time, saying why."""
    session_environment(monkeypatch, {"WAYLAND_DISPLAY": "wayland-1", "XDG_CURRENT_DESKTOP": "sway"})

    assert type(capture.make_input(Settings())) is WaylandIdleTime
    assert type(capture.make_input(Settings(count_input_devices=True))) is WaylandIdleTime
    assert (
        "Keys and clicks cannot be counted: no keyboard or mouse found in /dev/input. Connect a keyboard "
        "or mouse, or turn off “Count keys and clicks from the input devices” in Settings. Activity is "
        "taken from the idle time instead." in caplog.messages
    )
