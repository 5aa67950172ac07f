"""Activity from the compositor's idle time, where no application sees input events (Wayland).

GNOME: Mutter's IdleMonitor over the session bus (jeepney): its watches signal "idle" a second after
the last input and "active" at the next, and each read takes the signals that came, without waiting.
A locked screen is gnome-shell's ScreenSaver saying so (mutter alone has none: never locked).

wlroots and KDE: the compositor's idle protocol over the Wayland socket (pywayland),
``ext_idle_notifier_v1`` where advertised, else the older ``org_kde_kwin_idle`` (sway 1.7). A
notification with a one-second timeout says "idle" a second after the last input and "resumed" at
the next; each read dispatches what arrived meanwhile, without waiting. Neither protocol tells of a
locked screen.
"""

from __future__ import annotations

import logging
import select
from collections import deque

from jeepney import DBusAddress, HeaderFields, MatchRule, Message, message_bus, new_method_call
from jeepney.io.blocking import DBusConnection, Proxy, open_dbus_connection
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
WATCH_FIRED = MatchRule(
    type="signal", interface=IDLE_MONITOR.interface, member="WatchFired", path=IDLE_MONITOR.object_path
)
SCREENSAVER_CHANGED = MatchRule(type="signal", interface=SCREENSAVER.interface, member="ActiveChanged")
REPLY_TIMEOUT_S = 1.0
NO_IDLE_TIME = "Activity cannot be seen: "
GNOME_FIX = "Run Workdiary inside your GNOME session, not from a console or over SSH."
WAYLAND_FIX = "Run Workdiary inside your desktop session, not from a console or over SSH."
WAYLAND_IDLE = "the compositor's idle protocol"
IDLE_TIMEOUT_MS = 1000  # the shortest stretch without input reported as idle: about one tick


class MutterIdleTime:
    """``tracker.capture.IdleTimeSource`` from GNOME's IdleMonitor: an idle watch of about a tick
    fires a second after the last input, and a user-active watch, set then, at the next input. Each
    read takes the signals that came meanwhile from the socket without waiting, so a second with
    no input and no signal costs no round trip to GNOME (asking for the idle time every tick cost
    more than the bar for no input allows)."""

    backend = "GNOME's idle monitor (org.gnome.Mutter.IdleMonitor)"

    def __init__(self, timeout_ms: int = IDLE_TIMEOUT_MS) -> None:
        self._timeout_ms = timeout_ms
        self._connection: DBusConnection | None = None
        self._signals: deque[Message] = deque()
        self._idle_watch = self._active_watch = 0
        self._idle = self._resumed = self._locked = False

    def start(self) -> None:
        if self._connection is not None:
            return
        try:
            self._connection = open_dbus_connection("SESSION")
            bus = Proxy(message_bus, self._connection, timeout=REPLY_TIMEOUT_S)
            for rule in (WATCH_FIRED, SCREENSAVER_CHANGED):
                bus.AddMatch(rule)
                self._connection.filter(rule, queue=self._signals)
            (self._idle_watch,) = self._call(IDLE_MONITOR, "AddIdleWatch", "t", (self._timeout_ms,))
            (idle_ms,) = self._call(IDLE_MONITOR, "GetIdletime")
        except (OSError, KeyError, TimeoutError, DBusErrorResponse) as problem:  # no bus, no Mutter
            self.stop()
            raise EnvironmentProblem(
                f"{NO_IDLE_TIME}GNOME's idle monitor (org.gnome.Mutter.IdleMonitor) does not answer "
                f"({problem}).",
                GNOME_FIX,
            ) from problem
        self._resumed = False
        self._idle = idle_ms >= self._timeout_ms
        if self._idle:
            self._watch_for_input()
        try:
            self._locked = bool(self._call(SCREENSAVER, "GetActive")[0])
        except DBusErrorResponse as problem:  # mutter without gnome-shell: no screensaver, never locked
            log.info("no screen lock to ask about: %s", problem)

    def stop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()  # mutter removes a connection's watches when it goes
        self._signals.clear()

    def input_since_last_read(self) -> bool:
        try:
            self._take_signals()
        except (OSError, TimeoutError, DBusErrorResponse) as problem:
            # Seen as no input: a tick never fails for it, and a monitor gone for good ends in idle.
            log.warning("GNOME's idle monitor did not answer: %s", problem)
            self._idle = True
        answer, self._resumed = not self._idle or self._resumed, False
        return answer

    def screen_locked(self) -> bool:
        return self._locked  # kept current by the screensaver's signal, read with the idle watches'

    def _take_signals(self) -> None:
        if self._connection is None:
            raise OSError("not connected to the session bus")
        while True:
            try:
                self._connection.recv_messages(timeout=0)
            except TimeoutError:  # nothing more has come
                break
        while self._signals:
            message = self._signals.popleft()
            if message.header.fields[HeaderFields.member] == "ActiveChanged":
                self._locked = bool(message.body[0])
            elif message.body[0] == self._idle_watch:
                self._idle = True
                self._watch_for_input()
            elif message.body[0] == self._active_watch:
                self._idle, self._resumed, self._active_watch = False, True, 0

    def _watch_for_input(self) -> None:
        """A one-shot watch for the next input (Mutter fires it at once if input came meanwhile)."""
        (self._active_watch,) = self._call(IDLE_MONITOR, "AddUserActiveWatch")

    def _call(
        self, address: DBusAddress, method: str, signature: str | None = None, body: tuple = ()
    ) -> tuple:
        if self._connection is None:
            raise OSError("not connected to the session bus")
        message = new_method_call(address, method, signature, body)
        return unwrap_msg(self._connection.send_and_get_reply(message, timeout=REPLY_TIMEOUT_S))


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
