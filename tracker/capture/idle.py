"""Activity from the compositor's idle time, where no application sees input events (Wayland).

GNOME: Mutter's IdleMonitor over the session bus (jeepney), asked once a tick how long the user has
been idle; input came since the last read if that is shorter than the time since then. A locked
screen is gnome-shell's ScreenSaver saying so (mutter alone has none: never locked).

wlroots and KDE: the compositor's idle protocol over the Wayland socket (pywayland),
``ext_idle_notifier_v1`` where advertised, else the older ``org_kde_kwin_idle`` (sway 1.7). A
notification with a one-second timeout says "idle" a second after the last input and "resumed" at
the next; each read dispatches what arrived meanwhile, without waiting. Neither protocol tells of a
locked screen.
"""

from __future__ import annotations

import logging
import select
import time
from collections.abc import Callable

from jeepney import DBusAddress, new_method_call
from jeepney.io.blocking import DBusConnection, open_dbus_connection
from jeepney.wrappers import DBusErrorResponse, unwrap_msg
from pywayland.client import Display
from pywayland.protocol.ext_idle_notify_v1 import ExtIdleNotificationV1Proxy, ExtIdleNotifierV1
from pywayland.protocol.wayland import WlSeat

from common.errors import EnvironmentProblem
from tracker.capture.kde_idle_protocol import OrgKdeKwinIdle, OrgKdeKwinIdleTimeoutProxy

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
WAYLAND_FIX = "Run Workdiary inside your desktop session, not from a console or over SSH."
WAYLAND_IDLE = "the compositor's idle protocol"
IDLE_TIMEOUT_MS = 1000  # the shortest stretch without input reported as idle: about one tick


class MutterIdleTime:
    """``tracker.capture.IdleTimeSource`` from GNOME's IdleMonitor."""

    backend = "GNOME's idle monitor (org.gnome.Mutter.IdleMonitor)"

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


class WaylandIdleTime:
    """``tracker.capture.IdleTimeSource`` from the compositor's Wayland idle protocol."""

    def __init__(self, timeout_ms: int = IDLE_TIMEOUT_MS) -> None:
        self.backend = WAYLAND_IDLE  # once started, with the protocol the compositor offers
        self._timeout_ms = timeout_ms
        self._display: Display | None = None
        self._notification: ExtIdleNotificationV1Proxy | OrgKdeKwinIdleTimeoutProxy | None = None
        self._idle = False
        self._resumed = False

    def start(self) -> None:
        if self._display is not None:
            return
        try:
            self._display = Display()
            self._display.connect()
            self._notification = self._notify_idle(self._display)
        except (ValueError, RuntimeError) as problem:  # no compositor, or one without an idle protocol
            self.stop()
            raise EnvironmentProblem(f"{NO_IDLE_TIME}{problem}.", WAYLAND_FIX) from problem
        self._idle = self._resumed = False

    def stop(self) -> None:
        notification, self._notification = self._notification, None
        display, self._display = self._display, None
        if display is None:
            return
        if notification is not None:
            if isinstance(notification, ExtIdleNotificationV1Proxy):
                notification.destroy()
            else:
                notification.release()
            display.flush()
        display.disconnect()

    def input_since_last_read(self) -> bool:
        try:
            self._dispatch_arrived()
        except RuntimeError as problem:  # the compositor went away: no input seen from now on
            log.warning("the compositor's idle notifications stopped: %s", problem)
            self._idle = True
        answer, self._resumed = not self._idle or self._resumed, False
        return answer

    def screen_locked(self) -> bool:
        return False

    def _notify_idle(self, display: Display) -> ExtIdleNotificationV1Proxy | OrgKdeKwinIdleTimeoutProxy:
        advertised: dict[str, int] = {}  # interface: the global's name, the first one advertised

        def on_global(_registry: object, name: int, interface: str, _version: int) -> None:
            advertised.setdefault(interface, name)

        registry = display.get_registry()
        registry.dispatcher["global"] = on_global
        display.roundtrip()
        if WlSeat.name not in advertised:
            raise RuntimeError("the compositor has no seat")
        seat = registry.bind(advertised[WlSeat.name], WlSeat, 1)
        notification: ExtIdleNotificationV1Proxy | OrgKdeKwinIdleTimeoutProxy
        if ExtIdleNotifierV1.name in advertised:
            notifier = registry.bind(advertised[ExtIdleNotifierV1.name], ExtIdleNotifierV1, 1)
            notification = notifier.get_idle_notification(self._timeout_ms, seat)
            notification.dispatcher["idled"] = self._on_idle
            self.backend = f"{WAYLAND_IDLE} ({ExtIdleNotifierV1.name})"
        elif OrgKdeKwinIdle.name in advertised:
            kde_idle = registry.bind(advertised[OrgKdeKwinIdle.name], OrgKdeKwinIdle, 1)
            notification = kde_idle.get_idle_timeout(seat, self._timeout_ms)
            notification.dispatcher["idle"] = self._on_idle
            self.backend = f"{WAYLAND_IDLE} ({OrgKdeKwinIdle.name})"
        else:
            raise RuntimeError(
                f"the compositor offers no idle protocol ({ExtIdleNotifierV1.name} or {OrgKdeKwinIdle.name})"
            )
        notification.dispatcher["resumed"] = self._on_resumed
        display.roundtrip()
        return notification

    def _dispatch_arrived(self) -> None:
        """Handles the events the compositor sent since the last read; never waits for one."""
        if self._display is None:
            raise RuntimeError("not connected to the compositor")
        self._display.flush()
        if select.select([self._display.get_fd()], [], [], 0)[0]:
            self._display.read()
        self._display.dispatch(block=False)

    def _on_idle(self, _notification: object) -> None:
        self._idle = True

    def _on_resumed(self, _notification: object) -> None:
        self._idle = False
        self._resumed = True
