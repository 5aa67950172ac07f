"""Capture adapters: input activity (pynput) and screenshots (mss), behind small interfaces.

The real adapters import pynput and mss lazily: where there is no display or no permission they
raise ``EnvironmentProblem`` saying what is missing and what to do, and the tracker keeps going
without them. Tests use the fakes in ``tests/helpers``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from common.errors import WorkdiaryError

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
    """The screen capturer the settings ask for (monitors, format, private apps); JPEG when the
    chosen format's codec is missing, as JPEG always works."""
    monitors = list(settings.screenshot_monitors) or None
    try:
        return session_capturer(monitors, settings.screenshot_format, settings.private_apps)
    except WorkdiaryError as problem:
        log.warning("%s; using JPEG", problem)
        return session_capturer(monitors, "jpeg", settings.private_apps)


def session_capturer(monitors: list[int] | None, fmt: str, private_apps: tuple[str, ...]) -> ScreenCapturer:
    """mss where it can read the screen; in a Wayland session, the desktop portal (or grim)."""
    from tracker.capture.session import WAYLAND, detect_session

    session = detect_session()
    if session.kind == WAYLAND:
        from tracker.capture.portal import PortalCapturer

        return PortalCapturer(session, fmt, private_apps=private_apps)
    from tracker.capture.screen import MssCapturer

    return MssCapturer(monitors, fmt, private_apps=private_apps)


def make_input() -> InputSource:
    from tracker.capture.input import PynputInputSource

    return PynputInputSource()
