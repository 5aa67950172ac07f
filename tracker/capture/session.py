"""Which desktop session the tracker runs in, from the environment the session gives its apps.

A Wayland session counts as Wayland even where XWayland sets ``DISPLAY`` as well: an X client of
XWayland sees only the other X clients' windows, never the whole desktop, and gets no input events
from Wayland windows.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass

X11, WAYLAND, WINDOWS, MACOS, NONE = "x11", "wayland", "windows", "macos", ""
# XDG_CURRENT_DESKTOP names of compositors built on wlroots (they have wlr-screencopy, which grim uses)
WLROOTS_DESKTOPS = frozenset({"sway", "hyprland", "river", "wayfire", "labwc", "niri", "dwl", "qtile"})


@dataclass(frozen=True)
class Session:
    kind: str  # X11, WAYLAND, WINDOWS, MACOS or NONE (a Linux process outside any desktop session)
    desktops: tuple[str, ...] = ()  # XDG_CURRENT_DESKTOP, lower case, most specific first

    @property
    def is_gnome(self) -> bool:
        return "gnome" in self.desktops

    @property
    def is_wlroots(self) -> bool:
        return not WLROOTS_DESKTOPS.isdisjoint(self.desktops)


def detect_session(environ: Mapping[str, str] = os.environ, platform: str = sys.platform) -> Session:
    if platform == "win32":
        return Session(WINDOWS)
    if platform == "darwin":
        return Session(MACOS)
    desktops = tuple(name.lower() for name in environ.get("XDG_CURRENT_DESKTOP", "").split(":") if name)
    session_type = environ.get("XDG_SESSION_TYPE", "").lower()
    if environ.get("WAYLAND_DISPLAY") or session_type == WAYLAND:
        return Session(WAYLAND, desktops)
    if environ.get("DISPLAY") or session_type == X11:
        return Session(X11, desktops)
    return Session(NONE, desktops)
