"""Reviewing a screenshot before it leaves the computer: every monitor's image, "Redact all",
drag a rectangle to blur just that area, or delete the screenshot (and its block's time).

Redacting and deleting run as operations (ui/operations.py) under the Work Diary's rules, off the
GUI thread (a redaction re-encodes every image); both are irreversible and confirmed first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, tzinfo

from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from common.timetext import clock_text, day_clock_text, minutes_text
from tracker.diary import Diary
from ui.message_boxes import ask
from ui.operations import Operations, delete_screenshot
from ui.shots import Image, ShotFacts, image_details, screenshot_facts
from ui.theme import APP_NAME, app_icon, muted, set_text_color, warning_color

log = logging.getLogger(__name__)

VIEW_SIZE = QSize(880, 495)  # the largest a monitor's image is shown in the dialog
MIN_SELECTION = 4  # px on screen: a smaller drag is a click, not a selection


class RegionView(QWidget):
    """One monitor's image, scaled to fit; drag to select a rectangle (shown over the image)."""

    selection_changed = Signal()

    def __init__(self, image: Image, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info = image
        self.image = QImage()
        self._origin: QPoint | None = None
        self._selection = QRect()
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(f"Screenshot of monitor {image.monitor}")
        self.setAccessibleDescription("Drag across the picture to select an area to blur")
        self.reload()

    def reload(self) -> None:
        """Read the file again (after a redaction) and forget the selection."""
        self.image = QImage(str(self.info.path))
        size = self.image.size() if not self.image.isNull() else QSize(self.info.width, self.info.height)
        self.setFixedSize(size.scaled(VIEW_SIZE, Qt.AspectRatioMode.KeepAspectRatio))
        self.clear_selection()
        self.update()

    def scale(self) -> float:
        return self.width() / max(self.image.width(), 1)

    def clear_selection(self) -> None:
        if not self._selection.isNull():
            self._selection = QRect()
            self.update()
            self.selection_changed.emit()

    def selection(self) -> QRect:
        """The selected rectangle on screen (empty when nothing is selected)."""
        return QRect(self._selection)

    def selection_in_image(self) -> tuple[int, int, int, int] | None:
        """The selection in the image's own pixels: (x, y, width, height), inside the image."""
        if self._selection.width() < MIN_SELECTION or self._selection.height() < MIN_SELECTION:
            return None
        factor = self.scale()
        area = QRectF(
            self._selection.x() / factor,
            self._selection.y() / factor,
            self._selection.width() / factor,
            self._selection.height() / factor,
        ).toAlignedRect()
        area = area.intersected(self.image.rect())
        return None if area.isEmpty() else (area.x(), area.y(), area.width(), area.height())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._origin = event.position().toPoint()
            self._selection = QRect()
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._origin is not None:
            self._selection = QRect(self._origin, event.position().toPoint()).normalized() & self.rect()
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._origin is not None and event.button() == Qt.MouseButton.LeftButton:
            self._selection = QRect(self._origin, event.position().toPoint()).normalized() & self.rect()
            self._origin = None
            if self.selection_in_image() is None:
                self._selection = QRect()
            self.update()
            self.selection_changed.emit()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        if self.image.isNull():
            painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "The image cannot be read.")
        else:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(self.rect(), self.image)
        if not self._selection.isNull():
            highlight = self.palette().color(QPalette.ColorRole.Highlight)
            fill = QColor(highlight)
            fill.setAlpha(70)
            painter.fillRect(self._selection, fill)
            painter.setPen(QPen(highlight, 2, Qt.PenStyle.DashLine))
            painter.drawRect(self._selection.adjusted(0, 0, -1, -1))
        painter.end()


