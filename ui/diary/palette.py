"""Small shared pieces of the Work Diary's widgets: the errors it shows, and its own colours
(the calendar's dot, the activity meter), readable in light and dark palettes. Times and the
other colours come from ``ui.theme``."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

from common.errors import NotFound, RuleViolation, StorageProblem
from ui.theme import mix

# What the core may refuse with a message written for the user.
USER_ERRORS = (RuleViolation, NotFound, StorageProblem)


def on_dark_base(palette: QPalette) -> bool:
    """The dot and the meter are drawn on the Base colour (cells), not the Window colour."""
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def dot_color(palette: QPalette) -> QColor:
    """The calendar's blue dot: a deep blue on light bases, a light blue on dark ones (both ≥ 4.5:1)."""
    return QColor("#8cc4ff") if on_dark_base(palette) else QColor("#1a56b8")


def meter_colors(palette: QPalette) -> tuple[QColor, QColor]:
    """The activity meter's active and idle bars."""
    if on_dark_base(palette):
        return QColor("#6fd08c"), mix(
            palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base), 0.3
        )
    return QColor("#1f7a3a"), mix(
        palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base), 0.22
    )
