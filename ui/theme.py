"""The app's look: its name, the icons, and colours that stay readable on light and dark palettes.

Icons are SVG files in ``resources/`` (``ui.resources`` says where they are found once installed or
frozen).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QLabel

from ui.resources import resources_dir

APP_NAME = "Workdiary"

# The tray's states. "unsynced": time waits while the contract service is unreachable, or the
# service set some aside.
IDLE, TRACKING, UNSYNCED, ERROR = "idle", "tracking", "unsynced", "error"


@cache
def icon(name: str) -> QIcon:
    """An icon from ``resources/NAME.svg`` (rendered sharp at every size by Qt's SVG engine)."""
    return QIcon(str(resources_dir() / f"{name}.svg"))


def app_icon() -> QIcon:
    return icon("workdiary")


def tray_icon(state: str, tracking: bool) -> QIcon:
    """The tray icon for a state; error and unsynced keep showing whether time is being tracked."""
    if state in (ERROR, UNSYNCED):
        return icon(f"tray-{state}-tracking" if tracking else f"tray-{state}")
    return icon("tray-tracking" if tracking else "tray-idle")


# ----- colours


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def accent(palette: QPalette) -> QColor:
    """Green for "tracking" and active bars: deep on light palettes, light on dark ones."""
    return QColor("#6fd08c") if is_dark(palette) else QColor("#1f7a3a")


def warning_color(palette: QPalette) -> QColor:
    """Error and warning text: dark red on light palettes, salmon on dark ones (both ≥ 4.5:1)."""
    return QColor("#ff9b8f") if is_dark(palette) else QColor("#a4161a")


def mix(a: QColor, b: QColor, share_of_a: float) -> QColor:
    rest = 1.0 - share_of_a
    return QColor.fromRgbF(
        a.redF() * share_of_a + b.redF() * rest,
        a.greenF() * share_of_a + b.greenF() * rest,
        a.blueF() * share_of_a + b.blueF() * rest,
    )


def muted(palette: QPalette) -> QColor:
    """Secondary text: the text colour blended towards the window (still ≥ 4.5:1)."""
    return mix(palette.color(QPalette.ColorRole.WindowText), palette.color(QPalette.ColorRole.Window), 0.72)


def set_text_color(label: QLabel, color_of: Callable[[QPalette], QColor]) -> None:
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, color_of(palette))
    label.setPalette(palette)
