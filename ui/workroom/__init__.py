"""A contract's workroom window, read from the local copy that sync keeps (``tracker.workroom``)
and written through its outbox, every read and write run by the app's ``Operations`` off the GUI
thread. It opens the same offline and says how fresh the copy is; what is written here shows
"waiting to be sent" until the service takes it, or its refusal. What the copy does not hold (a
report, a file's bytes) is asked of the service through the sync thread (``SyncService.ask``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from common.timetext import local_text
from tracker import workroom
from tracker.logged import Running
from ui.operations import Context, Operations
from ui.sync_thread import Online, SyncService
from ui.workroom.actions import ActionsButton
from ui.workroom.details import DetailsTab
from ui.workroom.messages import MessagesTab
from ui.workroom.overview import OverviewTab
from ui.workroom.shown import WAITING, Shown
from ui.workroom.timesheet import TimesheetTab

__all__ = ["WAITING", "WorkroomWindow"]


class WorkroomWindow(QWidget):
    """Signals:
    diary_requested(str): the Work Diary asked for, on this contract (its id).
    """

    diary_requested = Signal(str)

    def __init__(
        self,
        contract_id: str,
        operations: Operations,
        now: Callable[[], datetime],
        zone: tzinfo | None = None,
        service: SyncService | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.contract_id = contract_id
        self.operations = operations
        self.service = service
        self.now = now
        self.zone = zone
        self._shown: Shown | None = None
        self._reading = False  # a read asked for because the totals do not count the running block
        self.setWindowTitle("Workroom")
        self.resize(640, 560)

        layout = QVBoxLayout(self)
        self.fresh_label = QLabel(self)
        self.fresh_label.setAccessibleName("Freshness")
        top = QHBoxLayout()
        top.addWidget(self.fresh_label, 1)
        self.actions = ActionsButton(self)
        top.addWidget(self.actions)
        layout.addLayout(top)
        self.tabs = QTabWidget(self)
        layout.addWidget(self.tabs)
        self.overview = OverviewTab(self)
        self.messages = MessagesTab(self)
        self.tabs.addTab(self.overview, "&Overview")
        self.tabs.addTab(self.messages, "&Messages")
        self.timesheet = TimesheetTab(self)
        self.tabs.addTab(self.timesheet, "&Timesheet")
        self.details = DetailsTab(self)
        self.tabs.addTab(self.details, "&Details")
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)

        self._unread = 0  # as the copy last read says
        self.tabs.currentChanged.connect(lambda _index: self._mark_read())
        operations.changed.connect(self.refresh)
        self.refresh()

    def show_tab(self, name: str) -> None:
        """Bring a tab forward by its name ("Messages"); a name this window has no tab of leaves it
        as it is."""
        for index in range(self.tabs.count()):
            if self.tabs.tabText(index).replace("&", "") == name:
                self.tabs.setCurrentIndex(index)
                return

    def refresh(self) -> None:
        """Read the copy again (after an edit here, or a sync pass that brought news)."""
        contract_id = self.contract_id

        def read(context: Context) -> Shown | None:
            view = workroom.open_workroom(context.diary.db, contract_id)
            if view is None:
                return None
            totals, running = context.diary.totals_and_running(context.now, contract_id)
            return Shown(view, totals.get(contract_id), running)

        self.operations.read(self, read, self._show)

    def follow_running(self, running: Running | None) -> None:
        """The block being tracked went on (each second): this week's hours and earnings count it
        to the second. While the totals do not count it (it began since, or is not saved yet),
        the copy is read again, one read at a time."""
        shown = self._shown
        if shown is None or running is None or running.contract_id != self.contract_id:
            return
        counted = shown.running
        if shown.totals is None or counted is None or counted.id != running.id:
            if not self._reading:
                self._reading = True
                self.refresh()
        elif running.end > counted.end:
            totals = shown.totals.grown(running.seconds - counted.seconds, not running.over_limit)
            self._shown = replace(shown, totals=totals, running=running)
            self.overview.show_money(self._shown)
            self.timesheet.show_hours(self._shown)

    def _show(self, shown: Shown | None) -> None:
        self._shown, self._reading = shown, False
        if shown is None:
            self.fresh_label.setText("Not read from the service yet: it will be after the next sync.")
            return
        self.setWindowTitle(f"Workroom — {shown.contract['title']}")
        self.fresh_label.setText(f"Fresh as of {local_text(shown.view.fresh_at, self.zone)}")
        self.overview.show_copy(shown)
        self.messages.show_copy(shown)
        self.timesheet.show_copy(shown)
        self.details.show_copy(shown)
        self.actions.show_copy(shown)
        self._unread = shown.view.unread
        self._mark_read()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._mark_read()

    def _mark_read(self) -> None:
        """The thread shown on screen is read: the mark goes to the service through the outbox."""
        if self._unread and self.isVisible() and self.tabs.currentWidget() is self.messages:
            self._unread = 0
            contract_id = self.contract_id
            self.write(lambda context: workroom.mark_thread_read(context.diary.db, contract_id, context.now))

    def now(self) -> datetime:
        return self._now()

    def write(self, write: Callable[[Context], object]) -> None:
        """Write in the copy's outbox; a refusal here (the disk, a rule) shows under the tabs."""
        self.error_label.hide()
        self.operations.edit(self, write, failed=self.show_error)

    def show_error(self, reason: str) -> None:
        self.error_label.setText(reason)
        self.error_label.show()

    def ask(
        self,
        question: Callable[[Online], Any],
        done: Callable[[Any], None],
        failed: Callable[[str], None] | None = None,
    ) -> None:
        """Ask the service for what the copy does not hold; why there is no answer (offline,
        signed out) shows under the tabs, or where ``failed`` shows it."""
        self.error_label.hide()
        failed = failed or self.show_error
        if self.service is None:
            failed("This needs the contract service, and the app is not connected to one.")
        else:
            self.service.ask(self, question, done, failed)
