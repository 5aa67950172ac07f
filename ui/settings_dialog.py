"""The settings: idle detection, the weekly limit, screenshots, start at login, notifications.

The dialog builds a new ``Settings`` and hands it to ``apply`` (the app saves it, writes or
removes the autostart entry and passes it to the tracker); a failure is shown here and the dialog
stays open.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

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
    QLabel,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from tracker import autostart
from tracker.errors import WorkdiaryError
from tracker.settings import Settings
from ui.theme import APP_NAME, app_icon, muted, set_text_color, warning_color

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Monitor:
    number: int  # 1-based, as mss numbers them (the numbers settings keep)
    width: int
    height: int
    left: int
    top: int

    def label(self) -> str:
        return f"Monitor {self.number}: {self.width}×{self.height} at {self.left},{self.top}"


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
        monitors: list[Monitor] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.apply = apply
        self.monitors = list_monitors() if monitors is None else monitors
        self.setObjectName("settings-dialog")
        self.setWindowTitle(f"Settings — {APP_NAME}")
        self.setWindowIcon(app_icon())
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setAccessibleName("Settings")
        self._build()
        self._load(settings)

    def _build(self) -> None:
        layout = QVBoxLayout(self)

        idle = QGroupBox("Idle time", self)
        form = QFormLayout(idle)
        self.idle_spin = self._minutes(1, 120, "Idle threshold")
        form.addRow(self._label("&Idle after no input for:", self.idle_spin), self.idle_spin)
        self.answer_spin = self._minutes(1, 120, "Idle question timeout")
        self.answer_spin.setToolTip("Unanswered this long, the idle time is discarded and tracking stops")
        form.addRow(self._label("&Unanswered idle question stops after:", self.answer_spin), self.answer_spin)
        layout.addWidget(idle)

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
        self.format_box.addItem("JPEG (fast)", "jpeg")
        self.format_box.addItem("WebP (smaller, slower to encode)", "webp")
        if not webp_available():
            self.format_box.model().item(1).setEnabled(False)
        shot_form.addRow(self._label("&Format:", self.format_box), self.format_box)
        self.hold_spin = self._minutes(0, 24 * 60, "Hold period")
        self.hold_spin.setToolTip("How long a screenshot stays on this computer for review before upload")
        shot_form.addRow(self._label("&Hold for review:", self.hold_spin), self.hold_spin)
        shots_layout.addLayout(shot_form)
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
        self.autostart_check.setChecked(autostart.is_enabled() or settings.start_at_login)
        self.notify_check.setChecked(settings.notifications)

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
            start_at_login=self.autostart_check.isChecked() and autostart.supported(),
            notifications=self.notify_check.isChecked(),
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

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
