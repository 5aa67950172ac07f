"""The Work Diary's dialogs: Add Time, Edit memo, a block's screenshot full size, and the
confirmations and messages around them.

Every dialog is shown with ``open()`` (window-modal, non-blocking) and reports through signals, so
the app never nests event loops and tests drive the dialogs as a user would.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta

from PySide6.QtCore import QDate, QEvent, Qt, Signal
from PySide6.QtGui import QPalette, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from common.contract import contract_label
from common.rules import ContractTerms, why_no_manual_time
from common.states import BlockSource, ContractStatus
from common.timetext import hm
from common.timeutil import SLOT, local_day_bounds, slot_start
from common.wire import MAX_MEMO_CHARS
from tracker.diary import Diary
from tracker.tables import ContractRow, ImageRow
from ui.diary.day import Cell
from ui.diary.palette import USER_ERRORS
from ui.message_boxes import ask
from ui.operations import Context, Operations, delete_screenshot
from ui.shots import image_details
from ui.theme import warning_color


def error_label(parent: QWidget) -> QLabel:
    """A label for a rule's message inside a dialog, readable in light and dark palettes."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAccessibleName("Error")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, warning_color(palette))
    label.setPalette(palette)
    label.hide()
    return label


def show_error(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setAccessibleDescription(text)
    label.setVisible(bool(text))


class MemoDialog(QDialog):
    """Edit the memo of the selected blocks. Whoever applies the memo closes the dialog with
    ``accept()``, or shows why not with ``refuse()``: the typed text stays to be saved again or
    copied.

    Signals:
        submitted(str): Save was pressed, with the memo.
    """

    submitted = Signal(str)

    def __init__(self, memo: str, count: int, seconds: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit memo")
        self.setAccessibleName("Edit memo")
        layout = QVBoxLayout(self)
        what = f"{count} block{'s' if count != 1 else ''} ({hm(seconds)})"
        caption = QLabel(f"&Memo for {what}:", self)
        self.memo_edit = QLineEdit(memo, self)
        self.memo_edit.setMaxLength(MAX_MEMO_CHARS)
        self.memo_edit.setAccessibleName("Memo")
        self.memo_edit.setAccessibleDescription(f"The new memo of {what}")
        self.memo_edit.setMinimumWidth(360)
        self.memo_edit.selectAll()
        caption.setBuddy(self.memo_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save memo")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        self.buttons.accepted.connect(lambda: self.submitted.emit(self.memo()))
        self.buttons.rejected.connect(self.reject)
        self.error_label = error_label(self)
        layout.addWidget(caption)
        layout.addWidget(self.memo_edit)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    def memo(self) -> str:
        return self.memo_edit.text().strip()

    def refuse(self, reason: str) -> None:
        show_error(self.error_label, f"Memo not changed: {reason}")
        self.memo_edit.setFocus(Qt.FocusReason.OtherFocusReason)


def slot_choices(day: date, zone) -> list[tuple[str, datetime]]:
    """The 10-minute slot boundaries within a local date, as (local label, UTC instant). Slots are
    UTC-aligned, so where the zone is 45 minutes off they read :05, :15, …; on a day when clocks
    go back the repeated times are told apart by their zone abbreviation."""
    day_start, day_end = local_day_bounds(day, zone)
    moment = slot_start(day_start)
    if moment < day_start:
        moment += SLOT
    choices = []
    while moment <= day_end:
        local = moment.astimezone(zone)
        label = "24:00" if moment == day_end and local.date() != day else f"{local:%H:%M}"
        choices.append((label, moment))
        moment += SLOT
    labels = [label for label, _ in choices]
    return [
        (f"{label} {moment.astimezone(zone):%Z}" if labels.count(label) > 1 else label, moment)
        for label, moment in choices
    ]


def index_of(combo: QComboBox, moment: datetime) -> int:
    """The item holding ``moment`` (``findData`` compares Python objects by identity)."""
    return next((i for i in range(combo.count()) if combo.itemData(i) == moment), -1)


class AddTimeDialog(QDialog):
    """Manual time on a contract: date, start and end in 10-minute steps (local time), memo.

    The core's rules decide (the time is added as an operation); a refusal is shown in the dialog,
    which stays open to be corrected.

    Signals:
        added(list, date, datetime): the new block ids, the local date and the UTC start of the
            added time, once it is in the database.
    """

    added = Signal(list, object, object)

    def __init__(
        self,
        diary: Diary,
        operations: Operations,
        now: Callable[[], datetime],
        contracts: list[ContractRow],
        contract_id: str | None,
        day: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.operations = operations
        self.now = now
        self.zone = diary.zone
        self.added_ids: list[str] = []
        self.setWindowTitle("Add Time")
        self.setAccessibleName("Add Time")

        self.contract_combo = QComboBox(self)
        self.contract_combo.setAccessibleName("Contract")
        for contract in contracts:
            if contract.status != ContractStatus.ENDED:
                self.contract_combo.addItem(contract_label(contract), contract.id)
        self._refusals = {
            c.id: why_no_manual_time(ContractTerms.of(c))
            for c in contracts
            if c.status != ContractStatus.ENDED
        }
        if self._refusals.get(contract_id, "x"):  # none chosen, or it takes no manual time
            contract_id = next((cid for cid, why in self._refusals.items() if not why), contract_id)
        if contract_id is not None and self.contract_combo.findData(contract_id) >= 0:
            self.contract_combo.setCurrentIndex(self.contract_combo.findData(contract_id))

        self.date_edit = QDateEdit(QDate(day.year, day.month, day.day), self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.date_edit.setAccessibleName("Date")
        self.start_combo = QComboBox(self)
        self.start_combo.setAccessibleName("Start time")
        self.end_combo = QComboBox(self)
        self.end_combo.setAccessibleName("End time")
        for combo in (self.start_combo, self.end_combo):
            combo.setMaxVisibleItems(18)
        self.duration_label = QLabel(self)
        self.duration_label.setAccessibleName("Duration")
        self.memo_edit = QLineEdit(self)
        self.memo_edit.setMaxLength(MAX_MEMO_CHARS)
        self.memo_edit.setPlaceholderText("What did you work on?")
        self.memo_edit.setAccessibleName("Memo")
        self.error_label = error_label(self)
        hint = QLabel(f"Times are your local time ({self._zone_name()}), in 10-minute steps.", self)
        hint.setWordWrap(True)
        hint.setAccessibleName("Hint")

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.add_button = self.buttons.addButton("&Add time", QDialogButtonBox.ButtonRole.AcceptRole)
        self.add_button.setAccessibleName("Add time")
        self.add_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("&Contract:", self.contract_combo)
        form.addRow("&Date:", self.date_edit)
        times = QHBoxLayout()
        times.addWidget(self.start_combo)
        to = QLabel("&to", self)
        to.setBuddy(self.end_combo)
        times.addWidget(to)
        times.addWidget(self.end_combo)
        times.addWidget(self.duration_label, 1)
        from_label = QLabel("&From:", self)
        from_label.setBuddy(self.start_combo)
        form.addRow(from_label, times)
        form.addRow("&Memo:", self.memo_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

        self._fill_times(default=True)
        self.date_edit.dateChanged.connect(lambda _: self._fill_times())
        self.start_combo.currentIndexChanged.connect(self._start_changed)
        self.end_combo.currentIndexChanged.connect(self._update_duration)
        for signal in (
            self.contract_combo.currentIndexChanged,
            self.date_edit.dateChanged,
            self.start_combo.currentIndexChanged,
            self.end_combo.currentIndexChanged,
        ):
            signal.connect(self._form_changed)
        self._form_changed()

    def _form_changed(self) -> None:
        """A refusal goes once the form changes; Add is available only on a contract that takes
        manual time, and the dialog says why while it takes none."""
        if self.contract_combo.count() == 0:
            why = "There is no contract to add time to."
        else:
            why = self._refusals[self.contract_combo.currentData()]
            if why and not any(not reason for reason in self._refusals.values()):
                why += " None of your contracts takes manual time."
        self.add_button.setEnabled(not why)
        self.add_button.setToolTip(why)
        show_error(self.error_label, why)

    def _zone_name(self) -> str:
        return self.now().astimezone(self.zone).tzname() or str(self.zone)

    # ----- the form

    def day(self) -> date:
        return self.date_edit.date().toPython()

    def set_range(self, start: datetime, end: datetime) -> None:
        """Choose the start and end (UTC instants on the dialog's date)."""
        for combo, moment in ((self.start_combo, start), (self.end_combo, end)):
            index = index_of(combo, moment)
            if index < 0:
                raise ValueError(f"{moment} is not a 10-minute step of {self.day()}")
            combo.setCurrentIndex(index)

    def choose(self, contract_id: str, day: date, start: str, end: str, memo: str = "") -> None:
        """Fill the form as a user would (times as the combo boxes show them)."""
        self.contract_combo.setCurrentIndex(self.contract_combo.findData(contract_id))
        self.date_edit.setDate(QDate(day.year, day.month, day.day))
        for combo, label in ((self.start_combo, start), (self.end_combo, end)):
            index = combo.findText(label)
            if index < 0:
                raise ValueError(f"{label} is not offered on {day}")
            combo.setCurrentIndex(index)
        self.memo_edit.setText(memo)

    def _fill_times(self, default: bool = False) -> None:
        previous = (self.start_combo.currentText(), self.end_combo.currentText())
        choices = slot_choices(self.day(), self.zone)
        for combo, items in ((self.start_combo, choices[:-1]), (self.end_combo, choices[1:])):
            combo.blockSignals(True)
            combo.clear()
            for label, moment in items:
                combo.addItem(label, moment)
            combo.blockSignals(False)
        if default or self.start_combo.findText(previous[0]) < 0:
            self._default_range(choices)
        else:
            self.start_combo.setCurrentIndex(self.start_combo.findText(previous[0]))
            end = self.end_combo.findText(previous[1])
            self.end_combo.setCurrentIndex(end if end >= 0 else self.start_combo.currentIndex())
        self._update_duration()

    def _default_range(self, choices: list[tuple[str, datetime]]) -> None:
        """The last hour before now on today; 09:00–10:00 on other dates."""
        now = self.now()
        moments = [moment for _, moment in choices]
        if moments[0] < now <= moments[-1] + SLOT:
            end = max(slot_start(now), moments[1])
            start = max(end - timedelta(hours=1), moments[0])
        else:
            nine = next((m for m in moments if m.astimezone(self.zone).hour >= 9), moments[0])
            start, end = nine, nine + timedelta(hours=1)
        start_index = max(index_of(self.start_combo, start), 0)
        end_index = index_of(self.end_combo, end)
        self.start_combo.setCurrentIndex(start_index)
        self.end_combo.setCurrentIndex(end_index if end_index >= 0 else start_index)

    def _start_changed(self) -> None:
        """Keep the end after the start by moving it along."""
        start = self.start_combo.currentData()
        end = self.end_combo.currentData()
        if start is not None and end is not None and end <= start:
            self.end_combo.setCurrentIndex(self.start_combo.currentIndex())
        self._update_duration()

    def _update_duration(self) -> None:
        start, end = self.start_combo.currentData(), self.end_combo.currentData()
        text = hm(int((end - start).total_seconds())) if start and end and end > start else ""
        self.duration_label.setText(f"({text})" if text else "")

    # ----- adding

    def submit(self) -> None:
        if not self.add_button.isEnabled():
            return
        contract_id = self.contract_combo.currentData()
        start, end = self.start_combo.currentData(), self.end_combo.currentData()
        if contract_id is None or start is None or end is None:
            show_error(self.error_label, "Choose a contract, a start and an end.")
            return
        memo, day = self.memo_edit.text().strip(), self.day()
        self.operations.edit(
            self,
            lambda context: context.diary.add_manual_time(
                contract_id, start, end, memo, context.now, context.diary.db.device_id()
            ),
            lambda ids: self._added(ids, day, start),
            self._refused,
        )

    def _added(self, ids: list[str], day: date, start: datetime) -> None:
        self.added_ids = ids
        self.added.emit(ids, day, start)
        self.accept()

    def _refused(self, reason: str) -> None:
        show_error(self.error_label, reason)
        self.error_label.setFocus(Qt.FocusReason.OtherFocusReason)


class BlockDialog(QDialog):
    """A block opened: its screenshot full size (every monitor's image, found by an operation),
    with Redact and Delete (operations: every view re-reads once they are done). ``contracts``:
    the Work Diary's, by id; ``locked`` is the reason the block cannot be changed, or "".
    """

    def __init__(
        self,
        diary: Diary,
        operations: Operations,
        now: Callable[[], datetime],
        cell: Cell,
        contracts: Mapping[str, ContractRow],
        locked: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.diary = diary
        self.operations = operations
        self.now = now
        self.cell = cell
        self.block = next((b for b in cell.blocks if b.screenshot_id), cell.blocks[0])
        self.screenshot_id = self.block.screenshot_id
        local = self.block.start.astimezone(diary.zone)
        title = f"{local:%a %d %b} {cell.time_range}"
        self.setWindowTitle(f"Time block {title}")
        self.setAccessibleName(f"Time block {title}")
        self.contract = contracts.get(self.block.contract_id)
        titles = ", ".join(
            dict.fromkeys(contracts[b.contract_id].title for b in cell.blocks if b.contract_id in contracts)
        )

        heading = QLabel(f"<b>{title}</b>" + (f" — {titles}" if titles else ""), self)
        heading.setAccessibleName("Block")
        details = QLabel(self)
        details.setWordWrap(True)
        details.setTextFormat(Qt.TextFormat.PlainText)
        details.setText(cell.description(with_note=bool(self.screenshot_id)))
        details.setAccessibleName("Details")
        self.details_label = details

        self.images_box = QWidget(self)
        self.images_layout = QVBoxLayout(self.images_box)
        self.images_layout.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea(self)
        self.scroll.setWidget(self.images_box)
        self.scroll.setWidgetResizable(True)
        self.scroll.setAccessibleName("Screenshot")
        self.scroll.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.image_labels: list[QLabel] = []

        self.status_label = QLabel(locked, self)
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName("Why this block cannot be changed")
        self.status_label.setVisible(bool(locked))
        self.error_label = error_label(self)

        self.redact_button = QPushButton("&Redact", self)
        self.redact_button.setAccessibleName("Redact screenshot")
        self.redact_button.setToolTip(
            "Blur the whole screenshot for good; the time stays paid and is marked redacted"
        )
        self.delete_button = QPushButton("&Delete screenshot", self)
        self.delete_button.setAccessibleName("Delete screenshot")
        self.delete_button.setToolTip("Delete the screenshot and its block's time")
        self.close_button = QPushButton("Close", self)
        self.close_button.setAccessibleName("Close")
        self.close_button.setDefault(True)
        self.redact_button.clicked.connect(self._ask_redact)
        self.delete_button.clicked.connect(self._ask_delete)
        self.close_button.clicked.connect(self.reject)
        can_change = bool(self.screenshot_id) and not locked
        self.redact_button.setEnabled(can_change and not self.block.redacted)
        self.delete_button.setEnabled(can_change)

        buttons = QHBoxLayout()
        buttons.addWidget(self.redact_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(details)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.status_label)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        self._pictures: list[tuple[QLabel, QPixmap]] = []  # each monitor's image at full size
        self.scroll.viewport().installEventFilter(self)
        if self.screenshot_id:
            self._load_images()
            screen = self.screen().availableGeometry()
            self.resize(min(1400, int(screen.width() * 0.85)), min(1000, int(screen.height() * 0.85)))
        else:  # the reason there is none, sized to it, not to a screenshot that is not there
            reason = QLabel(self._why_no_screenshot(), self)
            reason.setWordWrap(True)
            self._add_label(reason)
            self.scroll.hide()
            layout.insertWidget(layout.indexOf(self.scroll), reason)
            self.setMinimumWidth(520)
            self.resize(self.sizeHint())

    def full_size(self) -> list[QPixmap]:
        """Every monitor's image, unscaled."""
        return [pixmap for _, pixmap in self._pictures]

    def eventFilter(self, watched, event) -> bool:
        if watched is self.scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._fit()
        return super().eventFilter(watched, event)

    def _fit(self) -> None:
        """Show each image full size, or scaled down to the dialog's width when it is wider."""
        width = max(self.scroll.viewport().width() - 8, 100)
        for label, pixmap in self._pictures:
            if pixmap.width() > width:
                pixmap = pixmap.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
            label.setPixmap(pixmap)

    def _load_images(self) -> None:
        screenshot_id = self.screenshot_id

        def find(context: Context) -> list[ImageRow] | str:
            try:
                return context.diary.screenshot_images(screenshot_id)
            except USER_ERRORS as error:
                return str(error)

        self.operations.read(self, find, self._show_images)

    def _show_images(self, images: list[ImageRow] | str) -> None:
        """Each monitor's image, or why there is none (the screenshot went meanwhile)."""
        while self.images_layout.count():
            item = self.images_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.image_labels = []
        self._pictures = []
        if isinstance(images, str):
            self._add_label(QLabel(images, self.images_box))
            return
        for image in images:
            pixmap = QPixmap(str(self.diary.db.data_dir / image.path))
            caption = f"Monitor {image.monitor}" + (" (redacted)" if self.block.redacted else "")
            label = QLabel(self.images_box)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            if pixmap.isNull():
                label.setText(f"{caption}: the image file is missing.")
            else:
                label.setPixmap(pixmap)
                self._pictures.append((label, pixmap))
            label.setAccessibleName(f"Screenshot, {caption}")
            label.setToolTip(caption)
            self._add_label(QLabel(f"{caption} · {image_details(image)}", self.images_box))
            self._add_label(label)
        self.images_layout.addStretch(1)
        self._fit()

    def _why_no_screenshot(self) -> str:
        block = self.block
        if block.capture_note:
            return block.capture_note
        if block.source == BlockSource.MANUAL:
            return "Manual time has no screenshot."
        if self.contract is not None and not self.contract.screenshots_enabled:
            return "No screenshot: this contract takes none."
        if block.is_open:
            return "No screenshot yet: the slot's screenshot is taken at a random moment while it is tracked."
        return "No screenshot: the slot's random screenshot moment fell outside this block's time."

    def _add_label(self, label: QLabel) -> None:
        if not label.accessibleName():
            label.setAccessibleName(label.text())
        self.images_layout.addWidget(label)
        self.image_labels.append(label)

    def _ask_redact(self) -> None:
        ask(
            self,
            "Redact screenshot",
            "Blur this whole screenshot for good?",
            "&Redact",
            self._redact,
            informative="The time stays paid; the client sees that the screenshot was redacted.",
            name="confirm-redact",
        )

    def _ask_delete(self) -> None:
        ask(
            self,
            "Delete screenshot",
            "Delete this screenshot?",
            "&Delete screenshot",
            self._delete,
            informative=f"Its block's time ({hm(self.block.seconds)}) is removed too, as clients expect.",
            name="confirm-delete",
        )

    def _redact(self) -> None:
        screenshot_id = self.screenshot_id
        self.operations.edit(
            self,
            lambda context: context.diary.redact_screenshot(screenshot_id, context.now),
            lambda _: self._redacted(),
            lambda reason: show_error(self.error_label, reason),
        )

    def _redacted(self) -> None:
        self.block = self.block._replace(redacted=True)
        self.redact_button.setEnabled(False)
        self._load_images()

    def _delete(self) -> None:
        self.operations.edit(
            self,
            delete_screenshot(self.screenshot_id),
            lambda _: self.accept(),
            lambda reason: show_error(self.error_label, reason),
            engine=True,
        )
