"""The workroom's dialogs: scheduling a meeting (its start in the user's zone, shown in the
client's too) and submitting work for payment with files. Loaded when first asked for, with the
classes of their widgets, which the window does not need until then."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from common.timetext import local_text
from common.wire import MEETING_MINUTES
from ui.dialogs import ok_cancel_buttons
from ui.workroom.files import FilePicker

if TYPE_CHECKING:
    from ui.workroom import WorkroomWindow


class MeetingDialog(QDialog):
    def __init__(
        self, zone: tzinfo, client_name: str, client_zone: str, now: datetime, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Schedule a meeting")
        self.zone = zone
        self.client_name = client_name
        try:
            self.client_zone: tzinfo | None = ZoneInfo(client_zone)
        except (ZoneInfoNotFoundError, ValueError):
            self.client_zone = None
        form = QFormLayout(self)
        self.title_edit = QLineEdit(self)
        self.title_edit.setAccessibleName("Title")
        self.start_edit = QDateTimeEdit(self)
        self.start_edit.setAccessibleName("Start, in your time zone")
        self.start_edit.setCalendarPopup(True)
        self.start_edit.setDisplayFormat("ddd d MMM yyyy HH:mm")
        next_hour = (now.astimezone(zone) + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
        self.start_edit.setDateTime(
            QDateTime(QDate(next_hour.year, next_hour.month, next_hour.day), QTime(next_hour.hour, 0))
        )
        self.start_edit.dateTimeChanged.connect(self._show_zones)
        self.duration_box = QSpinBox(self)
        self.duration_box.setAccessibleName("Duration in minutes")
        self.duration_box.setRange(*MEETING_MINUTES)
        self.duration_box.setSingleStep(15)
        self.duration_box.setValue(30)
        self.duration_box.setSuffix(" min")
        self.link_edit = QLineEdit(self)
        self.link_edit.setAccessibleName("Join link")
        self.link_edit.setPlaceholderText("https://… (optional)")
        self.zones_label = QLabel(self)
        self.zones_label.setAccessibleName("Start in both time zones")
        form.addRow("&Title:", self.title_edit)
        form.addRow("&Start:", self.start_edit)
        form.addRow("&Duration:", self.duration_box)
        form.addRow("&Join link:", self.link_edit)
        form.addRow(self.zones_label)
        what = QLabel(
            f"The meeting is posted in the thread, with an invitation {client_name} can add to a calendar.",
            self,
        )
        what.setWordWrap(True)
        form.addRow(what)
        form.addRow(ok_cancel_buttons(self, "Schedule"))
        self._show_zones()

    def start(self) -> datetime:
        """The start given, in the user's zone."""
        given = self.start_edit.dateTime()
        day, time = given.date(), given.time()
        return datetime(day.year(), day.month(), day.day(), time.hour(), time.minute(), tzinfo=self.zone)

    def _show_zones(self) -> None:
        start = self.start()
        lines = [f"Your time: {local_text(start, self.zone)} ({self.zone})"]
        if self.client_zone is not None:
            lines.append(
                f"{self.client_name}'s time: {local_text(start, self.client_zone)} ({self.client_zone})"
            )
        self.zones_label.setText("\n".join(lines))


class SubmissionDialog(QDialog):
    """Work submitted for payment: a message to the client about it, and files."""

    def __init__(self, room: WorkroomWindow, milestone: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Submit work for payment")
        layout = QVBoxLayout(self)
        what = QLabel(
            f"Your work on “{milestone}” goes to the client with this message and these files; "
            "approving it pays the milestone.",
            self,
        )
        what.setWordWrap(True)
        layout.addWidget(what)
        layout.addWidget(QLabel("A message to the client about the work:", self))
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setAccessibleName("Message about the work")
        layout.addWidget(self.text_edit)
        self.files = FilePicker(room, self)
        layout.addWidget(self.files)
        layout.addWidget(ok_cancel_buttons(self, "Submit for payment"))

    def text(self) -> str:
        return self.text_edit.toPlainText().strip()
