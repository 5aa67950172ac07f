"""Keys and clicks counted from the input devices (``/dev/input/event*``), where the session lets no
application see input events (Wayland) and the user chose to have them counted.

Each device node gives the kernel's ``struct input_event`` records; one thread waits on every
keyboard and pointer device at once (epoll) and only increments two ints: a key press (EV_KEY,
value 1, on a keyboard code) counts for the keyboard; a mouse button press, and each frame
(up to SYN_REPORT) with motion or scrolling, for the mouse, as one X11 pointer event is one frame.
Which key or where the pointer went is never kept. Which devices are keyboards and which are
pointers is read from their capabilities in sysfs, as udev's input_id does, so that lid switches,
power buttons, accelerometers or touchscreens, which wake a reader often or say nothing of the user,
are never opened. Every few seconds the thread also looks for devices plugged in since (the
standard library has no inotify; a listing of the folder costs next to nothing).

The records are read with the standard library rather than python-evdev: counting needs one struct
format and a few constants, and python-evdev would add a compiled extension to build for every
platform's bundle for no more than that.

Reading ``/dev/input`` takes membership of the ``input`` group, which lets every program of the
user read every key typed: hence off by default, and explained in the Settings.
"""

from __future__ import annotations

import errno
import logging
import os
import selectors
import struct
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from common.errors import EnvironmentProblem

log = logging.getLogger(__name__)

DEVICES = Path("/dev/input")
CAPABILITIES = Path("/sys/class/input")  # eventN/device/capabilities/{ev,key,rel,abs}
RESCAN_S = 5.0  # how often the reader looks for devices plugged in since it started
NO_COUNTS = "Keys and clicks cannot be counted: "
INPUT_GROUP_FIX = (
    "Add yourself to the input group (sudo usermod -aG input $USER), then log out and in again; "
    "or turn off “Count keys and clicks from the input devices” in Settings."
)
NO_DEVICE_FIX = (
    "Connect a keyboard or mouse, or turn off “Count keys and clicks from the input devices” in Settings."
)

# struct input_event: struct timeval (two C longs), __u16 type, __u16 code, __s32 value
EVENT = struct.Struct("@llHHi")
READ_EVENTS = 64  # records taken per read
LONG_BITS = struct.calcsize("@l") * 8  # sysfs writes capability bitmaps in words of a C long
EV_SYN, EV_KEY, EV_REL, EV_ABS = 0, 1, 2, 3
SYN_REPORT = 0
REL_X, REL_Y = 0, 1
ABS_X, ABS_Y = 0, 1
KEY_PRESSED = 1  # 0 released, 2 auto-repeat
BTN_MISC, BTN_LEFT, BTN_TASK, KEY_OK = 0x100, 0x110, 0x117, 0x160
BTN_TOOL_FINGER = 0x145
BTN_TRIGGER_HAPPY = 0x2C0  # the last buttons' codes, after every key's
KEYBOARD_KEYS = range(1, 32)  # Esc, the digits and the top letter row: what udev calls a keyboard


def is_mouse_button(code: int) -> bool:
    return BTN_LEFT <= code <= BTN_TASK


def is_keyboard_key(code: int) -> bool:
    """A key's code, not a button's (mouse, joystick, touch and tool buttons are not typing)."""
    return 0 < code < BTN_MISC or KEY_OK <= code < BTN_TRIGGER_HAPPY


@dataclass(frozen=True)
class Capabilities:
    """What a device can send: bit N of ``events`` for event type N, and so on."""

    events: int
    keys: int
    relative: int
    absolute: int

    @classmethod
    def read(cls, folder: Path) -> Capabilities:
        return cls(*(_bitmap(folder / name) for name in ("ev", "key", "rel", "abs")))

    @property
    def is_keyboard(self) -> bool:
        return _has(self.events, EV_KEY) and all(_has(self.keys, key) for key in KEYBOARD_KEYS)

    @property
    def is_pointer(self) -> bool:
        """A mouse, trackball or trackpoint (relative motion), or a touchpad (absolute motion with
        a finger tool; a touchscreen has none)."""
        mouse = _has(self.events, EV_REL) and _has(self.relative, REL_X) and _has(self.relative, REL_Y)
        touchpad = (
            _has(self.events, EV_ABS)
            and _has(self.absolute, ABS_X)
            and _has(self.absolute, ABS_Y)
            and _has(self.keys, BTN_TOOL_FINGER)
        )
        return mouse or touchpad


def _bitmap(path: Path) -> int:
    """A sysfs capability file: hexadecimal words, the most significant first ("" where absent)."""
    try:
        words = path.read_text().split()
    except OSError:
        return 0
    bitmap = 0
    for word in words:
        bitmap = (bitmap << LONG_BITS) | int(word, 16)
    return bitmap


def _has(bitmap: int, bit: int) -> bool:
    return bool(bitmap >> bit & 1)


