"""Small shared pieces of the Work Diary's widgets: how times read, and colours that stay readable
in light and dark palettes."""

from __future__ import annotations

from datetime import datetime, tzinfo

from PySide6.QtGui import QColor, QPalette

from tracker.errors import NotFound, RuleViolation, StorageProblem

# What the core may refuse with a message written for the user.
USER_ERRORS = (RuleViolation, NotFound, StorageProblem)


def hm(seconds: int) -> str:
    """A duration as the Work Diary shows it: 7:05 (hours, minutes; seconds dropped)."""
    minutes = max(int(seconds), 0) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


def spoken_hm(seconds: int) -> str:
    """The same for screen readers: '7 hours 5 minutes'."""
    minutes = max(int(seconds), 0) // 60
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes or not hours:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


def clock_text(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def dot_color(palette: QPalette) -> QColor:
    """The calendar's blue dot: a deep blue on light bases, a light blue on dark ones (both ≥ 4.5:1)."""
    return QColor("#8cc4ff") if is_dark(palette) else QColor("#1a56b8")


def meter_colors(palette: QPalette) -> tuple[QColor, QColor]:
    """The activity meter's active and idle bars."""
    if is_dark(palette):
        return QColor("#6fd08c"), mix(
            palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base), 0.3
        )
    return QColor("#1f7a3a"), mix(
        palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base), 0.22
    )


def warning_color(palette: QPalette) -> QColor:
    """Error and warning text: dark red on light, salmon on dark."""
    return QColor("#ff9b8f") if is_dark(palette) else QColor("#a4161a")


def mix(a: QColor, b: QColor, share_of_a: float) -> QColor:
    share_of_b = 1.0 - share_of_a
    return QColor.fromRgbF(
        a.redF() * share_of_a + b.redF() * share_of_b,
        a.greenF() * share_of_a + b.greenF() * share_of_b,
        a.blueF() * share_of_a + b.blueF() * share_of_b,
    )
