"""Input activity on X11 from the RECORD extension, read in batches: how many key presses and mouse
events, never which or where.

One RECORD context, made and enabled on a connection of its own, records the core device events of
every client: key presses, button presses (clicks and wheel steps) and pointer moves, from every
keyboard and mouse and on every screen; key repeats are key presses, as pynput counts them. The X
server sends them to that connection as they happen and the kernel keeps them in its buffer. Nothing
reads them until ``counts``, which the engine calls once a tick (and while none come, the command
line's loop waits on ``input_fd`` rather than ticking every second): it reads what has come, reply by
reply (each says its length), and counts the event types in the raw bytes, 32 to an event. No
thread, no object per event: about a twentieth of the CPU of pynput's listeners under the standard
load (benchmarks/bench_tracking.py), whose python-xlib parses every event into objects on two
threads of their own.

If the X server goes away, the counts stop where they were, it is logged once, and the tracking of
time goes on.
"""

from __future__ import annotations

import logging
import socket
import struct
import sys

from common.errors import EnvironmentProblem
from tracker.capture.x11 import DESKTOP_FIX, HEADER, NO_INPUT, REPLY, connect_to_x

log = logging.getLogger(__name__)

# The X protocol's core event codes that count (KeyRelease 3 and ButtonRelease 5 do not).
KEY_PRESS, BUTTON_PRESS, MOTION_NOTIFY = 2, 4, 6
FROM_SERVER = 0  # a RECORD reply's category: protocol the server sent (the recorded events)
CREATE_CONTEXT, ENABLE_CONTEXT, DISABLE_CONTEXT, FREE_CONTEXT = 1, 5, 6, 7  # RECORD's minor opcodes
ALL_CLIENTS = 3
# The one range recorded: core requests and replies, extension requests and replies, delivered
# events (2 bytes each, 6 for the extensions'), device events from KeyPress to MotionNotify, errors,
# client started and died.
DEVICE_EVENTS = struct.pack("=18xBB4x", KEY_PRESS, MOTION_NOTIFY)
READ_SIZE = 1 << 16


class X11RecordInput:
    backend = "keyboard and mouse events (X11 RECORD)"

    def __init__(self) -> None:
        self._keyboard_events = 0
        self._mouse_events = 0
        self._socket: socket.socket | None = None
        self._context: int | None = None
        self._unread = b""  # the start of a reply whose end has not come yet

    def start(self) -> None:
        if self._socket is not None:
            return
        connection = connect_to_x()
        opcode, context = connection.record_opcode, connection.new_id()
        try:
            clients_and_ranges = struct.pack("=IB3xIII", context, 0, 1, 1, ALL_CLIENTS) + DEVICE_EVENTS
            connection.send(opcode, CREATE_CONTEXT, clients_and_ranges)
            connection.sync()
            # From here on the connection is this reader's: the enable request has no end of its
            # own, its replies are the recorded events.
            connection.send(opcode, ENABLE_CONTEXT, struct.pack("=I", context))
            connection.socket.setblocking(False)
        except OSError as exc:
            connection.close()
            raise EnvironmentProblem(
                f"{NO_INPUT}the X server refused to record input ({exc}).", DESKTOP_FIX
            ) from exc
        self._keyboard_events = self._mouse_events = 0
        self._unread = b""
        self._socket, self._context = connection.socket, context

    def counts(self) -> tuple[int, int]:
        while self._receive():
            pass
        return self._keyboard_events, self._mouse_events

    def input_fd(self) -> int | None:
        """A descriptor that becomes readable when input comes (None once the X server is gone)."""
        return self._socket.fileno() if self._socket is not None else None

    def stop(self) -> None:
        """The context is disabled from a connection of its own: the server reads no request from
        the one it records to, and would notice that one closed only at the next event it records."""
        if self._socket is None:
            return
        try:
            control = connect_to_x()
        except EnvironmentProblem:
            pass  # the server is gone, and the recording with it
        else:
            try:
                for minor in (DISABLE_CONTEXT, FREE_CONTEXT):
                    control.send(control.record_opcode, minor, struct.pack("=I", self._context))
                control.sync()
            except OSError as exc:
                log.warning("The X server did not end the recording of input: %s", exc)
            control.close()
        self._close()

    def _receive(self) -> bool:
        """Read and count what has come (a chunk); whether there may be more."""
        if self._socket is None:
            return False
        try:
            chunk = self._socket.recv(READ_SIZE)
        except (BlockingIOError, TimeoutError):
            return False
        except OSError:
            chunk = b""
        if not chunk:
            log.warning("The X server went away: keyboard and mouse activity is no longer counted.")
            self._close()
            return False
        self._unread = self._count(self._unread + chunk)
        return True

    def _close(self) -> None:
        assert self._socket is not None
        self._socket.close()
        self._socket = self._context = None

    def _count(self, data: bytes) -> bytes:
        """Count the events of the whole replies in ``data``; the rest (a reply not all here yet)."""
        position, size = 0, len(data)
        while size - position >= HEADER:
            if data[position] != REPLY:  # an error or an event, of 32 bytes: nothing recorded
                position += HEADER
                continue
            end = position + HEADER + 4 * int.from_bytes(data[position + 4 : position + 8], sys.byteorder)
            if end > size:
                break
            if data[position + 1] == FROM_SERVER:
                codes = data[position + HEADER : end : HEADER]  # each event's first byte
                self._keyboard_events += codes.count(KEY_PRESS)
                self._mouse_events += codes.count(BUTTON_PRESS) + codes.count(MOTION_NOTIFY)
            position = end
        return data[position:]


def input_fd_of(source: object) -> int | None:
    """The descriptor a quiet wait watches for the first input, where the input source has one
    (the headless tracker's loop and the app's tracking thread)."""
    return source.input_fd() if isinstance(source, X11RecordInput) else None
