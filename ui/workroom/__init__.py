"""A contract's workroom window, read from the local copy that sync keeps (``tracker.workroom``)
and written through its outbox, every read and write run by the app's ``Operations`` off the GUI
thread. It opens the same offline and says how fresh the copy is; what is written here shows
"waiting to be sent" until the service takes it, or its refusal. What the copy does not hold (a
report, a file's bytes) is asked of the service through the sync thread (``SyncService.ask``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from common.timetext import local_text
from tracker import workroom
from ui.operations import Context, Operations
from ui.sync_thread import Online, SyncService
from ui.workroom.messages import MessagesTab
from ui.workroom.overview import OverviewTab
from ui.workroom.shown import WAITING, Shown

__all__ = ["WAITING", "WorkroomWindow"]


class WorkroomWindow(QWidget):
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
        self._now = now
        self.zone = zone
        self.setWindowTitle("Workroom")
        self.resize(640, 560)

        layout = QVBoxLayout(self)
        self.fresh_label = QLabel(self)
        self.fresh_label.setAccessibleName("Freshness")
        layout.addWidget(self.fresh_label)
        self.tabs = QTabWidget(self)
        layout.addWidget(self.tabs)
        self.overview = OverviewTab(self)
        self.messages = MessagesTab(self)
        self.tabs.addTab(self.overview, "&Overview")
        self.tabs.addTab(self.messages, "&Messages")
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)

        operations.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Read the copy again (after an edit here, or a sync pass that brought news)."""
        contract_id = self.contract_id

        def read(context: Context) -> Shown | None:
            view = workroom.open_workroom(context.diary.db, contract_id)
            if view is None:
                return None
            totals = context.diary.totals_by_contract(context.now, contract_id).get(contract_id)
            return Shown(view, totals)

        self.operations.read(self, read, self._show)

    def _show(self, shown: Shown | None) -> None:
        if shown is None:
            self.fresh_label.setText("Not read from the service yet: it will be after the next sync.")
            return
        self.setWindowTitle(f"Workroom — {shown.contract['title']}")
        self.fresh_label.setText(f"Fresh as of {local_text(shown.view.fresh_at, self.zone)}")
        self.overview.show_copy(shown)
        self.messages.show_copy(shown)

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
        signed out) goes to ``failed``, or shows under the tabs."""
        self.error_label.hide()
        failed = failed or self.show_error
        if self.service is None:
            failed("This needs the contract service, and the app is not connected to one.")
        else:
            self.service.ask(self, question, done, failed)
