"""A workroom's files in the window: those chosen to go with what is being written, and the
thread's, opened or saved from this computer when held here (sent from here, or downloaded before),
else downloaded through the sync thread first.

The file dialogs and the desktop's opener are looked up in their modules when used: PySide makes a
class's Python type at its first lookup, memory the window does not need before then."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QPushButton, QVBoxLayout, QWidget

from common.errors import RuleViolation
from tracker import workroom
from ui.sync_thread import Online

if TYPE_CHECKING:
    from ui.workroom import WorkroomWindow


class FilePicker(QWidget):
    """The files chosen to go with a message or a submission: listed, removable; a file the service
    would refuse (too big) is refused when chosen."""

    def __init__(self, room: WorkroomWindow, parent: QWidget) -> None:
        super().__init__(parent)
        self.room = room
        self.paths: list[Path] = []
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._buttons = QVBoxLayout()
        self.attach_button = QPushButton("A&ttach…", self)
        self.attach_button.setAutoDefault(False)
        self.attach_button.clicked.connect(self.choose)
        self._buttons.addWidget(self.attach_button)
        self._buttons.addStretch()
        self._layout.addStretch(1)
        self._layout.addLayout(self._buttons)

    @cached_property
    def file_list(self) -> QListWidget:
        """The files chosen, with their Remove button: made with the first one."""
        file_list = QListWidget(self)
        file_list.setAccessibleName("Files to send")
        file_list.setMaximumHeight(72)
        self._layout.takeAt(0)  # the stretch that kept the button at the right
        self._layout.insertWidget(0, file_list, 1)
        self.remove_button = QPushButton("Remo&ve file", self)
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self.remove_selected)
        self._buttons.insertWidget(1, self.remove_button)
        return file_list

    def choose(self) -> None:
        names, _filter = QtWidgets.QFileDialog.getOpenFileNames(self, "Attach files")
        self.add(Path(name) for name in names)

    def add(self, paths: Iterable[Path]) -> None:
        for path in paths:
            try:
                workroom.check_attachable(path)
            except RuleViolation as refusal:
                self.room.show_error(str(refusal))
                continue
            self.paths.append(path)
        self._show()

    def remove_selected(self) -> None:
        row = self.file_list.currentRow()
        if row >= 0:
            del self.paths[row]
            self._show()

    def take(self) -> list[Path]:
        """The files chosen, the list emptied for the next message."""
        paths, self.paths = self.paths, []
        self._show()
        return paths

    def _show(self) -> None:
        if not self.paths and "file_list" not in self.__dict__:
            return
        self.file_list.clear()
        self.file_list.addItems([path.name for path in self.paths])
        self.file_list.setVisible(bool(self.paths))
        self.remove_button.setVisible(bool(self.paths))


def fetch_file(room: WorkroomWindow, file: dict, then: Callable[[Path], None]) -> None:
    """``then`` the file's path on this computer, downloaded first if it is not held here."""
    contract_id, name = room.contract_id, file["name"]

    def download(online: Online) -> Path:
        from sync.workroom import download_file  # loaded on the sync thread already

        return download_file(online.client, online.database, contract_id, file)

    def not_downloaded(reason: str) -> None:
        room.show_error(
            f"“{name}” is not on this computer yet, and downloading it needs the contract service. {reason}"
        )

    def found(path: Path | None) -> None:
        if path is not None:
            then(path)
        elif "id" not in file:  # the copy of a file sent from here, gone before the service had it
            room.show_error(f"“{name}” is no longer on this computer.")
        else:
            room.ask(download, then, not_downloaded)

    room.operations.read(room, lambda context: workroom.local_file(context.diary.db, file), found)


def open_file(room: WorkroomWindow, file: dict) -> None:
    """Open the file in the application the desktop opens its kind with."""

    def open_path(path: Path) -> None:
        QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(str(path)))

    fetch_file(room, file, open_path)


def save_file(room: WorkroomWindow, file: dict, target: Path) -> None:
    def copy(path: Path) -> None:
        try:
            shutil.copyfile(path, target)
        except OSError as error:
            room.show_error(f"“{file['name']}” could not be saved as {target}: {error.strerror}.")

    fetch_file(room, file, copy)


def ask_save_file(room: WorkroomWindow, parent: QWidget, file: dict) -> None:
    target, _filter = QtWidgets.QFileDialog.getSaveFileName(parent, "Save as", file["name"])
    if target:
        save_file(room, file, Path(target))
