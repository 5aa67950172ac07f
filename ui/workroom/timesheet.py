"""The workroom's Timesheet: the hours summary from the local diary (with this week's earnings
where the freelancer sees money), a way to the Work Diary on this contract, the last 30 days'
transactions from the copy, and the transaction report, asked of the service."""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from common.timetext import hm
from common.wire import parse_wire_time
from ui.workroom.shown import Shown, money_text

if TYPE_CHECKING:
    from ui.workroom import WorkroomWindow


def transaction_line(entry: dict, zone: tzinfo | None) -> str:
    """A ledger entry as a line: date, type, description, amount, status and invoice number."""
    day = parse_wire_time(entry["created_at"]).astimezone(zone).strftime("%d %b %Y")
    words = [
        day,
        entry["type"].capitalize(),
        entry["description"],
        money_text(entry["amount_cents"], entry["currency"]),
        entry["status"],
        f"#{entry['number']}",
    ]
    return " · ".join(word for word in words if word)


class TimesheetTab(QWidget):
    def __init__(self, room: WorkroomWindow) -> None:
        super().__init__(room)
        self.room = room
        layout = QVBoxLayout(self)
        self.hours_label = QLabel(self)
        self.hours_label.setAccessibleName("Hours")
        self.earnings_label = QLabel(self)
        self.earnings_label.setAccessibleName("Earnings this week")
        layout.addWidget(self.hours_label)
        layout.addWidget(self.earnings_label)
        self.diary_button = QPushButton("Open the &Work Diary", self)
        self.diary_button.setAutoDefault(False)
        self.diary_button.clicked.connect(lambda: room.diary_requested.emit(room.contract_id))
        layout.addWidget(self.diary_button)

        self.money = QWidget(self)  # absent for an agency member: they see no money
        money_layout = QVBoxLayout(self.money)
        money_layout.setContentsMargins(0, 0, 0, 0)
        money_layout.addWidget(QLabel("Transactions of the last 30 days", self.money))
        self.transaction_list = QListWidget(self.money)
        self.transaction_list.setAccessibleName("Transactions of the last 30 days")
        money_layout.addWidget(self.transaction_list)
        self.report_button = QPushButton("View Transaction &Report…", self.money)
        self.report_button.setAutoDefault(False)
        self.report_button.clicked.connect(self.open_report)
        money_layout.addWidget(self.report_button)
        layout.addWidget(self.money, 1)
        self.report_dialog = None

    def show_copy(self, shown: Shown) -> None:
        self.show_hours(shown)
        transactions = shown.view.transactions
        self.money.setVisible(transactions is not None)
        self.transaction_list.clear()
        for entry in transactions or []:
            self.transaction_list.addItem(transaction_line(entry, self.room.zone))
        if transactions is not None and not transactions:
            self.transaction_list.addItem("No transactions in the last 30 days.")

    def show_hours(self, shown: Shown) -> None:
        """The hours summary, and this week's earnings where the viewer sees them."""
        totals = shown.totals
        this_week, last_week, since_start = (
            (totals.this_week, totals.last_week, totals.since_start) if totals else (0, 0, 0)
        )
        self.hours_label.setVisible(shown.hourly)
        self.hours_label.setText(
            f"This week: {hm(this_week)}   Last week: {hm(last_week)}   Since start: {hm(since_start)}"
        )
        self.earnings_label.setText(shown.earnings_text)
        self.earnings_label.setVisible(bool(shown.earnings_text))

    def open_report(self) -> None:
        from ui.workroom.report import ReportDialog

        if self.report_dialog is None:
            self.report_dialog = ReportDialog(self.room)
        self.report_dialog.show()
        self.report_dialog.raise_()
