"""View Transaction Report: the ledger entries of a date range (this contract's, or all the user's),
filtered by type, with the totals per type, asked of the service; the report saved as CSV and each
entry as its invoice PDF where the user chooses. Offline it says so: the copy holds only the last
30 days."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from common.states import TransactionType
from ui.sync_thread import Online
from ui.workroom.shown import money_text
from ui.workroom.timesheet import transaction_line

if TYPE_CHECKING:
    from ui.workroom import WorkroomWindow

RECENT_DAYS = 30  # the range the report opens on


class ReportDialog(QDialog):
    def __init__(self, room: WorkroomWindow) -> None:
        super().__init__(room)
        self.room = room
        self.setWindowTitle("Transaction report")
        self.resize(620, 480)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        today = room.now().astimezone(room.zone).date()
        self.since_edit = self._date_edit(today - timedelta(days=RECENT_DAYS), "From")
        self.until_edit = self._date_edit(today, "To")
        self.type_box = QComboBox(self)
        self.type_box.setAccessibleName("Type")
        self.type_box.addItem("All types", None)
        for kind in TransactionType:
            self.type_box.addItem(kind.capitalize(), kind.value)
        self.this_contract_box = QCheckBox("This contract only", self)
        self.this_contract_box.setChecked(True)
        form.addRow("&From:", self.since_edit)
        form.addRow("&To:", self.until_edit)
        form.addRow("T&ype:", self.type_box)
        form.addRow("", self.this_contract_box)
        layout.addLayout(form)
        self.show_button = QPushButton("&Show", self)
        self.show_button.clicked.connect(self.show_report)
        layout.addWidget(self.show_button)

        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName("Report status")
        layout.addWidget(self.status_label)
        self.entry_list = QListWidget(self)
        self.entry_list.setAccessibleName("Transactions")
        layout.addWidget(self.entry_list, 1)
        self.totals_label = QLabel(self)
        self.totals_label.setAccessibleName("Totals per type")
        layout.addWidget(self.totals_label)
        row = QHBoxLayout()
        self.csv_button = QPushButton("Save &CSV…", self)
        self.csv_button.clicked.connect(self._ask_csv_path)
        self.pdf_button = QPushButton("Save &PDF…", self)
        self.pdf_button.setToolTip("The chosen transaction's invoice as a PDF")
        self.pdf_button.clicked.connect(self._ask_pdf_path)
        for button in (self.csv_button, self.pdf_button):
            button.setAutoDefault(False)
            button.setEnabled(False)
            row.addWidget(button)
        layout.addLayout(row)
        self.entry_list.currentItemChanged.connect(
            lambda item, _was: self.pdf_button.setEnabled(item is not None)
        )

    def _date_edit(self, day: date, name: str) -> QDateEdit:
        edit = QDateEdit(QDate(day.year, day.month, day.day), self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd MMM yyyy")
        edit.setAccessibleName(name)
        return edit

    def query(self) -> dict:
        """The report's range and filters, as the service's query takes them."""
        query = {
            "from": self.since_edit.date().toPython().isoformat(),
            "until": self.until_edit.date().toPython().isoformat(),
        }
        if self.this_contract_box.isChecked():
            query["contract"] = self.room.contract_id
        if kind := self.type_box.currentData():
            query["type"] = kind
        return query

    def show_report(self) -> None:
        query = self.query()
        self.status_label.setText("Asking the contract service…")
        self.room.ask(lambda online: online.client.transaction_report(query), self._show, self._failed)

    def _show(self, report: dict) -> None:
        entries = report["transactions"]
        self.status_label.setText(
            f"{len(entries)} transaction{'s' if len(entries) != 1 else ''} from {report['since']} to "
            f"{report['until']}."
        )
        self.entry_list.clear()
        for entry in entries:
            item = QListWidgetItem(transaction_line(entry, self.room.zone))
            item.setData(Qt.ItemDataRole.UserRole, entry)
            self.entry_list.addItem(item)
        self.totals_label.setText(
            "\n".join(
                f"{total['type'].capitalize()}: {total['count']} · "
                f"{money_text(total['amount_cents'], total['currency'])}"
                for total in report["totals"]
            )
        )
        self.csv_button.setEnabled(True)

    def _failed(self, reason: str) -> None:
        self.status_label.setText(f"The report needs the contract service: {reason}")

    def _saved(self, path: Path) -> None:
        self.status_label.setText(f"Saved {path}.")

    # ----- saving where the user chooses

    def _ask_csv_path(self) -> None:
        query = self.query()
        name = f"workdiary-transactions-{query['from']}-{query['until']}.csv"
        path, _kind = QFileDialog.getSaveFileName(self, "Save the report as CSV", name, "CSV (*.csv)")
        if path:
            self.save_csv(Path(path))

    def save_csv(self, path: Path) -> None:
        """Save the report of the range and filters chosen as CSV, at ``path``."""
        query = self.query()

        def download(online: Online) -> Path:
            path.write_bytes(online.client.transaction_report_csv(query))
            return path

        self.status_label.setText("Asking the contract service…")
        self.room.ask(download, self._saved, self._failed)

    def _ask_pdf_path(self) -> None:
        if (item := self.entry_list.currentItem()) is None:
            return
        name = f"workdiary-{item.data(Qt.ItemDataRole.UserRole)['number']}.pdf"
        path, _kind = QFileDialog.getSaveFileName(self, "Save the invoice as PDF", name, "PDF (*.pdf)")
        if path:
            self.save_pdf(Path(path))

    def save_pdf(self, path: Path) -> None:
        """Save the chosen transaction's invoice as a PDF, at ``path``."""
        if (item := self.entry_list.currentItem()) is None:
            return
        entry = item.data(Qt.ItemDataRole.UserRole)

        def download(online: Online) -> Path:
            path.write_bytes(online.client.invoice_pdf(entry["contract_id"], entry["id"]))
            return path

        self.status_label.setText("Asking the contract service…")
        self.room.ask(download, self._saved, self._failed)
