"""A private Xvfb screen with two RandR monitors, for the screen-capture tests.

The screen is the tests' own Xvfb rather than the session's: mss needs 24-bit colour (the session's
Xvfb is 16-bit by default) and the tests need to control the monitor layout and the windows. There
is no window manager: patterns are drawn straight onto the root window with python-xlib (pynput's
X backend) and nothing covers them but the windows a test maps.
"""

from __future__ import annotations

import select
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

WIDTH, HEIGHT = 640, 480
MONITORS = [(0, 400), (400, 240)]  # (left, width): a 400×480 monitor and a 240×480 one


class Screen:
    def __init__(self) -> None:
        from Xlib import display
        from Xlib.protocol import rq

        self.server = subprocess.Popen(
            ["Xvfb", "-displayfd", "1", "-screen", "0", f"{WIDTH}x{HEIGHT}x24", "-br", "-nolisten", "tcp"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        ready, _, _ = select.select([self.server.stdout], [], [], 20)
        number = self.server.stdout.readline().decode().strip() if ready else ""
        if not number:
            self.close()
            raise RuntimeError("Xvfb did not start")
        self.name = f":{number}"
        self.connection = display.Display(self.name)
        self.root = self.connection.screen().root

        class SetMonitor(rq.Request):  # RRSetMonitor; python-xlib's own cannot pack its list
            _request = rq.Struct(
                rq.Card8("opcode"),
                rq.Opcode(43),
                rq.RequestLength(),
                rq.Window("window"),
                rq.Card32("name"),
                rq.Bool("primary"),
                rq.Bool("automatic"),
                rq.LengthOf("outputs", 2),
                rq.Int16("x"),
                rq.Int16("y"),
                rq.Card16("width"),
                rq.Card16("height"),
                rq.Card32("width_mm"),
                rq.Card32("height_mm"),
                rq.List("outputs", rq.Card32Obj),
            )

        output = self.root.xrandr_get_screen_resources().outputs[0]
        for number, (left, width) in enumerate(MONITORS):
            SetMonitor(
                display=self.connection.display,
                opcode=self.connection.display.get_extension_major("RANDR"),
                window=self.root,
                name=self.connection.intern_atom(f"WORKDIARY-{number}"),
                primary=number == 0,
                automatic=False,
                outputs=[output] if number == 0 else [],  # replaces the output's own monitor
                x=left,
                y=0,
                width=width,
                height=HEIGHT,
                width_mm=width // 4,
                height_mm=HEIGHT // 4,
            )
        self.connection.sync()

    def paint(self, rectangles) -> None:
        for left, top, width, height, (red, green, blue) in rectangles:
            gc = self.root.create_gc(foreground=(red << 16) | (green << 8) | blue)
            self.root.fill_rectangle(gc, left, top, width, height)
            gc.free()
        self.connection.sync()

    @contextmanager
    def window(self, app: tuple[str, str], title: str, state: tuple[str, ...] = ()) -> Iterator[int]:
        """A 200×150 top-level window with the X class `app` (instance, class), the UTF-8 title
        `title` and the EWMH states `state`, shown (awaited) for the block; yields its id."""
        from Xlib import X

        atom = self.connection.intern_atom
        depth = self.connection.screen().root_depth
        window = self.root.create_window(20, 20, 200, 150, 0, depth, event_mask=X.StructureNotifyMask)
        window.set_wm_class(*app)
        window.change_property(atom("_NET_WM_NAME"), atom("UTF8_STRING"), 8, title.encode())
        if state:
            window.change_property(atom("_NET_WM_STATE"), atom("ATOM"), 32, [atom(name) for name in state])
        window.map()
        event = self.connection.next_event()  # events of the window only: it asked for no others
        while not (event.type == X.MapNotify and event.window == window):
            event = self.connection.next_event()
        try:
            yield window.id
        finally:
            window.destroy()
            self.connection.sync()

    @contextmanager
    def window_manager_lists(self, window_ids: list[int]) -> Iterator[None]:
        """The root's EWMH client list, as a window manager keeps it, for the block."""
        from Xlib import Xatom

        net_client_list = self.connection.intern_atom("_NET_CLIENT_LIST")
        self.root.change_property(net_client_list, Xatom.WINDOW, 32, window_ids)
        self.connection.sync()
        try:
            yield
        finally:
            self.root.delete_property(net_client_list)
            self.connection.sync()

    def close(self) -> None:
        if getattr(self, "connection", None):
            self.connection.close()
        self.server.terminate()
        self.server.wait(10)
        self.server.stdout.close()


@pytest.fixture(scope="module")
def screen():
    screen = Screen()
    yield screen
    screen.close()


@pytest.fixture
def x11_session(screen, monkeypatch):
    monkeypatch.setenv("DISPLAY", screen.name)
    monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
    return screen
