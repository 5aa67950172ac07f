"""The tray icon: the tracking state at a glance, the menu for everything a day needs without the
window, the running session and today's and this week's time in the tooltip, and the notifications.

Like the main window it only shows what the app gives it and reports what the user picks.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from common.contract import contract_label
from common.timetext import duration_text, hm
from tracker.tables import ContractRow
from ui.theme import APP_NAME, ERROR, IDLE, TRACKING, UNSYNCED, tray_icon
from ui.tracking_thread import Status

NOTIFICATION_MS = 8000
SIGN_IN_FIRST = "Sign in to a contract service in Settings to sync."


class Tray(QObject):
    toggle_requested = Signal()  # start (on the chosen contract) or stop
    contract_chosen = Signal(str)  # switches when tracking, selects otherwise
    memo_requested = Signal()
    diary_requested = Signal()
    workroom_chosen = Signal(str)  # a service contract's id: its workroom
    window_requested = Signal()
    sync_requested = Signal()
    quit_requested = Signal()
    message_clicked = Signal(object)  # what the clicked notification was about (a screenshot id…)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = IDLE
        self.tracking = False
        self.selected: str | None = None
        self._titles: dict[str, str] = {}
        self._message_target: object = None
        self._tooltip = ""
        self.icon = QSystemTrayIcon(parent)
        self.icon.setIcon(tray_icon(IDLE, False))
        self.menu = QMenu()
        self.menu.setToolTipsVisible(True)
        self.menu.setAccessibleName(f"{APP_NAME} menu")
        self.start_action = self._action("&Start tracking", self.toggle_requested)
        self.contract_menu = self.menu.addMenu("&Contract")
        self.contract_group = QActionGroup(self.contract_menu)
        self.contract_group.setExclusive(True)
        self.memo_action = self._action("&Memo…", self.memo_requested)
        self.menu.addSeparator()
        self.diary_action = self._action("Open Work &Diary", self.diary_requested)
        self.workroom_menu = self.menu.addMenu("Open &workroom")
        self.workroom_menu.setEnabled(False)
        self.window_action = self._action("&Open Workdiary", self.window_requested)
        self.sync_action = self._action("S&ync now", self.sync_requested)
        self.set_signed_in(False)
        self.menu.addSeparator()
        self.quit_action = self._action("&Quit", self.quit_requested)
        self.quit_action.setToolTip("Stops tracking, saves and quits")
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.icon.messageClicked.connect(lambda: self.message_clicked.emit(self._message_target))
        self._set_tooltip("Not tracking", "")

    def _action(self, text: str, signal) -> QAction:
        action = QAction(text, self.menu)
        action.triggered.connect(signal)
        self.menu.addAction(action)
        return action

    # ----- what the app tells the tray

    def show(self) -> bool:
        """Shows the icon; False when there is no tray to show it in."""
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return False
        self.icon.show()
        return True

    def hide(self) -> None:
        self.icon.hide()

    def set_contracts(self, contracts: list[ContractRow], selected: str | None) -> None:
        self._titles = {contract.id: contract.title for contract in contracts}
        items = [(contract_label(contract).replace("&", "&&"), contract.id) for contract in contracts]
        if items == [(action.text(), action.data()) for action in self.contract_group.actions()]:
            self.select(selected)  # unchanged (each sync pass re-reads them): an open menu stays open
            return
        for action in self.contract_group.actions():
            self.contract_group.removeAction(action)
            self.contract_menu.removeAction(action)
            action.deleteLater()
        for label, contract_id in items:
            action = QAction(label, self.contract_menu)
            action.setCheckable(True)
            action.setData(contract_id)
            action.triggered.connect(lambda _checked=False, cid=contract_id: self.contract_chosen.emit(cid))
            self.contract_group.addAction(action)
            self.contract_menu.addAction(action)
        self.select(selected)

    def set_workrooms(self, workrooms: list[tuple[str, str]]) -> None:
        """The "Open workroom" submenu: (contract id, label with its unread count) per service
        contract."""
        items = [(label.replace("&", "&&"), contract_id) for contract_id, label in workrooms]
        if items == [(action.text(), action.data()) for action in self.workroom_menu.actions()]:
            return  # unchanged: an open menu stays open
        self.workroom_menu.clear()
        for label, contract_id in items:
            action = self.workroom_menu.addAction(label)
            action.setData(contract_id)
            action.triggered.connect(lambda _checked=False, cid=contract_id: self.workroom_chosen.emit(cid))
        self.workroom_menu.setEnabled(bool(items))

    def select(self, contract_id: str | None) -> None:
        self.selected = contract_id
        for action in self.contract_group.actions():
            action.setChecked(action.data() == contract_id)
        self._label_start()

    def show_status(self, status: Status) -> None:
        if status.tracking and status.contract_id and status.contract_id != self.selected:
            self.select(status.contract_id)
        if status.tracking != self.tracking:
            self.tracking = status.tracking
            self._label_start()
            self._update_icon()
        title = self._titles.get(status.contract_id or "", "")
        on = f"on “{title}”" if title else "on this contract"
        if status.idle_since is not None:
            doing = "Idle — waiting for your answer"
        elif status.tracking and status.session_started is not None:
            elapsed = duration_text((status.at - status.session_started).total_seconds())
            doing = f"Tracking “{title}” · {elapsed}" if title else f"Tracking · {elapsed}"
        else:
            doing = "Not tracking"
        week = hm(status.contract_week_seconds)
        if status.week_limit_seconds:
            week += f" of {hm(status.week_limit_seconds)}"
        self._set_tooltip(
            doing,
            f"Today {hm(status.contract_today_seconds)} {on}, {hm(status.today_seconds)} on all contracts\n"
            f"This week {week} {on}, {hm(status.week_seconds)} on all contracts",
        )

    def set_signed_in(self, signed_in: bool) -> None:
        self.sync_action.setEnabled(signed_in)
        tip = "" if signed_in else SIGN_IN_FIRST
        self.sync_action.setToolTip(tip)
        self.sync_action.setStatusTip(tip)

    def set_state(self, state: str) -> None:
        """IDLE/TRACKING follow the status; ERROR (capture or storage failed) and UNSYNCED (time
        waiting while the service is unreachable, or set aside by it) are set by the app."""
        if state == TRACKING:
            state = IDLE
        if state != self.state:
            self.state = state
            self._update_icon()
            self._set_tooltip(*self._parts)

    def notify(self, title: str, text: str, target: object = None, warning: bool = False) -> bool:
        """A notification; clicking it emits ``message_clicked(target)``. False when it cannot be
        shown (no tray)."""
        if not self.icon.isVisible() or not QSystemTrayIcon.supportsMessages():
            return False
        self._message_target = target
        kind = QSystemTrayIcon.MessageIcon.Warning if warning else QSystemTrayIcon.MessageIcon.Information
        self.icon.showMessage(title, text, kind, NOTIFICATION_MS)
        return True

    def tooltip(self) -> str:
        return self._tooltip

    # ----- internals

    def _label_start(self) -> None:
        title = self._titles.get(self.selected or "", "")
        if self.tracking:
            self.start_action.setText("S&top tracking")
        else:
            on = f" on “{title}”" if title else ""
            self.start_action.setText(f"&Start tracking{on.replace('&', '&&')}")

    def _update_icon(self) -> None:
        self.icon.setIcon(tray_icon(self.state, self.tracking))

    def _set_tooltip(self, first: str, second: str) -> None:
        self._parts = (first, second)
        text = f"{APP_NAME} — {first}" + (f"\n{second}" if second else "")
        if self.state == ERROR:
            text += "\nSomething went wrong: open the window to see what."
        elif self.state == UNSYNCED:
            text += "\nNot synced: open the window to see why."
        if text != self._tooltip:
            self._tooltip = text
            self.icon.setToolTip(text)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.window_requested.emit()
