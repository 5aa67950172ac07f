"""A contract's workroom window: Overview and Messages, read from the local copy that sync keeps
(``tracker.workroom``) and written through its outbox, every read and write run by the app's
``Operations`` off the GUI thread. It opens the same offline and says how fresh the copy is;
what is written here shows "waiting to be sent" until the service takes it, or its refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from common.states import Action, ContractKind, SyncState
from common.timetext import hm, local_text
from tracker import workroom
from tracker.diary import Totals
from ui.operations import Context, Operations

WAITING = "waiting to be sent"


@dataclass(frozen=True)
class Shown:
    """What the window shows, read in one operation."""

    view: workroom.WorkroomView | None
    totals: Totals | None  # this week's hours and earnings; None: no time on this contract here


def delivery_text(delivery: workroom.Delivery | None) -> str:
    """The mark on an item written here: waiting, or refused with the service's reason."""
    if delivery is None:
        return ""
    if delivery.state == SyncState.REJECTED:
        return f" — refused: {delivery.reason}"
    return f" — {WAITING}"


def money_text(cents: int | None, currency: str) -> str:
    return "" if cents is None else f"{Decimal(cents) / 100:,.2f} {currency}"


class WorkroomWindow(QWidget):
    def __init__(
        self,
        contract_id: str,
        operations: Operations,
        now: Callable[[], datetime],
        zone: tzinfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.contract_id = contract_id
        self.operations = operations
        self._now = now
        self._zone = zone
        self._older: int | None = None  # before= of the thread's next older page
        self.setWindowTitle("Workroom")
        self.resize(640, 560)

        layout = QVBoxLayout(self)
        self.fresh_label = QLabel(self)
        self.fresh_label.setAccessibleName("Freshness")
        layout.addWidget(self.fresh_label)
        self.tabs = QTabWidget(self)
        layout.addWidget(self.tabs)
        self.tabs.addTab(self._overview(), "&Overview")
        self.tabs.addTab(self._messages(), "&Messages")
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)

        operations.changed.connect(self.refresh)
        self.refresh()

    # ----- the tabs

    def _overview(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.hours_label = QLabel(page)
        self.hours_label.setAccessibleName("Hours this week")
        self.earnings_label = QLabel(page)
        self.earnings_label.setAccessibleName("Earnings this week")
        layout.addWidget(self.hours_label)
        layout.addWidget(self.earnings_label)

        layout.addWidget(QLabel("To-dos", page))
        self.todo_list = QListWidget(page)
        self.todo_list.setAccessibleName("To-dos")
        self.todo_list.itemChanged.connect(self._todo_checked)
        layout.addWidget(self.todo_list)
        row = QHBoxLayout()
        self.todo_edit = QLineEdit(page)
        self.todo_edit.setPlaceholderText("A new to-do")
        self.todo_edit.returnPressed.connect(self.add_todo)
        self.add_todo_button = QPushButton("&Add", page)
        self.add_todo_button.clicked.connect(self.add_todo)
        self.edit_todo_button = QPushButton("&Edit…", page)
        self.edit_todo_button.clicked.connect(self._edit_todo)
        self.up_button = QPushButton("Move &up", page)
        self.up_button.clicked.connect(lambda: self.move_todo(-1))
        self.down_button = QPushButton("Move do&wn", page)
        self.down_button.clicked.connect(lambda: self.move_todo(1))
        self.delete_todo_button = QPushButton("De&lete", page)
        self.delete_todo_button.clicked.connect(self.delete_todo)
        row.addWidget(self.todo_edit, 1)
        for button in (
            self.add_todo_button,
            self.edit_todo_button,
            self.up_button,
            self.down_button,
            self.delete_todo_button,
        ):
            button.setAutoDefault(False)
            row.addWidget(button)
        layout.addLayout(row)

        layout.addWidget(QLabel("Milestones", page))
        self.milestone_list = QListWidget(page)
        self.milestone_list.setAccessibleName("Milestones")
        layout.addWidget(self.milestone_list)
        self.submit_button = QPushButton("&Submit work for payment…", page)
        self.submit_button.clicked.connect(self._ask_submission)
        layout.addWidget(self.submit_button)

        layout.addWidget(QLabel("Recent files", page))
        self.file_list = QListWidget(page)
        self.file_list.setAccessibleName("Recent files")
        layout.addWidget(self.file_list)
        return page

    def _messages(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.older_button = QPushButton("Show &older messages", page)
        self.older_button.clicked.connect(self.show_older)
        layout.addWidget(self.older_button)
        self.thread_list = QListWidget(page)
        self.thread_list.setAccessibleName("Messages")
        self.thread_list.setWordWrap(True)
        layout.addWidget(self.thread_list)
        row = QHBoxLayout()
        self.message_edit = QLineEdit(page)
        self.message_edit.setPlaceholderText("Write a message")
        self.message_edit.returnPressed.connect(self.send_message)
        self.send_button = QPushButton("Se&nd", page)
        self.send_button.setAutoDefault(False)
        self.send_button.clicked.connect(self.send_message)
        row.addWidget(self.message_edit, 1)
        row.addWidget(self.send_button)
        layout.addLayout(row)
        return page

    # ----- reading

    def refresh(self) -> None:
        """Read the copy again (after an edit here, or a sync pass that brought news)."""
        contract_id = self.contract_id

        def read(context: Context) -> Shown:
            totals = context.diary.totals_by_contract(context.now, contract_id).get(contract_id)
            return Shown(workroom.open_workroom(context.diary.db, contract_id), totals)

        self.operations.read(self, read, self._show)

    def _show(self, shown: Shown) -> None:
        view = shown.view
        if view is None:
            self.fresh_label.setText("Not read from the service yet: it will be after the next sync.")
            return
        contract = view.details["contract"]
        self.setWindowTitle(f"Workroom — {contract['title']}")
        self.fresh_label.setText(f"Fresh as of {local_text(view.fresh_at, self._zone)}")
        self._show_money(shown.totals, contract)
        self._show_todos(view.todos)
        self._show_milestones(view, contract.get("currency", ""))
        self.file_list.clear()
        for file in view.recent_files:
            self.file_list.addItem(file["name"])
        self._older = view.thread.older
        self.thread_list.clear()
        self._add_messages(view.thread.messages)
        self.older_button.setEnabled(view.thread.older is not None)
        self.thread_list.scrollToBottom()

    def _show_money(self, totals: Totals | None, contract: dict) -> None:
        """This week's hours, and earnings unless the viewer is an agency member (no rate); a
        fixed-price contract has neither: its milestones are its money."""
        hourly = contract["kind"] == ContractKind.HOURLY
        self.hours_label.setVisible(hourly)
        self.hours_label.setText(f"This week: {hm(totals.this_week if totals else 0)}")
        sees_money = hourly and contract.get("hourly_rate_cents") is not None
        earnings = totals.week_earnings if totals is not None else Decimal(0)
        self.earnings_label.setVisible(sees_money and earnings is not None)
        if sees_money and earnings is not None:
            self.earnings_label.setText(f"Earned this week: {earnings:,.2f} {contract.get('currency', '')}")

    def _show_todos(self, todos: list[workroom.Todo]) -> None:
        self.todo_list.blockSignals(True)
        self.todo_list.clear()
        for todo in todos:
            item = QListWidgetItem(todo.text + delivery_text(todo.delivery))
            item.setData(Qt.ItemDataRole.UserRole, todo)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if todo.done else Qt.CheckState.Unchecked)
            self.todo_list.addItem(item)
        self.todo_list.blockSignals(False)

    def _show_milestones(self, view: workroom.WorkroomView, currency: str) -> None:
        self.milestone_list.clear()
        submittable = False
        for milestone in view.milestones:
            words = [milestone["title"], milestone["status"].replace("_", " ")]
            if amount := money_text(milestone.get("amount_cents"), currency):
                words.append(amount)
            if milestone.get("due_date"):
                words.append(f"due {milestone['due_date']}")
            item = QListWidgetItem(" · ".join(words) + delivery_text(view.submissions.get(milestone["id"])))
            item.setData(Qt.ItemDataRole.UserRole, milestone)
            self.milestone_list.addItem(item)
            if Action.SUBMIT_WORK in milestone["actions"] and milestone["id"] not in view.submissions:
                submittable = True
                self.milestone_list.setCurrentItem(item)
        self.submit_button.setVisible(bool(view.milestones))
        self.submit_button.setEnabled(submittable)

    def _add_messages(self, messages: list[workroom.Message], at_top: bool = False) -> None:
        for row, message in enumerate(messages):
            author = "You" if message.author_id == "" else message.author_name or "Workdiary"
            files = "".join(f"\n📎 {file['name']}" for file in message.attachments)
            text = (
                f"{author}, {local_text(message.created_at, self._zone)}{delivery_text(message.delivery)}\n"
                f"{message.body}{files}"
            )
            if at_top:
                self.thread_list.insertItem(row, text)
            else:
                self.thread_list.addItem(text)

    def show_older(self) -> None:
        """The page of the thread before the oldest shown, from the copy."""
        contract_id, before = self.contract_id, self._older
        if before is None:
            return

        def shown(page: workroom.ThreadPage) -> None:
            self._older = page.older
            self.older_button.setEnabled(page.older is not None)
            self._add_messages(page.messages, at_top=True)

        self.operations.read(
            self, lambda context: workroom.thread_page(context.diary.db, contract_id, before), shown
        )

    # ----- writing, through the outbox

    def _write(self, write: Callable[[Context], object]) -> None:
        self.error_label.hide()
        self.operations.edit(self, write, failed=self._failed)

    def _failed(self, reason: str) -> None:
        self.error_label.setText(reason)
        self.error_label.show()

    def add_todo(self) -> None:
        text, contract_id = self.todo_edit.text().strip(), self.contract_id
        if text:
            self.todo_edit.clear()
            self._write(lambda c: workroom.save_todo(c.diary.db, contract_id, text, False, c.now))

    def _selected_todo(self) -> workroom.Todo | None:
        item = self.todo_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _todo_checked(self, item: QListWidgetItem) -> None:
        todo: workroom.Todo = item.data(Qt.ItemDataRole.UserRole)
        done = item.checkState() == Qt.CheckState.Checked
        if done != todo.done:
            self.save_todo(todo, todo.text, done)

    def save_todo(self, todo: workroom.Todo, text: str, done: bool) -> None:
        contract_id = self.contract_id
        self._write(lambda c: workroom.save_todo(c.diary.db, contract_id, text, done, c.now, todo.id))

    def _edit_todo(self) -> None:
        if (todo := self._selected_todo()) is None:
            return
        text, given = QInputDialog.getText(self, "Edit to-do", "To-do:", QLineEdit.EchoMode.Normal, todo.text)
        if given and text.strip():
            self.save_todo(todo, text.strip(), todo.done)

    def move_todo(self, step: int) -> None:
        row = self.todo_list.currentRow()
        ids = [
            self.todo_list.item(i).data(Qt.ItemDataRole.UserRole).id for i in range(self.todo_list.count())
        ]
        if row < 0 or not 0 <= row + step < len(ids):
            return
        ids.insert(row + step, ids.pop(row))
        contract_id = self.contract_id
        self._write(lambda c: workroom.reorder_todos(c.diary.db, contract_id, ids, c.now))

    def delete_todo(self) -> None:
        if (todo := self._selected_todo()) is not None:
            contract_id = self.contract_id
            self._write(lambda c: workroom.delete_todo(c.diary.db, contract_id, todo.id, c.now))

    def _ask_submission(self) -> None:
        text, given = QInputDialog.getMultiLineText(
            self, "Submit work for payment", "A message to the client about the work:"
        )
        if given and text.strip():
            self.submit_work(text.strip())

    def submit_work(self, text: str) -> None:
        """Submit work on the milestone chosen in the timeline (the one awaiting work at first)."""
        item = self.milestone_list.currentItem()
        if item is None:
            return
        milestone_id, contract_id = item.data(Qt.ItemDataRole.UserRole)["id"], self.contract_id
        self._write(lambda c: workroom.submit_work(c.diary.db, contract_id, milestone_id, text, c.now))

    def send_message(self) -> None:
        text, contract_id = self.message_edit.text().strip(), self.contract_id
        if text:
            self.message_edit.clear()
            self._write(lambda c: workroom.send_message(c.diary.db, contract_id, text, c.now))
