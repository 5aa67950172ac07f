"""Small widgets of the main window: the 10-bar activity meter and the message bar."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from common.rules import METER_BARS, meter_bars
from ui.theme import accent, is_dark, mix, warning_color


class ActivityMeter(QWidget):
    """The current block's activity: 10 bars rising left to right, the active share filled."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bars = 0
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Activity meter")
        self.set_level(0, 0)

    @property
    def bars(self) -> int:
        return self._bars

    def set_level(self, active_minutes: int, minutes_tracked: int) -> None:
        bars = meter_bars(active_minutes, minutes_tracked)
        self.setAccessibleDescription(
            f"{bars} of {METER_BARS} bars: {active_minutes} of {minutes_tracked} minutes active"
            if minutes_tracked
            else "No activity yet in this block"
        )
        if bars != self._bars:
            self._bars = bars
            self.update()

    def sizeHint(self) -> QSize:
        return QSize(120, 18)

    def paintEvent(self, event) -> None:
        palette = self.palette()
        filled = accent(palette)
        empty = mix(
            palette.color(QPalette.ColorRole.WindowText),
            palette.color(QPalette.ColorRole.Window),
            0.3 if is_dark(palette) else 0.22,
        )
        gap = 2
        width = (self.width() - gap * (METER_BARS - 1)) / METER_BARS
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(Qt.PenStyle.NoPen)
        for bar in range(METER_BARS):
            height = self.height() * (0.4 + 0.6 * (bar + 1) / METER_BARS)
            painter.setBrush(filled if bar < self._bars else empty)
            painter.drawRect(QRectF(bar * (width + gap), self.height() - height, width, height))
        painter.end()


class MessageBar(QFrame):
    """A dismissable line at the top of a window for what the user must read: a refused command,
    a missing permission, a failed save. Colours come from the palette, so it reads in light and
    dark themes."""

    dismissed = Signal()

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setAccessibleName(f"{name.replace('-', ' ').capitalize()}")
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Dismiss this message")
        self.close_button.setAccessibleName("Dismiss message")
        self.close_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 4, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def text(self) -> str:
        return self.label.text() if self.isVisibleTo(self.parentWidget()) else ""

    def show_message(self, text: str) -> None:
        palette = self.palette()
        base = QPalette().color(QPalette.ColorRole.Window)
        warning = warning_color(palette)
        palette.setColor(QPalette.ColorRole.Window, mix(warning, base, 0.14))
        palette.setColor(QPalette.ColorRole.WindowText, QPalette().color(QPalette.ColorRole.WindowText))
        self.setPalette(palette)
        self.label.setText(text)
        self.setAccessibleDescription(text)
        self.show()

    def dismiss(self) -> None:
        self.hide()
        self.dismissed.emit()
