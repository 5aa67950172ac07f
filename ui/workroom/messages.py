"""The workroom's Messages: the thread, paged from the copy, and a message written to it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QListWidget, QPushButton, QVBoxLayout, QWidget

from common.timetext import local_text
from tracker import workroom
from ui.workroom.shown import Shown, delivery_text

if TYPE_CHECKING:
    from ui.workroom import WorkroomWindow


class MessagesTab(QWidget):
    def __init__(self, room: WorkroomWindow) -> None:
        super().__init__(room)
        self.room = room
        self._older: int | None = None  # before= of the thread's next older page
        layout = QVBoxLayout(self)
        self.older_button = QPushButton("Show &older messages", self)
        self.older_button.clicked.connect(self.show_older)
        layout.addWidget(self.older_button)
        self.thread_list = QListWidget(self)
        self.thread_list.setAccessibleName("Messages")
        self.thread_list.setWordWrap(True)
        layout.addWidget(self.thread_list)
        row = QHBoxLayout()
        self.message_edit = QLineEdit(self)
        self.message_edit.setPlaceholderText("Write a message")
        self.message_edit.returnPressed.connect(self.send_message)
        self.send_button = QPushButton("Se&nd", self)
        self.send_button.setAutoDefault(False)
        self.send_button.clicked.connect(self.send_message)
        row.addWidget(self.message_edit, 1)
        row.addWidget(self.send_button)
        layout.addLayout(row)

    def show_copy(self, shown: Shown) -> None:
        thread = shown.view.thread
        self._older = thread.older
        self.thread_list.clear()
        self._add_messages(thread.messages)
        self.older_button.setEnabled(thread.older is not None)
        self.thread_list.scrollToBottom()

    def _add_messages(self, messages: list[workroom.Message], at_top: bool = False) -> None:
        zone = self.room.zone
        for row, message in enumerate(messages):
            author = "You" if message.author_id == "" else message.author_name or "Workdiary"
            files = "".join(f"\n📎 {file['name']}" for file in message.attachments)
            text = (
                f"{author}, {local_text(message.created_at, zone)}{delivery_text(message.delivery)}\n"
                f"{message.body}{files}"
            )
            if at_top:
                self.thread_list.insertItem(row, text)
            else:
                self.thread_list.addItem(text)

    def show_older(self) -> None:
        """The page of the thread before the oldest shown, from the copy."""
        contract_id, before = self.room.contract_id, self._older
        if before is None:
            return

        def shown(page: workroom.ThreadPage) -> None:
            self._older = page.older
            self.older_button.setEnabled(page.older is not None)
            self._add_messages(page.messages, at_top=True)

        self.room.operations.read(
            self, lambda context: workroom.thread_page(context.diary.db, contract_id, before), shown
        )

    def send_message(self) -> None:
        text, contract_id = self.message_edit.text().strip(), self.room.contract_id
        if text:
            self.message_edit.clear()
            self.room.write(lambda c: workroom.send_message(c.diary.db, contract_id, text, c.now))
