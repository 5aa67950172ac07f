"""Activity from the compositor's idle time, where no application sees input events (Wayland).

GNOME: Mutter's IdleMonitor over the session bus (jeepney), asked once a tick how long the user has
been idle; input came since the last read if that is shorter than the time since then. A locked
screen is gnome-shell's ScreenSaver saying so (mutter alone has none: never locked).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from jeepney import DBusAddress, new_method_call
from jeepney.io.blocking import DBusConnection, open_dbus_connection
from jeepney.wrappers import DBusErrorResponse, unwrap_msg

from common.errors import EnvironmentProblem

log = logging.getLogger(__name__)

IDLE_MONITOR = DBusAddress(
    "/org/gnome/Mutter/IdleMonitor/Core",
    bus_name="org.gnome.Mutter.IdleMonitor",
    interface="org.gnome.Mutter.IdleMonitor",
)
SCREENSAVER = DBusAddress(
    "/org/gnome/ScreenSaver", bus_name="org.gnome.ScreenSaver", interface="org.gnome.ScreenSaver"
)
REPLY_TIMEOUT_S = 1.0
NO_IDLE_TIME = "Activity cannot be seen: "
GNOME_FIX = "Run Workdiary inside your GNOME session, not from a console or over SSH."


class MutterIdleTime:
    """``tracker.capture.IdleTimeSource`` from GNOME's IdleMonitor."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._connection: DBusConnection | None = None
        self._read_at = 0.0
        self._has_screensaver = True

    def start(self) -> None:
        if self._connection is not None:
            return
        try:
            self._connection = open_dbus_connection("SESSION")
            self._idle_seconds()
        except (OSError, KeyError, TimeoutError, DBusErrorResponse) as problem:  # no bus, no Mutter
            self.stop()
            raise EnvironmentProblem(
                f"{NO_IDLE_TIME}GNOME's idle monitor (org.gnome.Mutter.IdleMonitor) does not answer "
                f"({problem}).",
                GNOME_FIX,
            ) from problem
        self._read_at = self._monotonic()
        self._has_screensaver = True

    def stop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def input_since_last_read(self) -> bool:
        now = self._monotonic()
        since, self._read_at = now - self._read_at, now
        try:
            return self._idle_seconds() < since
        except (OSError, TimeoutError, DBusErrorResponse) as problem:
            # Seen as no input: a tick never fails for it, and a monitor gone for good ends in idle.
            log.warning("GNOME's idle monitor did not answer: %s", problem)
            return False

    def screen_locked(self) -> bool:
        if not self._has_screensaver:
            return False
        try:
            return bool(self._call(SCREENSAVER, "GetActive")[0])
        except DBusErrorResponse as problem:  # mutter without gnome-shell: no screensaver, never locked
            log.info("no screen lock to ask about: %s", problem)
            self._has_screensaver = False
        except (OSError, TimeoutError) as problem:
            log.warning("GNOME's screensaver did not answer: %s", problem)
        return False

    def _idle_seconds(self) -> float:
        return self._call(IDLE_MONITOR, "GetIdletime")[0] / 1000

    def _call(self, address: DBusAddress, method: str) -> tuple:
        if self._connection is None:
            raise OSError("not connected to the session bus")
        reply = self._connection.send_and_get_reply(new_method_call(address, method), timeout=REPLY_TIMEOUT_S)
        return unwrap_msg(reply)
