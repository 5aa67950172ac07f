"""The small dialogs of the app: the idle question and the memo.

They report through signals and never block (``open()``/``show()``, no nested event loops), so
the tracker keeps ticking behind them and tests drive them as a user would. The screenshot review
is in ``ui/review.py``, the settings in ``ui/settings_dialog.py``.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from common.states import IdleDecision
from common.timetext import clock_text, minutes_text
from common.wire import MAX_MEMO_CHARS
from ui.theme import APP_NAME, app_icon, muted, set_text_color


class IdleDialog(QDialog):
    """“You were away from 14:02 to 14:31 (29 min)”: keep the time, discard it, or discard it and
    stop. Discard is the default. Closing the dialog answers nothing: the engine's own timeout
    (discard and stop) decides then."""

    answered = Signal(str)  # an IdleDecision

    def __init__(
        self,
        since: datetime,
        returned_at: datetime,
        zone: tzinfo,
        timeout_minutes: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("idle-dialog")
        self.setWindowTitle(f"You were away — {APP_NAME}")
        self.setWindowIcon(app_icon())
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.since, self.returned_at = since, returned_at
        away = minutes_text((returned_at - since).total_seconds())
        self.span_text = (
            f"You were away from {clock_text(since, zone)} to {clock_text(returned_at, zone)} ({away})."
        )
        heading = QLabel(self.span_text, self)
        heading.setObjectName("idle-span")
        heading.setWordWrap(True)
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        explanation = QLabel(
            "No keyboard or mouse input was seen in that time. Keep it as worked time, discard it, "
            f"or discard it and stop tracking. Without an answer within {timeout_minutes} min, it is "
            "discarded and tracking stops.",
            self,
        )
        explanation.setWordWrap(True)
        set_text_color(explanation, muted)

        self.keep_button = QPushButton("&Keep the time", self)
        self.keep_button.setAccessibleName("Keep the idle time")
        self.discard_button = QPushButton("&Discard it", self)
        self.discard_button.setAccessibleName("Discard the idle time")
        self.stop_button = QPushButton("Discard and &stop", self)
        self.stop_button.setAccessibleName("Discard the idle time and stop tracking")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button, decision in (
            (self.keep_button, IdleDecision.KEEP),
            (self.discard_button, IdleDecision.DISCARD),
            (self.stop_button, IdleDecision.DISCARD_AND_STOP),
        ):
            button.setAutoDefault(False)
            button.clicked.connect(lambda _checked=False, d=decision: self._answer(d))
            buttons.addWidget(button)
        self.discard_button.setDefault(True)
        self.discard_button.setFocus()

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(explanation)
        layout.addLayout(buttons)
        self.setAccessibleName("You were away")
        self.setAccessibleDescription(self.span_text)
        self.setMinimumWidth(460)

    def _answer(self, decision: IdleDecision) -> None:
        self.answered.emit(decision)
        self.accept()


class MemoDialog(QDialog):
    """What you are working on: the memo stamped on the blocks from now on."""

    memo_entered = Signal(str)

    def __init__(self, memo: str, tracking: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("memo-dialog")
        self.setWindowTitle(f"Memo — {APP_NAME}")
        self.setWindowIcon(app_icon())
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.edit = QLineEdit(memo, self)
        self.edit.setMaxLength(MAX_MEMO_CHARS)
        self.edit.setPlaceholderText("What are you working on?")
        self.edit.setAccessibleName("Memo")
        self.edit.selectAll()
        label = QLabel("&What are you working on?", self)
        label.setBuddy(self.edit)
        hint = QLabel(
            "It is stamped on the time blocks from now on."
            if tracking
            else "It is used when you start tracking.",
            self,
        )
        set_text_color(hint, muted)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.edit)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def _accept(self) -> None:
        self.memo_entered.emit(self.edit.text().strip())
        self.accept()


def ok_cancel_buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    """A dialog's OK (named for what it does) and Cancel buttons, accepting or rejecting it."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons
