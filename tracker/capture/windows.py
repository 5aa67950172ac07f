"""The windows on the screen, for the private-apps list (Settings): a screenshot is not taken while
a window whose class or title contains an entry of the list is shown.

On X11 the shown windows are the window manager's clients that are not minimized (EWMH
``_NET_CLIENT_LIST``), or without a window manager the mapped top-level windows; on sway, the views
its IPC tree marks visible (``sway.py``). Elsewhere they cannot be listed.
"""

from __future__ import annotations

import contextlib
import sys
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from common.errors import EnvironmentProblem

if TYPE_CHECKING:
    from Xlib.display import Display

DEFAULT_PRIVATE_APPS = ("KeePassXC", "KeePass", "1Password", "Bitwarden", "Enpass", "LastPass")


@dataclass(frozen=True)
class Window:
    app: str  # the window's class (X11 WM_CLASS: instance and class names)
    title: str


def private_on_screen(windows: Iterable[Window], private_apps: Iterable[str]) -> str:
    """The first entry of `private_apps` found (any case) in a shown window's class or title."""
    names = [f"{window.app}\n{window.title}".casefold() for window in windows]
    for entry in private_apps:
        needle = entry.strip().casefold()
        if needle and any(needle in name for name in names):
            return entry.strip()
    return ""


class ShownWindows(Protocol):
    def shown(self) -> list[Window] | None:
        """The windows shown on the screen; None where they cannot be listed."""
        ...


def private_app_shown(lister: ShownWindows, private_apps: Iterable[str], fix: str) -> str | None:
    """The entry of `private_apps` shown on the screen ("" for none); None where the windows cannot
    be listed. Raises EnvironmentProblem (with ``fix``) when listing them fails: no screenshot then,
    as it might show a private app."""
    try:
        windows = lister.shown()
    except Exception as error:  # python-xlib raises its own classes, not OSError
        raise EnvironmentProblem(
            f"Screenshots cannot be taken: the windows on the screen could not be listed to leave "
            f"out private apps ({type(error).__name__}: {error}).",
            fix,
        ) from error
    return None if windows is None else private_on_screen(windows, private_apps)


class WindowLister:
    """Lists the windows shown on the screen over one X connection, opened at the first call (and
    again after an error) and closed with the lister: opening one takes some 8 ms, a listing less
    than 1 ms."""

    def __init__(self) -> None:
        self._connection: Display | None = None
        self._closer: weakref.finalize | None = None

    def shown(self) -> list[Window] | None:
        """The windows shown on the screen; None where they cannot be listed."""
        if sys.platform in ("win32", "darwin"):
            return None
        if self._connection is None:
            from Xlib import display

            self._connection = display.Display()
            self._closer = weakref.finalize(self, _close, self._connection)
        try:
            return _shown(self._connection)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self._closer is not None:
            self._closer()  # closes the connection once, whoever calls first
        self._connection = self._closer = None


def _close(connection) -> None:
    from Xlib import error

    with contextlib.suppress(error.ConnectionClosedError, OSError):  # broken already: nothing to close
        connection.close()


def _shown(connection) -> list[Window]:
    from Xlib import X, error

    root = connection.screen().root
    atom = connection.intern_atom
    clients = root.get_full_property(atom("_NET_CLIENT_LIST"), X.AnyPropertyType)
    if clients is not None:
        candidates = [connection.create_resource_object("window", number) for number in clients.value]
    else:
        children = root.query_tree().children
        candidates = [window for window in children if window.get_attributes().map_state == X.IsViewable]
    shown = []
    for window in candidates:
        try:
            state = window.get_full_property(atom("_NET_WM_STATE"), X.AnyPropertyType)
            if state is not None and atom("_NET_WM_STATE_HIDDEN") in state.value:
                continue  # minimized
            name = window.get_full_property(atom("_NET_WM_NAME"), atom("UTF8_STRING"))
            title = name.value.decode("utf-8", "replace") if name else str(window.get_wm_name() or "")
            shown.append(Window(" ".join(window.get_wm_class() or ()), title))
        except error.XError:  # closed meanwhile
            continue
    return shown