class InputDevices:
    """``tracker.capture.InputSource`` reading the keyboards and pointers in ``devices``; those
    plugged in later (a Bluetooth mouse, a keyboard after resume) are found within
    ``rescan_seconds``."""

    def __init__(
        self, devices: Path = DEVICES, capabilities: Path = CAPABILITIES, rescan_seconds: float = RESCAN_S
    ) -> None:
        self.backend = f"keys and clicks from the input devices ({devices})"
        self._devices = devices
        self._capabilities = capabilities
        self._rescan_seconds = rescan_seconds
        self._keyboard_events = 0
        self._mouse_events = 0
        self._reader: threading.Thread | None = None
        self._wake: tuple[int, int] | None = None  # a pipe: written to stop the reader

    def counts(self) -> tuple[int, int]:
        return self._keyboard_events, self._mouse_events

    def check(self) -> None:
        """Raises ``EnvironmentProblem`` where no keyboard or pointer here can be read."""
        for descriptor in self._open_at_start():
            os.close(descriptor)

    def start(self) -> None:
        if self._reader is not None:
            return
        opened = self._open_at_start()
        self._keyboard_events = self._mouse_events = 0
        self._wake = os.pipe()
        self._reader = threading.Thread(
            target=self._read, args=(opened, self._wake[0]), name="input-devices", daemon=True
        )
        self._reader.start()

    def stop(self) -> None:
        """No event is counted once this returns."""
        reader, self._reader = self._reader, None
        wake, self._wake = self._wake, None
        if reader is None or wake is None:
            return
        os.write(wake[1], b"x")
        reader.join()
        for end in wake:
            os.close(end)

    def _open_at_start(self) -> dict[int, str]:
        opened, refused = self._open()
        if opened:
            if refused:
                log.warning("input devices not readable, not counted: %s", ", ".join(refused))
            return opened
        if refused:
            raise EnvironmentProblem(
                f"{NO_COUNTS}this user may not read the input devices ({', '.join(refused)} in "
                f"{self._devices}: they are the input group's).",
                INPUT_GROUP_FIX,
            )
        raise EnvironmentProblem(f"{NO_COUNTS}no keyboard or mouse found in {self._devices}.", NO_DEVICE_FIX)

    def _open(self, already: Collection[str] = ()) -> tuple[dict[int, str], list[str]]:
        """The keyboards and pointers but those named in ``already``, opened for reading (descriptor:
        name), and those this user may not read; the other devices are left alone."""
        opened: dict[int, str] = {}
        refused: list[str] = []
        for path in sorted(self._devices.glob("event*")):
            if path.name in already:
                continue
            found = Capabilities.read(self._capabilities / path.name / "device" / "capabilities")
            if not (found.is_keyboard or found.is_pointer):
                continue
            try:
                opened[os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)] = path.name
            except PermissionError:
                refused.append(path.name)
            except OSError as problem:  # unplugged since it was listed
                log.info("input device %s not opened: %s", path, problem)
        return opened, refused

    def _read(self, opened: dict[int, str], wake: int) -> None:
        moved = dict.fromkeys(opened, False)  # per open device: a frame with motion not yet ended
        with selectors.DefaultSelector() as selector:
            selector.register(wake, selectors.EVENT_READ)
            for descriptor in opened:
                selector.register(descriptor, selectors.EVENT_READ)
            scanned = time.monotonic()
            while True:
                ready = [key.fd for key, _ in selector.select(timeout=self._rescan_seconds)]
                if wake in ready:
                    break
                for descriptor in ready:
                    if not self._count(descriptor, moved):
                        selector.unregister(descriptor)
                        os.close(descriptor)
                        del moved[descriptor], opened[descriptor]
                if time.monotonic() - scanned >= self._rescan_seconds:
                    scanned = time.monotonic()
                    plugged, _ = self._open(already=set(opened.values()))
                    for descriptor in plugged:
                        selector.register(descriptor, selectors.EVENT_READ)
                        moved[descriptor] = False
                    opened |= plugged
        for descriptor in opened:
            os.close(descriptor)

    def _count(self, descriptor: int, moved: dict[int, bool]) -> bool:
        """Counts the records waiting on ``descriptor``; False once the device is gone."""
        try:
            data = os.read(descriptor, EVENT.size * READ_EVENTS)
        except BlockingIOError:
            return True
        except OSError as problem:
            if problem.errno != errno.ENODEV:
                log.warning("input device read failed: %s", problem)
            return False
        if not data:  # the writer's end closed (only where the node is not a kernel device)
            return False
        for _seconds, _microseconds, kind, code, value in EVENT.iter_unpack(data):
            if kind == EV_KEY and value == KEY_PRESSED:
                if is_mouse_button(code):
                    self._mouse_events += 1
                elif is_keyboard_key(code):
                    self._keyboard_events += 1
            elif kind == EV_REL or (kind == EV_ABS and code in (ABS_X, ABS_Y)):
                moved[descriptor] = True
            elif kind == EV_SYN and code == SYN_REPORT and moved[descriptor]:
                self._mouse_events += 1
                moved[descriptor] = False
        return True
