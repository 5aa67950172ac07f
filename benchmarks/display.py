"""A private Xvfb display for the benchmarks that need X (pynput listeners, XTEST input, mss)."""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

WIDTH, HEIGHT = 1920, 1080
START_DEADLINE_S = 15.0


def _free_display_number(first: int = 99) -> int:
    for number in range(first, first + 100):
        if not Path(f"/tmp/.X{number}-lock").exists() and not Path(f"/tmp/.X11-unix/X{number}").exists():
            return number
    raise RuntimeError("no free X display number between :99 and :198")


def _answers(display: str) -> bool:
    probe = subprocess.run(["xdpyinfo", "-display", display], capture_output=True)
    return probe.returncode == 0


@contextlib.contextmanager
def x_display() -> Iterator[str]:
    """Use $DISPLAY when it is set; otherwise start Xvfb on a free display, set $DISPLAY for the
    duration, and stop the server afterwards."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    display = f":{_free_display_number()}"
    server = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", f"{WIDTH}x{HEIGHT}x24", "-nolisten", "tcp", "-noreset"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_DEADLINE_S
        while not _answers(display):
            if server.poll() is not None:
                raise RuntimeError(f"Xvfb {display} exited with code {server.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Xvfb {display} did not answer within {START_DEADLINE_S:.0f} s")
            time.sleep(0.05)
        os.environ["DISPLAY"] = display
        yield display
    finally:
        os.environ.pop("DISPLAY", None)
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@contextlib.contextmanager
def tray_host() -> Iterator[None]:
    """A system tray (Debian's trayer) on $DISPLAY, as a desktop session has one: the app started
    minimized then lives in its tray icon, its window never shown."""
    from Xlib import X, display

    host = subprocess.Popen(
        ["trayer", "--SetDockType", "true", "--align", "right", "--edge", "top"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    connection = display.Display()
    try:
        tray = connection.intern_atom("_NET_SYSTEM_TRAY_S0")  # the tray of screen 0
        deadline = time.monotonic() + START_DEADLINE_S
        while connection.get_selection_owner(tray) == X.NONE:
            if host.poll() is not None:
                raise RuntimeError(f"trayer exited with code {host.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"trayer did not take the tray within {START_DEADLINE_S:.0f} s")
            time.sleep(0.05)
        yield
    finally:
        connection.close()
        host.terminate()
        host.wait(10)


def wait_for_window(pid: int, title_prefix: str, timeout: float = 30.0) -> None:
    """Return when a top-level window of process `pid` whose title starts with `title_prefix` is
    mapped. Waits on the X server's MapNotify events (xdotool's --sync polls twice a second)."""
    from Xlib import X, display

    connection = display.Display()
    try:
        pid_atom = connection.intern_atom("_NET_WM_PID")
        connection.screen().root.change_attributes(event_mask=X.SubstructureNotifyMask)
        connection.sync()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not connection.pending_events():
                ready = select.select([connection], [], [], deadline - time.monotonic())[0]
                if not ready:
                    break
            event = connection.next_event()
            if event.type != X.MapNotify:
                continue
            with contextlib.suppress(Exception):  # the window may be gone already
                owner = event.window.get_full_property(pid_atom, X.AnyPropertyType)
                title = event.window.get_wm_name() or ""
                if owner and owner.value[0] == pid and str(title).startswith(title_prefix):
                    return
        raise TimeoutError(f"no window '{title_prefix}…' of process {pid} was shown within {timeout:.0f} s")
    finally:
        connection.close()
