"""Capture adapters: input activity (pynput, or the compositor's idle time) and screenshots (mss,
or the desktop portal), behind small interfaces.

The real adapters import pynput and mss lazily: where there is no display or no permission they
raise ``EnvironmentProblem`` saying what is missing and what to do, and the tracker keeps going
without them. Tests use the fakes in ``tests/helpers``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from common.errors import EnvironmentProblem, WorkdiaryError

if TYPE_CHECKING:
    from tracker.settings import Settings

log = logging.getLogger(__name__)


class InputSource(Protocol):
    """Counts keyboard and mouse events; never records which keys or where."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def counts(self) -> tuple[int, int]:
        """Keyboard and mouse events since ``start``, cumulative (the reader takes differences)."""
        ...


@runtime_checkable
class IdleTimeSource(Protocol):
    """Whether there was input, never how much: what a Wayland compositor tells of the user's idle
    time (``ext_idle_notifier_v1``, ``org_kde_kwin_idle``, Mutter's IdleMonitor). Blocks tracked
    with it have active seconds and no keyboard or mouse counts (``ActivitySource.IDLE_TIME``)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def input_since_last_read(self) -> bool:
        """Whether the compositor saw keyboard or mouse input since the last call (or ``start``).
        Read once a tick: a backend with an idle notification of about a second's timeout answers
        "not idle now, or resumed since"; one that polls the idle time answers "idle for less than
        the time since the last read"."""
        ...

    def screen_locked(self) -> bool:
        """The screen is locked, where the compositor says so (False where it cannot tell)."""
        ...


# What the engine takes its activity from: counted events, or the compositor's idle time.
ActivityInput = InputSource | IdleTimeSource


@dataclass(frozen=True)
class CapturedImage:
    monitor: int  # 1-based, as mss numbers them
    path: Path
    thumbnail_path: Path
    sha256: str  # of the file at ``path``
    size_bytes: int
    width: int
    height: int


@dataclass(frozen=True)
class Capture:
    images: list[CapturedImage]  # empty: no screenshot (why: ``note`` or ``private_app``)
    note: str = ""  # set when the grab looks wrong (all black or uniform) or failed: the likely cause
    private_app: str = ""  # the entry of the private-apps list that was on screen: nothing was grabbed


class ScreenCapturer(Protocol):
    def capture(self, directory: Path, stem: str) -> Capture:
        """Grab the chosen monitors, encode each with a thumbnail, write them owner-only into
        ``directory`` under names starting with ``stem``."""
        ...


def make_capturer(settings: Settings) -> ScreenCapturer:
    """The screen capturer the settings ask for (monitors, format, private apps), in this process."""
    return chosen_capturer(
        list(settings.screenshot_monitors) or None, settings.screenshot_format, settings.private_apps
    )


def chosen_capturer(monitors: list[int] | None, fmt: str, private_apps: tuple[str, ...]) -> ScreenCapturer:
    """The session's capturer; JPEG when the chosen format's codec is missing, as JPEG always works."""
    try:
        return session_capturer(monitors, fmt, private_apps)
    except WorkdiaryError as problem:
        log.warning("%s; using JPEG", problem)
        return session_capturer(monitors, "jpeg", private_apps)


def session_capturer(monitors: list[int] | None, fmt: str, private_apps: tuple[str, ...]) -> ScreenCapturer:
    """mss where it can read the screen; in a Wayland session, the desktop portal (or grim)."""
    from tracker.capture.session import WAYLAND, detect_session

    session = detect_session()
    if session.kind == WAYLAND:
        from tracker.capture.portal import PortalCapturer

        return PortalCapturer(session, monitors, fmt, private_apps=private_apps)
    from tracker.capture.screen import MssCapturer

    return MssCapturer(monitors, fmt, private_apps=private_apps)


def make_input(settings: Settings | None = None) -> ActivityInput:
    """Counted events: from X11's RECORD extension, read in batches, in an X11 session; pynput's
    listeners on Windows and macOS. In a Wayland session, the input devices where the settings ask
    for them and they can be read, else the compositor's idle time: Mutter's IdleMonitor on GNOME,
    the Wayland idle protocol elsewhere (wlroots, KDE)."""
    from tracker.capture.session import MACOS, WAYLAND, WINDOWS, detect_session

    session = detect_session()
    if session.kind == WAYLAND:
        from tracker.capture.idle import MutterIdleTime, WaylandIdleTime

        if settings is not None and settings.count_input_devices:
            from tracker.capture.devices import InputDevices

            devices = InputDevices()
            try:
                devices.check()
                return devices
            except EnvironmentProblem as problem:
                log.warning("%s Activity is taken from the idle time instead.", problem)
        return MutterIdleTime() if session.is_gnome else WaylandIdleTime()
    if session.kind in (WINDOWS, MACOS):
        from tracker.capture.input import PynputInputSource

        return PynputInputSource()
    from tracker.capture.xrecord import X11RecordInput

    return X11RecordInput()