class ScreenshotReview(QDialog):
    """The review of one screenshot; it closes once the screenshot is deleted. A refused
    redaction or deletion is shown in the dialog."""

    def __init__(
        self,
        diary: Diary,
        operations: Operations,
        screenshot_id: str,
        now: Callable[[], datetime],
        zone: tzinfo,
        hold_minutes: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.diary = diary
        self.operations = operations
        self.screenshot_id = screenshot_id
        self.now = now
        self.zone = zone
        self.hold_minutes = hold_minutes
        self.facts: ShotFacts | None = None
        self.views: list[RegionView] = []
        self.setObjectName("screenshot-review")
        self.setWindowTitle(f"Review screenshot — {APP_NAME}")
        self.setWindowIcon(app_icon())
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setAccessibleName("Review screenshot")
        self._build()
        self.reload()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.heading = QLabel(self)
        self.heading.setObjectName("review-heading")
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.hold_label = QLabel(self)
        self.hold_label.setObjectName("hold")
        self.hold_label.setWordWrap(True)
        self.hold_label.setAccessibleName("Hold period")
        self.note_label = QLabel(self)
        self.note_label.setWordWrap(True)
        self.note_label.setAccessibleName("Note")
        set_text_color(self.note_label, muted)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("review-error")
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName("Error")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_text_color(self.error_label, warning_color)
        self.error_label.hide()
        self.images = QWidget(self)
        self.images_layout = QVBoxLayout(self.images)
        self.images_layout.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea(self)
        self.scroll.setWidget(self.images)
        self.scroll.setWidgetResizable(True)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.hint = QLabel("Drag across a picture to select an area, then “Redact selected area”.", self)
        set_text_color(self.hint, muted)

        self.redact_all_button = QPushButton("Redact &all…", self)
        self.redact_all_button.setAccessibleName("Redact all")
        self.redact_all_button.setToolTip("Blur every monitor's image for good; the time stays paid")
        self.redact_area_button = QPushButton("&Redact selected area…", self)
        self.redact_area_button.setAccessibleName("Redact selected area")
        self.redact_area_button.setEnabled(False)
        self.delete_button = QPushButton("&Delete…", self)
        self.delete_button.setAccessibleName("Delete screenshot")
        self.delete_button.setToolTip("Delete the screenshot; its block's time goes too")
        self.close_button = QPushButton("&Close", self)
        self.close_button.setAccessibleName("Close")
        self.redact_all_button.clicked.connect(self._redact_all_clicked)
        self.redact_area_button.clicked.connect(self._redact_area_clicked)
        self.delete_button.clicked.connect(self._delete_clicked)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        for button in (self.redact_all_button, self.redact_area_button, self.delete_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        self.close_button.setDefault(True)

        layout.addWidget(self.heading)
        layout.addWidget(self.hold_label)
        layout.addWidget(self.note_label)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.hint)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)

    # ----- state

    def reload(self) -> None:
        """Re-read the screenshot: its images, its block's state, the hold period."""
        self.facts = facts = screenshot_facts(self.diary, self.screenshot_id)
        self.views = []
        while self.images_layout.count():
            widget = self.images_layout.takeAt(0).widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        if facts is None:
            self.heading.setText("This screenshot was deleted.")
            for widget in (self.hold_label, self.note_label, self.hint):
                widget.hide()
            for button in (self.redact_all_button, self.redact_area_button, self.delete_button):
                button.setEnabled(False)
            return
        now = self.now()
        redacted = " (redacted)" if facts.redacted else ""
        self.heading.setText(
            f"Screenshot taken at {day_clock_text(facts.taken_at, self.zone, now)} on "
            f"“{facts.contract_title}”{redacted} — block "
            f"{clock_text(facts.block_start, self.zone)}–{clock_text(facts.block_end, self.zone)}"
        )
        hold_until = facts.hold_until(self.hold_minutes)
        if now < hold_until:
            self.hold_label.setText(
                f"Held for your review until {clock_text(hold_until, self.zone)} "
                f"({minutes_text((hold_until - now).total_seconds())} left): blur what should not be "
                "seen, or delete it."
            )
        else:
            self.hold_label.setText(
                f"The hold period ended at {clock_text(hold_until, self.zone)}. You can still redact or "
                "delete it while its work week is editable, as in the Work Diary."
            )
        notes = [facts.capture_note] if facts.capture_note else []
        if facts.block_open:
            notes.append("Its time block is being tracked: deleting it removes the block's time so far.")
        self.note_label.setText("\n".join(notes))
        self.note_label.setVisible(bool(notes))
        for image in facts.images:
            caption = QLabel(f"Monitor {image.monitor} · {image_details(image)}", self.images)
            caption.setObjectName("image-details")
            self.images_layout.addWidget(caption)
            view = RegionView(image, self.images)
            view.selection_changed.connect(lambda v=view: self._selection_changed(v))
            self.images_layout.addWidget(view, 0, Qt.AlignmentFlag.AlignHCenter)
            self.views.append(view)
        self.images_layout.addStretch(1)
        self.redact_area_button.setEnabled(False)
        height = sum(view.height() + 28 for view in self.views)  # each with its caption
        self.scroll.setMinimumSize(VIEW_SIZE.width() + 24, min(height + 4, VIEW_SIZE.height() + 24))

    def _selection_changed(self, source: RegionView) -> None:
        if source.selection_in_image() is not None:
            for view in self.views:  # one area at a time, on one monitor
                if view is not source:
                    view.clear_selection()
        selected = any(view.selection_in_image() is not None for view in self.views)
        self.redact_area_button.setEnabled(selected and self.facts is not None)

    def selected_area(self) -> tuple[int, tuple[int, int, int, int]] | None:
        for view in self.views:
            area = view.selection_in_image()
            if area is not None:
                return view.info.monitor, area
        return None

    # ----- actions (confirmed first: they cannot be undone)

    def _redact_all_clicked(self) -> None:
        ask(
            self,
            "Redact the whole screenshot?",
            "Every monitor's image is blurred for good. This cannot be undone.",
            "&Redact all",
            lambda: self._redact(None, None),
            informative="The block keeps its time and is marked as redacted, so the client sees that it was.",
            name="confirm-redact",
        )

    def _redact_area_clicked(self) -> None:
        selected = self.selected_area()
        if selected is None:
            return
        monitor, area = selected
        ask(
            self,
            "Redact the selected area?",
            "The selected area is blurred for good. This cannot be undone.",
            "&Redact area",
            lambda: self._redact(monitor, area),
            informative="The block keeps its time and is marked as redacted, so the client sees that it was.",
            name="confirm-redact",
        )

    def _delete_clicked(self) -> None:
        facts = self.facts
        if facts is None:
            return
        span = f"{clock_text(facts.block_start, self.zone)}–{clock_text(facts.block_end, self.zone)}"
        ask(
            self,
            "Delete the screenshot and its time?",
            f"Deleting the screenshot also removes its time block ({span}, "
            f"{minutes_text(facts.block_seconds)}) from your time: clients pay for time with screenshots.",
            "&Delete screenshot and time",
            self._delete,
            informative="This cannot be undone. To hide what is on it and keep the time, redact it instead.",
            name="confirm-delete",
        )

    def _redact(self, monitor: int | None, area: tuple[int, int, int, int] | None) -> None:
        screenshot_id = self.screenshot_id
        self.operations.edit(
            self,
            lambda context: context.diary.redact_screenshot(
                screenshot_id, context.now, monitor=monitor, region=area
            ),
            lambda _: self._redacted("area" if area else "all"),
            self._show_error,
        )

    def _redacted(self, what: str) -> None:
        log.info("screenshot %s redacted (%s)", self.screenshot_id, what)
        self.error_label.hide()
        self.reload()

    def _delete(self) -> None:
        log.info("screenshot %s to be deleted with its block", self.screenshot_id)
        self.operations.edit(
            self,
            delete_screenshot(self.screenshot_id),
            lambda _: self.accept(),
            self._show_error,
            engine=True,
        )

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
