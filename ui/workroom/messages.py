"""The workroom's Messages: the thread, paged from the copy, with its files and meetings; a message
written to it with files (chosen or dropped on the tab); a meeting scheduled; and search."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
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
from ui.workroom.shown import Shown, delivery_text, meeting_text

if TYPE_CHECKING:
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

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
        self._layout = layout = QVBoxLayout(self)

        self.search_edit = QLineEdit(self)
        self.search_edit.setAccessibleName("Search the messages")
        self.search_edit.setPlaceholderText("Search the messages")
        self.search_edit.returnPressed.connect(lambda: self.search(self.search_edit.text()))
        layout.addWidget(self.search_edit)

        self.older_button = QPushButton("Show &older messages", self)
        self.older_button.clicked.connect(lambda: self.show_older())
        layout.addWidget(self.older_button)
        self.thread_list = QListWidget(self)
        self.thread_list.setAccessibleName("Messages")
        self.thread_list.setWordWrap(True)
        self.thread_list.currentItemChanged.connect(self._message_chosen)
        layout.addWidget(self.thread_list)

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

    @cached_property
    def chosen(self) -> ChosenMessage:
        """The chosen message's files and meeting, under the thread: made when first needed."""
        chosen = ChosenMessage(self)
        self._layout.insertWidget(self._layout.indexOf(self.thread_list) + 1, chosen)
        return chosen

    @cached_property
    def found(self) -> Found:
        """The search's results, under the search field: made at the first search."""
        found = Found(self)
        self._layout.insertWidget(self._layout.indexOf(self.search_edit) + 1, found)
        return found

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

    def _message_chosen(self, item: QListWidgetItem | None) -> None:
        message: workroom.Message | None = item.data(_MESSAGE) if item is not None else None
        if message is not None and (message.attachments or message.meeting):
            self.chosen.show_message(message)
        elif "chosen" in self.__dict__:
            self.chosen.hide()

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
        from ui.workroom.dialogs import MeetingDialog  # its widgets' classes loaded when first asked

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
            if "found" in self.__dict__:
                self.found.hide()
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
        self.found.show_hits([(self._message_text(message), message) for message in hits], note)

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
            self.found.say("That message is older than the thread held here.")


class Found(QWidget):
    """What a search found, and a note on how (offline: in the copy alone); choosing a message
    scrolls the thread to it."""

    def __init__(self, tab: MessagesTab) -> None:
        super().__init__(tab)
        self.tab = tab
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.hits = QListWidget(self)
        self.hits.setAccessibleName("Messages found")
        self.hits.setWordWrap(True)
        self.hits.setMaximumHeight(120)
        self.hits.currentItemChanged.connect(self._chosen)
        layout.addWidget(self.note)
        layout.addWidget(self.hits)

    def show_hits(self, hits: list[tuple[str, workroom.Message]], note: str) -> None:
        if not hits:
            note = f"{note} No message holds these words.".strip()
        self.hits.clear()
        for text, message in hits:
            item = QListWidgetItem(text)
            item.setData(_MESSAGE, message)
            self.hits.addItem(item)
        self.hits.setVisible(bool(hits))
        self.say(note)

    def _chosen(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.tab.go_to(item.data(_MESSAGE).number)

    def say(self, note: str) -> None:
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.show()


class ChosenMessage(QWidget):
    """The chosen message's files, to open or save, and its meeting, to join or add to a calendar."""

    def __init__(self, tab: MessagesTab) -> None:
        super().__init__(tab)
        self.room = tab.room
        self.message: workroom.Message | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.attachment_list = QListWidget(self)
        self.attachment_list.setAccessibleName("Files of the message")
        self.attachment_list.setMaximumHeight(72)
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
        layout.addWidget(self.attachment_list, 1)
        for button in (self.open_button, self.save_button, self.join_button, self.invitation_button):
            button.setAutoDefault(False)
            layout.addWidget(button)

    def show_message(self, message: workroom.Message) -> None:
        self.message = message
        self.attachment_list.clear()
        self.attachment_list.addItems([file["name"] for file in message.attachments])
        self.attachment_list.setCurrentRow(0)
        for widget in (self.attachment_list, self.open_button, self.save_button):
            widget.setVisible(bool(message.attachments))
        meeting = message.meeting
        self.join_button.setVisible(meeting is not None)
        self.invitation_button.setVisible(meeting is not None)
        self.join_button.setEnabled(bool(meeting and meeting.get("join_url")))
        self.invitation_button.setEnabled(bool(meeting and "invitation" in meeting))  # once on the service
        self.show()

    def _chosen_file(self, then: Callable[[dict], None]) -> None:
        row = self.attachment_list.currentRow()
        if self.message is not None and 0 <= row < len(self.message.attachments):
            then(self.message.attachments[row])

    def open_attachment(self) -> None:
        self._chosen_file(lambda file: open_file(self.room, file))

    def save_attachment(self, target: Path) -> None:
        self._chosen_file(lambda file: save_file(self.room, file, target))

    def join_meeting(self) -> None:
        meeting = self.message.meeting if self.message else None
        if meeting and meeting.get("join_url"):
            QtGui.QDesktopServices.openUrl(QtCore.QUrl(meeting["join_url"]))

    def _ask_save_invitation(self) -> None:
        meeting = self.message.meeting if self.message else None
        if meeting:
            name = f"{meeting['title']}.ics"
            target, _filter = QtWidgets.QFileDialog.getSaveFileName(
                self, "Save invitation", name, "Calendar (*.ics)"
            )
            if target:
                self.save_invitation(Path(target))

    def save_invitation(self, target: Path) -> None:
        """Save the meeting's invitation, as the service makes it, for a calendar."""
        meeting = self.message.meeting if self.message else None
        if not meeting or "id" not in meeting:
            return
        contract_id, meeting_id = self.room.contract_id, meeting["id"]

        def write(ics: bytes) -> None:
            try:
                target.write_bytes(ics)
            except OSError as error:
                self.room.show_error(f"The invitation could not be saved as {target}: {error.strerror}.")

        self.room.ask(lambda online: online.client.invitation(contract_id, meeting_id), write)
