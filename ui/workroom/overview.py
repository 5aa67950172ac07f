"""The workroom's Overview: to-dos, this week's hours and earnings, the milestones with their
next step, and the thread's latest files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import QtWidgets
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from common.states import Action
from common.timetext import hm
from tracker import workroom
from ui.workroom.files import ask_save_file, open_file, save_file
from ui.workroom.shown import Shown, delivery_text, money_text

if TYPE_CHECKING:
    from ui.workroom import WorkroomWindow


class OverviewTab(QWidget):
    def __init__(self, room: WorkroomWindow) -> None:
        super().__init__(room)
        self.room = room
        layout = QVBoxLayout(self)
        self.hours_label = QLabel(self)
        self.hours_label.setAccessibleName("Hours this week")
        self.earnings_label = QLabel(self)
        self.earnings_label.setAccessibleName("Earnings this week")
        layout.addWidget(self.hours_label)
        layout.addWidget(self.earnings_label)

        layout.addWidget(QLabel("To-dos", self))
        self.todo_list = QListWidget(self)
        self.todo_list.setAccessibleName("To-dos")
        self.todo_list.itemChanged.connect(self._todo_checked)
        layout.addWidget(self.todo_list)
        row = QHBoxLayout()
        self.todo_edit = QLineEdit(self)
        self.todo_edit.setPlaceholderText("A new to-do")
        self.todo_edit.returnPressed.connect(self.add_todo)
        self.add_todo_button = QPushButton("&Add", self)
        self.add_todo_button.clicked.connect(self.add_todo)
        self.edit_todo_button = QPushButton("&Edit…", self)
        self.edit_todo_button.clicked.connect(self._edit_todo)
        self.up_button = QPushButton("Move &up", self)
        self.up_button.clicked.connect(lambda: self.move_todo(-1))
        self.down_button = QPushButton("Move do&wn", self)
        self.down_button.clicked.connect(lambda: self.move_todo(1))
        self.delete_todo_button = QPushButton("De&lete", self)
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

        self.milestones_label = QLabel("Milestones", self)
        layout.addWidget(self.milestones_label)
        self.milestone_list = QListWidget(self)
        self.milestone_list.setAccessibleName("Milestones")
        layout.addWidget(self.milestone_list)
        self.submit_button = QPushButton("&Submit work for payment…", self)
        self.submit_button.clicked.connect(self._ask_submission)
        layout.addWidget(self.submit_button)

        layout.addWidget(QLabel("Recent files", self))
        files_row = QHBoxLayout()
        self.file_list = QListWidget(self)
        self.file_list.setAccessibleName("Recent files")
        files_row.addWidget(self.file_list, 1)
        file_buttons = QVBoxLayout()
        self.open_file_button = QPushButton("Ope&n", self)
        self.open_file_button.clicked.connect(lambda: self._chosen_file(lambda file: open_file(room, file)))
        self.save_file_button = QPushButton("Sa&ve as…", self)
        self.save_file_button.clicked.connect(
            lambda: self._chosen_file(lambda file: ask_save_file(room, self, file))
        )
        self.upload_button = QPushButton("U&pload…", self)
        self.upload_button.clicked.connect(self._ask_upload)
        for button in (self.open_file_button, self.save_file_button, self.upload_button):
            button.setAutoDefault(False)
            file_buttons.addWidget(button)
        file_buttons.addStretch()
        files_row.addLayout(file_buttons)
        layout.addLayout(files_row)
        self._files: list[dict] = []

    def show_copy(self, shown: Shown) -> None:
        view = shown.view
        self.show_money(shown)
        self._show_todos(view.todos)
        self._show_milestones(view, shown.currency)
        self._files = view.recent_files
        self.file_list.clear()
        for file in view.recent_files:
            self.file_list.addItem(file["name"])
        self.file_list.setCurrentRow(0)
        self.open_file_button.setEnabled(bool(view.recent_files))
        self.save_file_button.setEnabled(bool(view.recent_files))

    def show_money(self, shown: Shown) -> None:
        """This week's hours, and earnings where the viewer sees them (``Shown.earnings_text``);
        a fixed-price contract has neither: its milestones are its money."""
        totals = shown.totals
        self.hours_label.setVisible(shown.hourly)
        self.hours_label.setText(f"This week: {hm(totals.this_week if totals else 0)}")
        self.earnings_label.setText(shown.earnings_text)
        self.earnings_label.setVisible(bool(shown.earnings_text))

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
        for widget in (self.milestones_label, self.milestone_list, self.submit_button):
            widget.setVisible(bool(view.milestones))  # an hourly contract has none
        self.submit_button.setEnabled(submittable)

    # ----- writing, through the outbox

    def add_todo(self) -> None:
        text, contract_id = self.todo_edit.text().strip(), self.room.contract_id
        if text:
            self.todo_edit.clear()
            self.room.write(lambda c: workroom.save_todo(c.diary.db, contract_id, text, False, c.now))

    def _selected_todo(self) -> workroom.Todo | None:
        item = self.todo_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _todo_checked(self, item: QListWidgetItem) -> None:
        todo: workroom.Todo = item.data(Qt.ItemDataRole.UserRole)
        done = item.checkState() == Qt.CheckState.Checked
        if done != todo.done:
            self.save_todo(todo, todo.text, done)

    def save_todo(self, todo: workroom.Todo, text: str, done: bool) -> None:
        contract_id = self.room.contract_id
        self.room.write(lambda c: workroom.save_todo(c.diary.db, contract_id, text, done, c.now, todo.id))

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
        contract_id = self.room.contract_id
        self.room.write(lambda c: workroom.reorder_todos(c.diary.db, contract_id, ids, c.now))

    def delete_todo(self) -> None:
        if (todo := self._selected_todo()) is not None:
            contract_id = self.room.contract_id
            self.room.write(lambda c: workroom.delete_todo(c.diary.db, contract_id, todo.id, c.now))

    def _ask_submission(self) -> None:
        item = self.milestone_list.currentItem()
        if item is None:
            return
        from ui.workroom.dialogs import SubmissionDialog  # its widgets' classes loaded when first asked

        dialog = SubmissionDialog(self.room, item.data(Qt.ItemDataRole.UserRole)["title"], self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.text():
            self.submit_work(dialog.text(), dialog.files.take())

    def submit_work(self, text: str, files: Sequence[Path] = ()) -> None:
        """Submit work on the milestone chosen in the timeline (the one awaiting work at first)."""
        item = self.milestone_list.currentItem()
        if item is None:
            return
        milestone_id, contract_id = item.data(Qt.ItemDataRole.UserRole)["id"], self.room.contract_id
        self.room.write(
            lambda c: workroom.submit_work(c.diary.db, contract_id, milestone_id, text, c.now, files)
        )

    # ----- the thread's files

    def _chosen_file(self, then: Callable[[dict], None]) -> None:
        row = self.file_list.currentRow()
        if 0 <= row < len(self._files):
            then(self._files[row])

    def save_file(self, target: Path) -> None:
        """Save the chosen recent file as ``target``."""
        self._chosen_file(lambda file: save_file(self.room, file, target))

    def _ask_upload(self) -> None:
        names, _filter = QtWidgets.QFileDialog.getOpenFileNames(self, "Upload files")
        if names:
            self.upload([Path(name) for name in names])

    def upload(self, paths: Sequence[Path]) -> None:
        """Files to the thread, as a message of their own (as the web's Overview uploads them)."""
        contract_id = self.room.contract_id
        self.room.write(lambda c: workroom.send_message(c.diary.db, contract_id, "", c.now, paths))
