"""Shared bits of the app's widgets: the icons, how durations and times read, colours that stay
readable on light and dark palettes, and the window-modal question and message boxes.

Icons are SVG files in ``resources/`` at the top of the source tree (``resources_dir`` says where
they are found once installed or frozen).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime, tzinfo
from functools import cache
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

APP_NAME = "Workdiary"

# The tray's states. "unsynced": time waits while the contract service is unreachable, or the
# service set some aside.
IDLE, TRACKING, UNSYNCED, ERROR = "idle", "tracking", "unsynced", "error"


def resources_dir() -> Path:
    """Where the icons are: beside the frozen app (PyInstaller's ``datas`` → ``resources``), in
    the source tree (a checkout, ``pip install -e .``), or under ``share/workdiary`` of the
    installation prefix (a wheel's data-files)."""
    candidates = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates.append(Path(frozen) / "resources")
    candidates.append(Path(__file__).resolve().parent.parent / "resources")
    candidates.append(Path(sys.prefix) / "share" / "workdiary" / "resources")
    for candidate in candidates:
        if (candidate / "workdiary.svg").is_file():
            return candidate
    return candidates[0]


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


# ----- how times read


def hm(seconds: float) -> str:
    """A duration in hours and minutes: 12:40."""
    minutes = max(int(seconds), 0) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


def spoken(seconds: float) -> str:
    """A duration for screen readers: '12 hours 40 minutes'."""
    minutes = max(int(seconds), 0) // 60
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if minutes or not hours:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


def minutes_text(seconds: float) -> str:
    """A span as people say it: '29 min', '1 h 05 min'."""
    minutes = round(max(seconds, 0) / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def clock_text(moment: datetime, zone: tzinfo) -> str:
    """A moment as a local time of day: 14:02."""
    return moment.astimezone(zone).strftime("%H:%M")


def day_clock_text(moment: datetime, zone: tzinfo, now: datetime) -> str:
    """14:02 today, 'Mon 23 Nov 14:02' on another day."""
    local = moment.astimezone(zone)
    if local.date() == now.astimezone(zone).date():
        return local.strftime("%H:%M")
    return local.strftime("%a %d %b %H:%M")


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


# ----- boxes


def ask(
    parent: QWidget | None,
    title: str,
    text: str,
    confirm: str,
    on_confirm: Callable[[], None],
    informative: str = "",
    name: str = "confirm",
) -> QMessageBox:
    """A window-modal question that does not block: ``on_confirm`` runs only if the user picks
    ``confirm``. Cancel is the default, so Enter never destroys anything by accident."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName(name)
    box.setInformativeText(informative)
    yes = box.addButton(confirm, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    yes.setObjectName("confirm-button")
    yes.setAccessibleName(confirm.replace("&", ""))
    cancel.setAccessibleName("Cancel")
    box.setAccessibleName(title)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.finished.connect(lambda _result: on_confirm() if box.clickedButton() is yes else None)
    box.open()
    return box


def tell(parent: QWidget | None, title: str, text: str, name: str = "message") -> QMessageBox:
    """A window-modal warning that does not block."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName(name)
    box.setAccessibleName(title)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
