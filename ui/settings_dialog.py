"""The settings: the contract service account, idle detection, counting keys and clicks from the
input devices (in a Wayland session), the weekly limit, screenshots, start at login, notifications.

The dialog builds a new ``Settings`` and hands it to ``apply`` (the app saves it, writes or
removes the autostart entry and passes it to the tracker); a failure is shown here and the dialog
stays open. Signing in and out take effect at once, through the app's ``Account``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QImageWriter
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from common.errors import EnvironmentProblem, WorkdiaryError
from sync.address import service_url_problem
from tracker.capture.devices import InputDevices
from tracker.capture.session import WAYLAND, detect_session
from tracker.settings import Settings
from ui import autostart
from ui.sync_thread import SignInResult, SyncProgress, SyncService
from ui.theme import APP_NAME, app_icon, muted, set_text_color, warning_color

log = logging.getLogger(__name__)

DEFAULT_SERVICE_URL = "http://127.0.0.1:8765"  # where `workdiary-service serve` listens
COUNT_DEVICES_HINT = (
    "This desktop (Wayland) tells Workdiary only whether there was input, so blocks show active time "
    "without keyboard and mouse counts. With this on, Workdiary reads the keyboards and mice "
    "themselves (/dev/input) and counts key presses, clicks and moves; it never keeps which keys. "
    "Reading them needs your user in the input group (sudo usermod -aG input $USER, then log in "
    "again), and that lets every program you run read every key you type. "
    "Takes effect when Workdiary starts next."
)


class Account(Protocol):
    """What the dialog needs of the app for the contract service account."""

    sync: SyncService

    def sign_in(self, service_url: str, email: str, password: str) -> None: ...

    def sign_out(self) -> None: ...


@dataclass(frozen=True)
class Monitor:
    number: int  # 1-based, as mss numbers them (the numbers settings keep)
    width: int
    height: int
    left: int
    top: int

    def label(self) -> str:
        return f"Monitor {self.number}: {self.width}×{self.height} at {self.left},{self.top}"


def comma_separated(text: str) -> tuple[str, ...]:
    """The entries of a comma-separated list, trimmed, each once (whatever its case), in order."""
    entries: dict[str, str] = {}
    for entry in text.split(","):
        if entry.strip():
            entries.setdefault(entry.strip().casefold(), entry.strip())
    return tuple(entries.values())


def list_monitors() -> list[Monitor]:
    """The connected monitors as the screenshot capturer numbers them; empty when unknown."""
    try:
        import mss

        with mss.MSS() as grabber:
            return [
                Monitor(number, m["width"], m["height"], m["left"], m["top"])
                for number, m in enumerate(grabber.monitors[1:], start=1)
            ]
    except Exception as error:  # no display, no X extension…: the dialog offers "all monitors" only
        log.info("monitors cannot be listed: %s", error)
        return []


def webp_available() -> bool:
    return b"webp" in {bytes(f) for f in QImageWriter.supportedImageFormats()}


class SettingsDialog(QDialog):
    def __init__(
        self,
        settings: Settings,
        apply: Callable[[Settings], None],
        account: Account | None = None,
        monitors: list[Monitor] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.apply = apply
        self.account = account
        self.monitors = list_monitors() if monitors is None else monitors
        self.setObjectName("settings-dialog")
        self.setWindowTitle(f"Settings — {APP_NAME}")
        self.setWindowIcon(app_icon())
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setAccessibleName("Settings")
        self._build()
        self._load(settings)
        if account is not None:
            account.sync.state.connect(self._show_account)
            account.sync.signed_in.connect(self._signed_in)
            self._show_account(account.sync.current)
        else:
            self.account_box.hide()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_account())

        idle = QGroupBox("Idle time", self)
        form = QFormLayout(idle)
        self.idle_spin = self._minutes(1, 120, "Idle threshold")
        form.addRow(self._label("&Idle after no input for:", self.idle_spin), self.idle_spin)
        self.answer_spin = self._minutes(1, 120, "Idle question timeout")
        self.answer_spin.setToolTip("Unanswered this long, the idle time is discarded and tracking stops")
        form.addRow(self._label("&Unanswered idle question stops after:", self.answer_spin), self.answer_spin)
        layout.addWidget(idle)
        devices = self._build_devices()
        devices.setVisible(detect_session().kind == WAYLAND)  # elsewhere keys and clicks are counted
        layout.addWidget(devices)

        limit = QGroupBox("Weekly limit", self)
        limit_layout = QVBoxLayout(limit)
        self.over_limit_check = QCheckBox("&Keep tracking over the weekly limit", limit)
        self.over_limit_check.setAccessibleName("Keep tracking over the weekly limit")
        over_hint = QLabel("Time over the limit is marked so and is not billed.", limit)
        set_text_color(over_hint, muted)
        limit_layout.addWidget(self.over_limit_check)
        limit_layout.addWidget(over_hint)
        layout.addWidget(limit)

        shots = QGroupBox("Screenshots", self)
        shots_layout = QVBoxLayout(shots)
        self.all_monitors = QRadioButton("&All monitors", shots)
        self.all_monitors.setAccessibleName("Capture all monitors")
        self.chosen_monitors = QRadioButton("Only the &chosen monitors:", shots)
        self.chosen_monitors.setAccessibleName("Capture only the chosen monitors")
        group = QButtonGroup(self)
        group.addButton(self.all_monitors)
        group.addButton(self.chosen_monitors)
        self.monitor_list = QListWidget(shots)
        self.monitor_list.setAccessibleName("Monitors to capture")
        self.monitor_list.setMaximumHeight(90)
        for monitor in self.monitors:
            item = QListWidgetItem(monitor.label(), self.monitor_list)
            item.setData(Qt.ItemDataRole.UserRole, monitor.number)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        if not self.monitors:
            self.chosen_monitors.setEnabled(False)
            self.chosen_monitors.setToolTip("The monitors cannot be listed on this system")
        self.chosen_monitors.toggled.connect(self.monitor_list.setEnabled)
        shots_layout.addWidget(self.all_monitors)
        shots_layout.addWidget(self.chosen_monitors)
        shots_layout.addWidget(self.monitor_list)
        shot_form = QFormLayout()
        self.format_box = QComboBox(shots)
        self.format_box.setAccessibleName("Screenshot format")
        self.format_box.addItem("WebP (sharp text in small files)", "webp")
        self.format_box.addItem("JPEG (2–3 times larger for the same sharpness)", "jpeg")
        if not webp_available():
            self.format_box.model().item(0).setEnabled(False)
        shot_form.addRow(self._label("&Format:", self.format_box), self.format_box)
        self.hold_spin = self._minutes(0, 24 * 60, "Hold period")
        self.hold_spin.setToolTip("How long a screenshot stays on this computer for review before upload")
        shot_form.addRow(self._label("&Hold for review:", self.hold_spin), self.hold_spin)
        self.private_edit = self._line("Private apps")
        self.private_edit.setPlaceholderText("e.g. KeePassXC, My Bank")
        shot_form.addRow(self._label("&Private apps:", self.private_edit), self.private_edit)
        shots_layout.addLayout(shot_form)
        private_hint = QLabel(
            "No screenshot while a window whose app or title contains one of these (comma-separated) "
            "is on screen.",
            shots,
        )
        private_hint.setWordWrap(True)
        set_text_color(private_hint, muted)
        shots_layout.addWidget(private_hint)
        layout.addWidget(shots)

        general = QGroupBox("General", self)
        general_layout = QVBoxLayout(general)
        self.autostart_check = QCheckBox("Start Workdiary at &login", general)
        self.autostart_check.setAccessibleName("Start at login")
        if not autostart.supported():
            self.autostart_check.setEnabled(False)
            self.autostart_check.setToolTip("Not available on this system yet")
        self.notify_check = QCheckBox("Show &notifications (screenshots, limits, tracking stopped)", general)
        self.notify_check.setAccessibleName("Show notifications")
        general_layout.addWidget(self.autostart_check)
        general_layout.addWidget(self.notify_check)
        layout.addWidget(general)

        self.error_label = QLabel(self)
        self.error_label.setObjectName("settings-error")
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName("Error")
        set_text_color(self.error_label, warning_color)
        self.error_label.hide()
        layout.addWidget(self.error_label)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save settings")
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def _build_devices(self) -> QGroupBox:
        devices = QGroupBox("Keyboard and mouse counts", self)
        devices_layout = QVBoxLayout(devices)
        self.devices_check = QCheckBox("Count keys and clicks from the input &devices", devices)
        self.devices_check.setAccessibleName("Count keys and clicks from the input devices")
        hint = QLabel(COUNT_DEVICES_HINT, devices)
        hint.setWordWrap(True)
        set_text_color(hint, muted)
        self.devices_problem = QLabel(devices)
        self.devices_problem.setObjectName("devices-problem")
        self.devices_problem.setWordWrap(True)
        set_text_color(self.devices_problem, warning_color)
        self.devices_problem.hide()
        self.devices_check.toggled.connect(self._check_devices)
        devices_layout.addWidget(self.devices_check)
        devices_layout.addWidget(hint)
        devices_layout.addWidget(self.devices_problem)
        return devices

    def _check_devices(self, on: bool) -> None:
        """Says at once when the devices cannot be read: tracking would use the idle time."""
        problem = ""
        if on:
            try:
                InputDevices().check()
            except EnvironmentProblem as cannot:
                problem = f"{cannot} Until then, activity comes from the idle time."
        self.devices_problem.setText(problem)
        self.devices_problem.setVisible(bool(problem))

    def _build_account(self) -> QGroupBox:
        box = self.account_box = QGroupBox("Contract service", self)
        layout = QVBoxLayout(box)
        self.signed_in_panel = QWidget(box)
        row = QHBoxLayout(self.signed_in_panel)
        row.setContentsMargins(0, 0, 0, 0)
        self.account_label = QLabel(self.signed_in_panel)
        self.account_label.setWordWrap(True)
        self.account_label.setAccessibleName("Signed-in account")
        self.sign_out_button = QPushButton("Sign &out", self.signed_in_panel)
        self.sign_out_button.setAccessibleName("Sign out")
        self.sign_out_button.setAutoDefault(False)
        self.sign_out_button.clicked.connect(self._sign_out)
        row.addWidget(self.account_label, 1)
        row.addWidget(self.sign_out_button)
        layout.addWidget(self.signed_in_panel)

        self.sign_in_panel = QWidget(box)
        form = QFormLayout(self.sign_in_panel)
        form.setContentsMargins(0, 0, 0, 0)
        self.url_edit = self._line("Service address")
        self.email_edit = self._line("Email")
        self.password_edit = self._line("Password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self._label("Service &address:", self.url_edit), self.url_edit)
        form.addRow(self._label("&Email:", self.email_edit), self.email_edit)
        form.addRow(self._label("&Password:", self.password_edit), self.password_edit)
        self.sign_in_button = QPushButton("S&ign in", self.sign_in_panel)
        self.sign_in_button.setAccessibleName("Sign in")
        self.sign_in_button.setAutoDefault(False)
        self.sign_in_button.clicked.connect(self._sign_in)
        self.password_edit.returnPressed.connect(self._sign_in)
        form.addRow("", self.sign_in_button)
        layout.addWidget(self.sign_in_panel)

        self.account_message = QLabel(box)
        self.account_message.setObjectName("account-message")
        self.account_message.setWordWrap(True)
        self.account_message.setAccessibleName("Account message")
        self.account_message.hide()
        layout.addWidget(self.account_message)
        return box

    def _line(self, name: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setAccessibleName(name)
        return edit

    def _minutes(self, low: int, high: int, name: str) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setRange(low, high)
        spin.setSuffix(" min")
        spin.setAccessibleName(name)
        return spin

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(buddy)
        return label

    def _load(self, settings: Settings) -> None:
        self.url_edit.setText(settings.service_url or DEFAULT_SERVICE_URL)
        self.email_edit.setText(settings.account_email)
        self.idle_spin.setValue(settings.idle_minutes)
        self.answer_spin.setValue(settings.idle_answer_minutes)
        self.over_limit_check.setChecked(settings.keep_tracking_over_limit)
        chosen = set(settings.screenshot_monitors)
        (self.chosen_monitors if chosen and self.monitors else self.all_monitors).setChecked(True)
        self.monitor_list.setEnabled(self.chosen_monitors.isChecked())
        for row in range(self.monitor_list.count()):
            item = self.monitor_list.item(row)
            number = item.data(Qt.ItemDataRole.UserRole)
            item.setCheckState(Qt.CheckState.Checked if number in chosen else Qt.CheckState.Unchecked)
        index = self.format_box.findData(settings.screenshot_format)
        self.format_box.setCurrentIndex(max(index, 0))
        self.hold_spin.setValue(settings.hold_minutes)
        self.private_edit.setText(", ".join(settings.private_apps))
        self.private_edit.setCursorPosition(0)
        self.autostart_check.setChecked(autostart.is_enabled() or settings.start_at_login)
        self.notify_check.setChecked(settings.notifications)
        self.devices_check.setChecked(settings.count_input_devices)

    def chosen(self) -> Settings:
        """The settings as the dialog shows them."""
        monitors: tuple[int, ...] = ()
        if self.chosen_monitors.isChecked():
            monitors = tuple(
                self.monitor_list.item(row).data(Qt.ItemDataRole.UserRole)
                for row in range(self.monitor_list.count())
                if self.monitor_list.item(row).checkState() == Qt.CheckState.Checked
            )
        return replace(
            self.settings,
            idle_minutes=self.idle_spin.value(),
            idle_answer_minutes=self.answer_spin.value(),
            keep_tracking_over_limit=self.over_limit_check.isChecked(),
            screenshot_monitors=monitors,
            screenshot_format=self.format_box.currentData(),
            hold_minutes=self.hold_spin.value(),
            private_apps=comma_separated(self.private_edit.text()),
            start_at_login=self.autostart_check.isChecked() and autostart.supported(),
            notifications=self.notify_check.isChecked(),
            count_input_devices=self.devices_check.isChecked(),
        )

    def _save(self) -> None:
        settings = self.chosen()
        if self.chosen_monitors.isChecked() and not settings.screenshot_monitors:
            self._show_error("Choose at least one monitor, or “All monitors”.")
            return
        try:
            self.apply(settings)
        except WorkdiaryError as error:
            self._show_error(str(error))
            return
        self.settings = settings
        self.accept()

    # ----- the account

    def _show_account(self, state: SyncProgress) -> None:
        self.signed_in_panel.setVisible(state.signed_in)
        self.sign_in_panel.setVisible(not state.signed_in)
        if state.signed_in:
            self.account_label.setText(f"Signed in as {state.account}\nat {state.service_url}")

    def _sign_in(self) -> None:
        url, email = self.url_edit.text().strip().rstrip("/"), self.email_edit.text().strip()
        problem = service_url_problem(url)
        if not problem and not (email and self.password_edit.text()):
            problem = "Enter your email and password."
        if problem:
            self._account_message(problem, warning=True)
            return
        self.sign_in_button.setEnabled(False)
        self._account_message(f"Signing in to {url}…")
        self.account.sign_in(url, email, self.password_edit.text())

    def _signed_in(self, result: SignInResult) -> None:
        self.sign_in_button.setEnabled(True)
        self.password_edit.clear()
        if result.error:
            self._account_message(result.error, warning=True)
            return
        self.settings = replace(self.settings, service_url=result.service_url, account_email=result.email)
        self._account_message(
            " ".join(filter(None, ("Signed in. Your time syncs from now on.", result.note)))
        )

    def _sign_out(self) -> None:
        self.account.sign_out()
        self.settings = replace(self.settings, account_email="")
        self._account_message("Signed out. Your time stays on this computer until you sign in again.")

    def _account_message(self, text: str, warning: bool = False) -> None:
        self.account_message.setText(text)
        set_text_color(self.account_message, warning_color if warning else muted)
        self.account_message.show()

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
