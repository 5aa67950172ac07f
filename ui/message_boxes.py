"""The app's window-modal question and message boxes; neither blocks the event loop."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def ask(
    parent: QWidget | None,
    title: str,
    text: str,
    confirm: str,
    on_confirm: Callable[[], None],
    informative: str = "",
    name: str = "confirm",
) -> QMessageBox:
    """A window-modal question that does not block: ``on_confirm`` runs only if the user picks
    ``confirm``. Cancel is the default, so Enter never destroys anything by accident."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName(name)
    box.setInformativeText(informative)
    yes = box.addButton(confirm, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    yes.setObjectName("confirm-button")
    yes.setAccessibleName(confirm.replace("&", ""))
    cancel.setAccessibleName("Cancel")
    box.setAccessibleName(title)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.finished.connect(lambda _result: on_confirm() if box.clickedButton() is yes else None)
    box.open()
    return box


def tell(parent: QWidget | None, title: str, text: str, name: str = "message") -> QMessageBox:
    """A window-modal warning that does not block."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName(name)
    box.setAccessibleName(title)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
