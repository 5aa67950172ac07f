"""The app's windows besides the main one, one of each at a time: the Work Diary, the screenshot
review, the idle question, the tray's memo dialog and the settings; and a workroom per contract.
Each is made when first asked for (its module imported then: start-up stays light) and closed
with the app."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, tzinfo

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from tracker import engine as events
from tracker.diary import Diary
from tracker.logged import Running
from tracker.settings import Settings
from ui.operations import Operations
from ui.sync_thread import SyncService
from ui.theme import app_icon

log = logging.getLogger(__name__)


def present(widget: QWidget) -> None:
    widget.show()
    widget.raise_()
    widget.activateWindow()


class Dialogs(QObject):
    """Opens, brings forward and closes the app's dialogs and the Work Diary window.

    Signals:
        idle_answered(str): the idle question's answer (keep, discard, discard_and_stop).
        memo_entered(str): a memo given in the memo dialog.
    """

    idle_answered = Signal(str)
    memo_entered = Signal(str)

    def __init__(
        self,
        diary: Diary,
        operations: Operations,
        now: Callable[[], datetime],
        zone: tzinfo,
        settings: Callable[[], Settings],
        service: SyncService | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._diary = diary
        self._operations = operations
        self._now = now
        self._zone = zone
        self._settings = settings
        self.diary_window: QWidget | None = None
        self.review_dialog = None
        self.idle_dialog = None
        self.memo_dialog = None
        self.settings_dialog = None
        self.workrooms: dict[str, QWidget] = {}  # by contract id: one window per contract

    def open_diary(self, contract_id: str | None) -> None:
        """Raises ImportError when this build has no Work Diary."""
        if self.diary_window is None:
            from ui.diary import WorkDiaryWindow

            self.diary_window = WorkDiaryWindow(
                self._diary, self._now, self._operations, contract_id=contract_id
            )
            self.diary_window.setWindowIcon(app_icon())
            self.diary_window.workroom_requested.connect(self.open_workroom)
        else:
            if contract_id is not None:
                self.diary_window.set_contract(contract_id)
            self.diary_window.refresh()
        present(self.diary_window)

    def diary_shown(self) -> QWidget | None:
        """The Work Diary window when it is on screen."""
        window = self.diary_window
        return window if window is not None and window.isVisible() else None

    def open_workroom(self, contract_id: str, tab: str | None = None) -> None:
        """The contract's workroom, on the tab named (else as it was)."""
        if (window := self.workrooms.get(contract_id)) is None:
            from ui.workroom import WorkroomWindow

            window = WorkroomWindow(contract_id, self._operations, self._now, self._zone, self._service)
            window.setWindowIcon(app_icon())
            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            window.diary_requested.connect(self.open_diary)
            window.destroyed.connect(lambda: self.workrooms.pop(contract_id, None))
            self.workrooms[contract_id] = window
        if tab is not None:
            window.show_tab(tab)
        present(window)

    def follow_running(self, running: Running | None) -> None:
        """The block being tracked went on: the open views count it to the second."""
        if (window := self.diary_shown()) is not None:
            window.follow_running()
        for workroom in self.workrooms.values():
            workroom.follow_running(running)

    def refresh_workrooms(self) -> None:
        """The open workrooms read their copies again (a sync pass may have changed them)."""
        for window in self.workrooms.values():
            window.refresh()

    def open_review(self, screenshot_id: str) -> None:
        from ui.review import ScreenshotReview

        if self.review_dialog is not None:
            self.review_dialog.close()
        self.review_dialog = dialog = ScreenshotReview(
            self._diary, self._operations, screenshot_id, self._now, self._zone, self._settings().hold_minutes
        )
        dialog.destroyed.connect(lambda: setattr(self, "review_dialog", None))
        present(dialog)

    def block_closed(self) -> None:
        """The Work Diary, the review and the workrooms show the block as closed (and the next one)."""
        if (window := self.diary_shown()) is not None:
            window.refresh()
        if self.review_dialog is not None:
            self.review_dialog.reload()
        self.refresh_workrooms()

    def ask_idle(self, question: events.IdleQuestion) -> None:
        from ui.dialogs import IdleDialog

        if self.idle_dialog is not None:
            self.idle_dialog.close()
        self.idle_dialog = dialog = IdleDialog(
            question.since, question.returned_at, self._zone, self._settings().idle_answer_minutes
        )
        dialog.answered.connect(self.idle_answered)
        dialog.destroyed.connect(lambda: setattr(self, "idle_dialog", None))
        present(dialog)

    def idle_resolved(self) -> None:
        """The question was answered elsewhere (or timed out): it goes."""
        if self.idle_dialog is not None:
            self.idle_dialog.close()

    def edit_memo(self, memo: str, tracking: bool) -> None:
        from ui.dialogs import MemoDialog

        if self.memo_dialog is not None:
            self.memo_dialog.close()
        self.memo_dialog = dialog = MemoDialog(memo, tracking)
        dialog.memo_entered.connect(self.memo_entered)
        dialog.destroyed.connect(lambda: setattr(self, "memo_dialog", None))
        present(dialog)

    def open_settings(self, apply: Callable[[Settings], None], account) -> None:
        """``account``: what the dialog signs in and out with (ui.settings_dialog.Account)."""
        from ui.settings_dialog import SettingsDialog

        if self.settings_dialog is None:
            self.settings_dialog = dialog = SettingsDialog(self._settings(), apply, account)
            dialog.destroyed.connect(lambda: setattr(self, "settings_dialog", None))
        present(self.settings_dialog)

    def close_all(self) -> None:
        for widget in (
            self.idle_dialog,
            self.review_dialog,
            self.settings_dialog,
            self.memo_dialog,
            self.diary_window,
            *self.workrooms.values(),
        ):
            if widget is not None:
                widget.close()
