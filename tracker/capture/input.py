"""Input activity from pynput: how many key presses and mouse events, never which or where.

The callbacks only increment an int. They run on the listeners' threads, inside the system's input
hook: a slow hook lags the whole desktop (and Windows silently removes it). Each thread writes its
own counter and the reader takes cumulative values, so no lock is needed. The callbacks take
exactly the arguments pynput passes; otherwise pynput wraps them in an adapter that slices the
arguments on every event.
"""

from __future__ import annotations

import os
import sys
import threading

from common.errors import EnvironmentProblem
from tracker.capture.x11 import DESKTOP_FIX, NO_INPUT, connect_to_x

STARTUP_TIMEOUT = 5.0  # seconds for a listener to become ready
ACCESSIBILITY_FIX = (
    "Allow Workdiary in System Settings → Privacy & Security → Accessibility "
    "and Input Monitoring, then start it again."
)


class PynputInputSource:
    backend = "keyboard and mouse events (pynput)"

    def __init__(self) -> None:
        self._keyboard_events = 0
        self._mouse_events = 0
        self._listeners: list = []

    def counts(self) -> tuple[int, int]:
        return self._keyboard_events, self._mouse_events

    # Keyboard listener thread.
    def _on_press(self, key, injected) -> None:
        self._keyboard_events += 1

    # Mouse listener thread.
    def _on_move(self, x, y, injected) -> None:
        self._mouse_events += 1

    def _on_click(self, x, y, button, pressed, injected) -> None:
        if pressed:
            self._mouse_events += 1

    def _on_scroll(self, x, y, dx, dy, injected) -> None:
        self._mouse_events += 1

    def start(self) -> None:
        if self._listeners:
            return
        _check_session()
        self._keyboard_events = self._mouse_events = 0
        try:
            from pynput import keyboard, mouse
        except ImportError as exc:
            display = os.environ.get("DISPLAY", "")
            raise EnvironmentProblem(
                f"{NO_INPUT}cannot connect to the X display {display!r}.", DESKTOP_FIX
            ) from exc
        self._listeners = [
            keyboard.Listener(on_press=self._on_press),
            mouse.Listener(on_move=self._on_move, on_click=self._on_click, on_scroll=self._on_scroll),
        ]
        try:
            for listener in self._listeners:
                listener.start()
                _wait_until_listening(listener)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """No callback runs once this returns. The listener threads are not joined: pynput's X
        listeners end only at the next input event (moses-palmer/pynput#583)."""
        listeners, self._listeners = self._listeners, []
        for listener in listeners:
            listener.stop()


def _check_session() -> None:
    if sys.platform in ("win32", "darwin"):
        return
    connect_to_x().close()


def _wait_until_listening(listener) -> None:
    """``listener.wait()`` with a deadline: it blocks forever if the listener's thread died
    before becoming ready, so it runs on a helper thread."""
    waiter = threading.Thread(target=listener.wait, name="input-listener-ready", daemon=True)
    waiter.start()
    waiter.join(STARTUP_TIMEOUT)
    if not getattr(listener, "IS_TRUSTED", True):  # macOS without the Accessibility permission
        raise EnvironmentProblem(
            f"{NO_INPUT}macOS has not allowed Workdiary to monitor input.", ACCESSIBILITY_FIX
        )
    if waiter.is_alive() or not listener.is_alive():
        raise EnvironmentProblem(f"{NO_INPUT}the input listener did not start.", DESKTOP_FIX)
