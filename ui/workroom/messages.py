"""The workroom's Messages: the thread, paged from the copy, with its files and meetings; a message
written to it with files (chosen or dropped on the tab); a meeting scheduled; and search."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from common.timetext import local_text
from common.timeutil import local_zone
from tracker import workroom
from ui.sync_thread import Online
from ui.workroom.files import FilePicker, ask_save_file, open_file, save_file
from ui.workroom.meeting import MeetingDialog, meeting_text
from ui.workroom.shown import Shown, delivery_text

if TYPE_CHECKING:
    from ui.workroom import WorkroomWindow

OFFLINE_SEARCH = "Search needs the contract service; showing matches in the messages held here."
_MESSAGE = Qt.ItemDataRole.UserRole


class MessagesTab(QWidget):
    def __init__(self, room: WorkroomWindow) -> None:
        super().__init__(room)
        self.room = room
        self._older: int | None = None  # before= of the thread's next older page
        self._client: dict = {}  # the client's profile line (their name and time zone)
        self.setAcceptDrops(True)
        layout = QVBoxLayout(self)

        self.search_edit = QLineEdit(self)
        self.search_edit.setAccessibleName("Search the messages")
        self.search_edit.setPlaceholderText("Search the messages")
        self.search_edit.returnPressed.connect(lambda: self.search(self.search_edit.text()))
        layout.addWidget(self.search_edit)
        self.search_note = QLabel(self)
        self.search_note.setWordWrap(True)
        self.search_note.hide()
        layout.addWidget(self.search_note)
        self.search_list = QListWidget(self)
        self.search_list.setAccessibleName("Messages found")
        self.search_list.setWordWrap(True)
        self.search_list.setMaximumHeight(120)
        self.search_list.currentItemChanged.connect(self._hit_chosen)
        self.search_list.hide()
        layout.addWidget(self.search_list)

        self.older_button = QPushButton("Show &older messages", self)
        self.older_button.clicked.connect(lambda: self.show_older())
        layout.addWidget(self.older_button)
        self.thread_list = QListWidget(self)
        self.thread_list.setAccessibleName("Messages")
        self.thread_list.setWordWrap(True)
        self.thread_list.currentItemChanged.connect(self._message_chosen)
        layout.addWidget(self.thread_list)

        chosen = QHBoxLayout()
        self.attachment_list = QListWidget(self)
        self.attachment_list.setAccessibleName("Files of the message")
        self.attachment_list.setMaximumHeight(72)
        self.attachment_list.currentRowChanged.connect(lambda _row: self._enable_file_buttons())
        self.open_button = QPushButton("Op&en", self)
        self.open_button.clicked.connect(self.open_attachment)
        self.save_button = QPushButton("Save &as…", self)
        self.save_button.clicked.connect(
            lambda: self._chosen_file(lambda file: ask_save_file(self.room, self, file))
        )
        self.join_button = QPushButton("&Join", self)
        self.join_button.clicked.connect(self.join_meeting)
        self.invitation_button = QPushButton("Save &invitation (.ics)…", self)
        self.invitation_button.clicked.connect(self._ask_save_invitation)
        chosen.addWidget(self.attachment_list, 1)
        for button in (self.open_button, self.save_button, self.join_button, self.invitation_button):
            button.setAutoDefault(False)
            chosen.addWidget(button)
        layout.addLayout(chosen)

        row = QHBoxLayout()
        self.message_edit = QLineEdit(self)
        self.message_edit.setPlaceholderText("Write a message")
        self.message_edit.returnPressed.connect(self.send_message)
        self.send_button = QPushButton("Se&nd", self)
        self.send_button.setAutoDefault(False)
        self.send_button.clicked.connect(self.send_message)
        self.meeting_button = QPushButton("Sc&hedule a meeting…", self)
        self.meeting_button.setAutoDefault(False)
        self.meeting_button.clicked.connect(self._ask_meeting)
        row.addWidget(self.message_edit, 1)
        row.addWidget(self.send_button)
        row.addWidget(self.meeting_button)
        layout.addLayout(row)
        self.files = FilePicker(room, self)
        layout.addWidget(self.files)
        self._message_chosen(None)

    def show_copy(self, shown: Shown) -> None:
        thread = shown.view.thread
        self._older = thread.older
        self._client = shown.view.details.get("client", {})
        self.thread_list.clear()
        self._add_messages(thread.messages)
        self.older_button.setEnabled(thread.older is not None)
        self.thread_list.scrollToBottom()

    def _add_messages(self, messages: list[workroom.Message], at_top: bool = False) -> None:
        for row, message in enumerate(messages):
            item = QListWidgetItem(self._message_text(message))
            item.setData(_MESSAGE, message)
            if at_top:
                self.thread_list.insertItem(row, item)
            else:
                self.thread_list.addItem(item)

    def _message_text(self, message: workroom.Message) -> str:
        zone = self.room.zone
        author = "You" if message.author_id == "" else message.author_name or "Workdiary"
        body = meeting_text(message.meeting, zone) if message.meeting else message.body
        head = f"{author}, {local_text(message.created_at, zone)}{delivery_text(message.delivery)}"
        files = [f"📎 {file['name']}" for file in message.attachments]
        return "\n".join([head, *([body] if body else []), *files])

    def show_older(self, then: Callable[[], None] | None = None) -> None:
        """The page of the thread before the oldest shown, from the copy."""
        contract_id, before = self.room.contract_id, self._older
        if before is None:
            return

        def shown(page: workroom.ThreadPage) -> None:
            self._older = page.older
            self.older_button.setEnabled(page.older is not None)
            self._add_messages(page.messages, at_top=True)
            if then is not None:
                then()

        self.room.operations.read(
            self, lambda context: workroom.thread_page(context.diary.db, contract_id, before), shown
        )

    # ----- the chosen message's files and meeting

    def _message_chosen(self, item: QListWidgetItem | None) -> None:
        message: workroom.Message | None = item.data(_MESSAGE) if item is not None else None
        self.attachment_list.clear()
        for file in message.attachments if message else []:
            self.attachment_list.addItem(file["name"])
        self.attachment_list.setCurrentRow(0)
        has_files = self.attachment_list.count() > 0
        for widget in (self.attachment_list, self.open_button, self.save_button):
            widget.setVisible(has_files)
        meeting = message.meeting if message else None
        self.join_button.setVisible(meeting is not None)
        self.invitation_button.setVisible(meeting is not None)
        self.join_button.setEnabled(bool(meeting and meeting.get("join_url")))
        self.invitation_button.setEnabled(bool(meeting and "invitation" in meeting))  # once on the service
        self._enable_file_buttons()

    def _chosen_message(self) -> workroom.Message | None:
        item = self.thread_list.currentItem()
        return item.data(_MESSAGE) if item is not None else None

    def _enable_file_buttons(self) -> None:
        chosen = self.attachment_list.currentRow() >= 0
        self.open_button.setEnabled(chosen)
        self.save_button.setEnabled(chosen)

    def _chosen_file(self, then: Callable[[dict], None]) -> None:
        message, row = self._chosen_message(), self.attachment_list.currentRow()
        if message is not None and 0 <= row < len(message.attachments):
            then(message.attachments[row])

    def open_attachment(self) -> None:
        self._chosen_file(lambda file: open_file(self.room, file))

    def save_attachment(self, target: Path) -> None:
        self._chosen_file(lambda file: save_file(self.room, file, target))

    def join_meeting(self) -> None:
        message = self._chosen_message()
        if message is not None and message.meeting and message.meeting.get("join_url"):
            QDesktopServices.openUrl(QUrl(message.meeting["join_url"]))

    def _ask_save_invitation(self) -> None:
        message = self._chosen_message()
        if message is not None and message.meeting:
            name = f"{message.meeting['title']}.ics"
            target, _filter = QFileDialog.getSaveFileName(self, "Save invitation", name, "Calendar (*.ics)")
            if target:
                self.save_invitation(Path(target))

    def save_invitation(self, target: Path) -> None:
        """Save the chosen meeting's invitation, as the service makes it, for a calendar."""
        message = self._chosen_message()
        if message is None or not message.meeting or "id" not in message.meeting:
            return
        contract_id, meeting_id = self.room.contract_id, message.meeting["id"]

        def write(ics: bytes) -> None:
            try:
                target.write_bytes(ics)
            except OSError as error:
                self.room.show_error(f"The invitation could not be saved as {target}: {error.strerror}.")

        self.room.ask(lambda online: online.client.invitation(contract_id, meeting_id), write)

    # ----- writing, through the outbox

    def send_message(self) -> None:
        text, contract_id = self.message_edit.text().strip(), self.room.contract_id
        if text or self.files.paths:
            files = self.files.take()
            self.message_edit.clear()
            self.room.write(lambda c: workroom.send_message(c.diary.db, contract_id, text, c.now, files))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Files dropped on the tab go with the message being written."""
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.files.add(paths)
            event.acceptProposedAction()

    def _ask_meeting(self) -> None:
        dialog = MeetingDialog(
            self.room.zone or local_zone(),
            self._client.get("name", "The client"),
            self._client.get("time_zone", ""),
            self.room.now(),
            self,
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.schedule_meeting(
                dialog.title_edit.text().strip(),
                dialog.start(),
                dialog.duration_box.value(),
                dialog.link_edit.text().strip(),
            )

    def schedule_meeting(self, title: str, start: datetime, duration_minutes: int, join_url: str) -> None:
        """Schedule a meeting (posted in the thread once the service takes it)."""
        if not title:
            self.room.show_error("A meeting needs a title.")
        elif join_url and not join_url.startswith(("https://", "http://")):
            self.room.show_error("A join link starts with https:// (or http://).")
        else:
            contract_id = self.room.contract_id
            self.room.write(
                lambda c: workroom.schedule_meeting(
                    c.diary.db, contract_id, title, start, duration_minutes, join_url, c.now
                )
            )

    # ----- search

    def search(self, words: str) -> None:
        """The service's search of the whole thread; offline, the copy's messages holding the words."""
        words, contract_id = words.strip(), self.room.contract_id
        if not words:
            self.search_note.hide()
            self.search_list.hide()
            return

        def ask_service(online: Online) -> list[workroom.Message]:
            from sync.workroom import search_thread  # loaded on the sync thread already

            return search_thread(online.client, contract_id, words)

        def search_copy(_reason: str) -> None:
            self.room.operations.read(
                self,
                lambda context: workroom.search_held(context.diary.db, contract_id, words),
                lambda hits: self._show_hits(hits, OFFLINE_SEARCH),
            )

        self.room.ask(ask_service, lambda hits: self._show_hits(hits, ""), search_copy)

    def _show_hits(self, hits: list[workroom.Message], note: str) -> None:
        if not hits:
            note = f"{note} No message holds these words.".strip()
        self.search_note.setText(note)
        self.search_note.setVisible(bool(note))
        self.search_list.clear()
        for message in hits:
            item = QListWidgetItem(self._message_text(message))
            item.setData(_MESSAGE, message)
            self.search_list.addItem(item)
        self.search_list.setVisible(bool(hits))

    def _hit_chosen(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.go_to(item.data(_MESSAGE).number)

    def go_to(self, number: int | None) -> None:
        """Scroll the thread to a message, showing older pages of the copy as far as it is."""
        for row in range(self.thread_list.count()):
            item = self.thread_list.item(row)
            if item.data(_MESSAGE).number == number:
                self.thread_list.setCurrentItem(item)
                self.thread_list.scrollToItem(item, QListWidget.ScrollHint.PositionAtCenter)
                return
        if self._older is not None:
            self.show_older(lambda: self.go_to(number))
        else:
            self.search_note.setText("That message is older than the thread held here.")
            self.search_note.show()
