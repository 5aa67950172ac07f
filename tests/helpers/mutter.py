"""Input injected into a real mutter (or gnome-shell) through its RemoteDesktop API: a key typed as
a user would, which mutter's idle time sees. ``python -m tests.helpers.mutter`` types one key on the
session bus of its environment: what a test runs inside a stack whose bus lets in only its user."""

from __future__ import annotations

import os

from jeepney import DBusAddress, new_method_call
from jeepney.io.blocking import DBusConnection, open_dbus_connection
from jeepney.wrappers import unwrap_msg

from tracker.capture.idle import IDLE_MONITOR

REMOTE_DESKTOP = "org.gnome.Mutter.RemoteDesktop"
# evdev keycode of the left Shift: alone, it types nothing (a letter would start a search in
# gnome-shell's overview, over the background a screenshot test looks at)
SHIFT = 42


class Mutter:
    """A mutter on the session bus at ``bus_address``; ``press`` types a key through RemoteDesktop,
    ``remote`` sends any of its input (its session lasts as long as the connection)."""

    def __init__(self, bus_address: str) -> None:
        self.bus_address = bus_address
        self.connection: DBusConnection = open_dbus_connection(bus_address)
        self._session: DBusAddress | None = None

    def call(
        self, address: DBusAddress, method: str, signature: str | None = None, body: tuple = ()
    ) -> tuple:
        message = new_method_call(address, method, signature, body)
        return unwrap_msg(self.connection.send_and_get_reply(message, timeout=5))

    def idle_seconds(self) -> float:
        return self.call(IDLE_MONITOR, "GetIdletime")[0] / 1000

    def press(self) -> None:
        for pressed in (True, False):
            self.remote("NotifyKeyboardKeycode", "ub", (SHIFT, pressed))

    def remote(self, method: str, signature: str, body: tuple) -> None:
        """Input through a RemoteDesktop session, started at the first call."""
        if self._session is None:
            remote = DBusAddress("/org/gnome/Mutter/RemoteDesktop", REMOTE_DESKTOP, REMOTE_DESKTOP)
            (path,) = self.call(remote, "CreateSession")
            self._session = DBusAddress(path, REMOTE_DESKTOP, f"{REMOTE_DESKTOP}.Session")
            self.call(self._session, "Start")
        self.call(self._session, method, signature, body)


if __name__ == "__main__":
    mutter = Mutter(os.environ["DBUS_SESSION_BUS_ADDRESS"])
    mutter.press()
    mutter.connection.close()
