"""The main window: the contract, the memo, start/stop, the running session, today's and this
week's totals against the weekly limit, the live activity meter, the last screenshot, and where the
work is kept (the sync state).

It never calls the engine: it shows the ``Status`` the tracker service sends once a second and
turns the user's actions into signals that the app routes to the service.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPalette, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from common.contract import contract_label
from common.rules import FROM_IDLE_TIME, is_trackable
from common.states import ActivitySource, ContractOrigin
from common.timetext import clock_text, day_clock_text, duration_text, hm, spoken
from common.wire import MAX_MEMO_CHARS
from tracker.tables import ContractRow
from ui.offers import OffersPanel
from ui.shots import ShotFacts
from ui.sync_thread import SyncProgress
from ui.theme import APP_NAME, accent, app_icon, muted, set_text_color, warning_color
from ui.tracking_thread import Status
from ui.widgets import ActivityMeter, MessageBar

THUMB = QSize(256, 144)
START_TEXT, STOP_TEXT = "&Start tracking", "S&top tracking"
SHOWN_REJECTIONS = 3


class MainWindow(QMainWindow):
    start_requested = Signal(str, str)  # contract id, memo: start, or switch while tracking
    stop_requested = Signal()
    memo_applied = Signal(str)  # Enter in the memo field
    contract_chosen = Signal(str)  # the user picked a contract in the selector
    review_requested = Signal(str)  # screenshot id
    redact_requested = Signal(str)  # screenshot id: all of it, after confirmation
    delete_requested = Signal(str)  # screenshot id, after confirmation
    diary_requested = Signal()
    workroom_requested = Signal(str)  # contract id: a service contract's workroom
    settings_requested = Signal()
    sync_requested = Signal()
    quit_requested = Signal()
    closed = Signal()
    shown = Signal(bool)  # shown, or hidden: whether its running seconds are seen

    def __init__(self, zone: tzinfo, now: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.zone = zone
        self.now = now
        self.status: Status | None = None
        self.contracts: dict[str, ContractRow] = {}
        self.unread: dict[str, int] = {}  # by contract id: the workroom's unread messages
        self.shot: ShotFacts | None = None
        self._pending_status: Status | None = None
        self._busy = False
        self._session_state = ""
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(app_icon())
        self.setAccessibleName(APP_NAME)
        self._build()

    # ----- building

    def _build(self) -> None:
        self._build_menu()
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setSpacing(10)
        self.setCentralWidget(central)

        self.environment_bar = MessageBar("environment-message", central)
        self.message_bar = MessageBar("message", central)
        layout.addWidget(self.environment_bar)
        layout.addWidget(self.message_bar)
        self.offers = OffersPanel(central)
        layout.addWidget(self.offers)

        # what to track
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.contract_box = QComboBox(central)
        self.contract_box.setAccessibleName("Contract")
        self.contract_box.setToolTip(
            "The contract to track time on; choosing another while tracking switches"
        )
        self.contract_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.contract_box.setMinimumContentsLength(24)
        self.contract_box.activated.connect(self._contract_activated)
        self.contract_box.currentIndexChanged.connect(self._show_workroom_button)
        contract_label = QLabel("&Contract:", central)
        contract_label.setBuddy(self.contract_box)
        form.addRow(contract_label, self.contract_box)

        self.memo_edit = QLineEdit(central)
        self.memo_edit.setMaxLength(MAX_MEMO_CHARS)
        self.memo_edit.setPlaceholderText("What are you working on?")
        self.memo_edit.setAccessibleName("Memo")
        self.memo_edit.setToolTip("Stamped on the time blocks as they are tracked; Enter applies it now")
        self.memo_edit.returnPressed.connect(self._memo_entered)
        memo_label = QLabel("&Memo:", central)
        memo_label.setBuddy(self.memo_edit)
        form.addRow(memo_label, self.memo_edit)
        layout.addLayout(form)

        row = QHBoxLayout()
        self.start_button = QPushButton(START_TEXT, central)
        self.start_button.setAccessibleName("Start tracking")
        self.start_button.setMinimumWidth(150)
        self.start_button.setDefault(False)
        self.start_button.setAutoDefault(False)
        self.start_button.clicked.connect(self._start_clicked)
        self.session_label = QLabel("Not tracking", central)
        self.session_label.setAccessibleName("Session")
        font = self.session_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        self.session_label.setFont(font)
        row.addWidget(self.start_button)
        row.addSpacing(12)
        row.addWidget(self.session_label, 1)
        layout.addLayout(row)

        # totals, to the second while the running block counts, and activity
        totals = QGroupBox("Time", central)
        grid = QGridLayout(totals)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        self.contract_heading = QLabel(totals)
        self.contract_heading.setWordWrap(True)
        self.contract_heading.setAccessibleName("Contract of the totals")
        all_heading = QLabel("All contracts", totals)
        for column, heading in ((1, self.contract_heading), (2, all_heading)):
            set_text_color(heading, muted)
            grid.addWidget(heading, 0, column)
        self.contract_today_label = QLabel("0:00:00", totals)
        self.all_today_label = QLabel("0:00:00", totals)
        self.contract_week_label = QLabel("0:00:00", totals)
        self.contract_week_label.setWordWrap(True)
        self.all_week_label = QLabel("0:00:00", totals)
        self.limit_bar = QProgressBar(totals)
        self.limit_bar.setAccessibleName("Weekly limit used")
        self.limit_bar.setTextVisible(False)
        self.limit_bar.setMaximumHeight(10)
        self.limit_bar.hide()
        grid.addWidget(QLabel("Today:", totals), 1, 0)
        grid.addWidget(self.contract_today_label, 1, 1)
        grid.addWidget(self.all_today_label, 1, 2)
        grid.addWidget(QLabel("This week:", totals), 2, 0)
        grid.addWidget(self.contract_week_label, 2, 1)
        grid.addWidget(self.all_week_label, 2, 2)
        grid.addWidget(self.limit_bar, 3, 1)
        meter_row = QHBoxLayout()
        self.meter = ActivityMeter(totals)
        self.meter_label = QLabel("—", totals)
        self.meter_label.setAccessibleName("Activity")
        set_text_color(self.meter_label, muted)
        meter_row.addWidget(self.meter)
        meter_row.addSpacing(8)
        meter_row.addWidget(self.meter_label, 1)
        grid.addWidget(QLabel("Activity:", totals), 4, 0)
        grid.addLayout(meter_row, 4, 1, 1, 2)
        layout.addWidget(totals)

        # the last screenshot
        shots = QGroupBox("Last screenshot", central)
        shot_row = QHBoxLayout(shots)
        self.thumbnail = QPushButton(shots)
        self.thumbnail.setFlat(True)
        self.thumbnail.setFixedSize(THUMB + QSize(8, 8))
        self.thumbnail.setIconSize(THUMB)
        self.thumbnail.setAccessibleName("Open the last screenshot for review")
        self.thumbnail.setToolTip("Open it to review, redact part of it or delete it")
        self.thumbnail.clicked.connect(self._review_clicked)
        shot_row.addWidget(self.thumbnail)
        side = QVBoxLayout()
        self.shot_label = QLabel("No screenshot yet.", shots)
        self.shot_label.setAccessibleName("Last screenshot")
        self.shot_label.setWordWrap(True)
        self.shot_note = QLabel(shots)
        self.shot_note.setWordWrap(True)
        self.shot_note.setAccessibleName("Screenshot note")
        set_text_color(self.shot_note, muted)
        self.review_button = QPushButton("&Review…", shots)
        self.review_button.setAccessibleName("Review screenshot")
        self.review_button.clicked.connect(self._review_clicked)
        self.redact_button = QPushButton("Re&dact…", shots)
        self.redact_button.setAccessibleName("Redact screenshot")
        self.redact_button.setToolTip("Blur the whole screenshot for good; the time stays paid")
        self.redact_button.clicked.connect(lambda: self.shot and self.redact_requested.emit(self.shot.id))
        self.delete_button = QPushButton("De&lete…", shots)
        self.delete_button.setAccessibleName("Delete screenshot")
        self.delete_button.setToolTip("Delete the screenshot and its time block's time")
        self.delete_button.clicked.connect(lambda: self.shot and self.delete_requested.emit(self.shot.id))
        side.addWidget(self.shot_label)
        side.addWidget(self.shot_note)
        side.addStretch(1)
        buttons = QHBoxLayout()
        for button in (self.review_button, self.redact_button, self.delete_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        side.addLayout(buttons)
        shot_row.addLayout(side, 1)
        layout.addWidget(shots)

        # sync state and the way to the Work Diary
        line = QFrame(central)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(line)
        self.sync_label = QLabel(central)
        self.sync_label.setWordWrap(True)
        self.sync_label.setAccessibleName("Sync state")
        set_text_color(self.sync_label, muted)
        layout.addWidget(self.sync_label)
        bottom = QHBoxLayout()
        self.diary_button = QPushButton("Open Wor&k Diary", central)
        self.diary_button.setAccessibleName("Open Work Diary")
        self.diary_button.clicked.connect(self.diary_requested)
        self.workroom_button = QPushButton("Open W&orkroom", central)
        self.workroom_button.setAccessibleName("Open workroom")
        self.workroom_button.setToolTip("The contract's to-dos, milestones and messages, offline too")
        self.workroom_button.clicked.connect(
            lambda: self.workroom_requested.emit(self.selected_contract_id())
        )
        self.workroom_button.setEnabled(False)
        self.settings_button = QPushButton("Setti&ngs…", central)
        self.settings_button.setAccessibleName("Settings")
        self.settings_button.clicked.connect(self.settings_requested)
        self.sync_button = QPushButton("S&ync now", central)
        self.sync_button.setAccessibleName("Sync now")
        self.sync_button.setEnabled(False)
        self.sync_button.clicked.connect(self.sync_requested)
        for button in (self.diary_button, self.workroom_button, self.settings_button, self.sync_button):
            button.setAutoDefault(False)
            bottom.addWidget(button)
        bottom.addStretch(1)
        layout.addLayout(bottom)
        layout.addStretch(1)

        for first, second in (
            (self.contract_box, self.memo_edit),
            (self.memo_edit, self.start_button),
            (self.start_button, self.thumbnail),
            (self.thumbnail, self.review_button),
            (self.review_button, self.redact_button),
            (self.redact_button, self.delete_button),
            (self.delete_button, self.diary_button),
            (self.diary_button, self.settings_button),
            (self.settings_button, self.sync_button),
        ):
            QWidget.setTabOrder(first, second)
        self.set_screenshot(None)
        self.contract_box.setFocus()

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu("&Workdiary")
        entries = (
            ("diary_action", "Open Work &Diary", "Ctrl+D", self.diary_requested),
            ("settings_action", "&Settings…", "Ctrl+,", self.settings_requested),
            (None, None, None, None),
            ("hide_action", "&Hide window", "Ctrl+W", self.close),
            ("quit_action", "&Quit (stops tracking and saves)", "Ctrl+Q", self.quit_requested),
        )
        for name, text, keys, target in entries:
            if name is None:
                menu.addSeparator()
                continue
            action = QAction(text, self)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(target)
            menu.addAction(action)
            setattr(self, name, action)

    # ----- what the app tells the window

    def set_contracts(self, contracts: list[ContractRow], selected: str | None = None) -> None:
        current = selected or self.selected_contract_id()
        self.contracts = {contract.id: contract for contract in contracts}
        items = [(contract_label(contract), contract.id) for contract in contracts]
        box = self.contract_box
        if items == [(box.itemText(i), box.itemData(i)) for i in range(box.count())]:
            self.select_contract(current)  # unchanged: an open list stays open
            return
        self.contract_box.blockSignals(True)
        self.contract_box.clear()
        for contract in contracts:
            self.contract_box.addItem(contract_label(contract), contract.id)
        index = self.contract_box.findData(current)
        if index < 0:
            active = [i for i, contract in enumerate(contracts) if is_trackable(contract)]
            index = active[0] if active else 0
        self.contract_box.setCurrentIndex(index)
        self.contract_box.blockSignals(False)
        self._show_workroom_button()

    def _show_workroom_button(self) -> None:
        """Only the service's contracts have a workroom; the button says how many of its messages
        are unread."""
        contract_id = self.selected_contract_id() or ""
        contract = self.contracts.get(contract_id)
        self.workroom_button.setEnabled(contract is not None and contract.origin == ContractOrigin.SERVICE)
        unread = self.unread.get(contract_id, 0)
        self.workroom_button.setText(f"Open W&orkroom ({unread} unread)" if unread else "Open W&orkroom")
        self.workroom_button.setAccessibleName(
            f"Open workroom, {unread} unread" if unread else "Open workroom"
        )

    def set_unread(self, unread: dict[str, int]) -> None:
        """How many unread messages each contract's workroom holds."""
        self.unread = unread
        self._show_workroom_button()

    def selected_contract_id(self) -> str | None:
        return self.contract_box.currentData()

    def select_contract(self, contract_id: str) -> None:
        index = self.contract_box.findData(contract_id)
        if index >= 0 and index != self.contract_box.currentIndex():
            self.contract_box.setCurrentIndex(index)

    def memo(self) -> str:
        return self.memo_edit.text().strip()

    def set_memo(self, memo: str) -> None:
        self.memo_edit.setText(memo)

    def show_status(self, status: Status) -> None:
        """Once a second, and every few seconds while hidden and no input comes. While hidden only
        the latest is kept, shown when the window is."""
        self.status = status
        self._busy = False
        self.start_button.setEnabled(True)
        if not self.isVisible():
            self._pending_status = status
            return
        self._pending_status = None
        self._render(status)

    def show_refusal(self, text: str) -> None:
        self._busy = False
        self.start_button.setEnabled(True)
        self.message_bar.show_message(text)

    def show_error(self, text: str) -> None:
        self.message_bar.show_message(text)

    def show_environment(self, text: str) -> None:
        current = self.environment_bar.label.text() if self.environment_bar.isVisibleTo(self) else ""
        if text in current:
            return
        self.environment_bar.show_message(f"{current}\n{text}".strip())

    def set_screenshot(self, facts: ShotFacts | None) -> None:
        self.shot = facts
        has = facts is not None
        for button in (self.thumbnail, self.review_button, self.redact_button, self.delete_button):
            button.setEnabled(has)
        if not has:
            self.thumbnail.setIcon(QPixmap())
            self.thumbnail.setText("No screenshot")
            self.shot_label.setText("No screenshot yet.")
            self.shot_note.setText("")
            self.shot_note.hide()
            return
        pixmap = QPixmap(str(facts.images[0].thumbnail_path)) if facts.images else QPixmap()
        self.thumbnail.setText("" if not pixmap.isNull() else "(no image)")
        self.thumbnail.setIcon(
            pixmap.scaled(
                THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )
        when = day_clock_text(facts.taken_at, self.zone, self.now())
        monitors = f" · {len(facts.images)} monitors" if len(facts.images) > 1 else ""
        redacted = " · redacted" if facts.redacted else ""
        files = f" · {facts.files_text()}"
        self.shot_label.setText(f"Taken at {when} on “{facts.contract_title}”{files}{monitors}{redacted}")
        notes = []
        if facts.capture_note:
            notes.append(facts.capture_note)
        if facts.block_open:
            notes.append("Its time block is being tracked: deleting it removes the block's time so far.")
        self.shot_note.setText("\n".join(notes))
        self.shot_note.setVisible(bool(notes))
        self.redact_button.setEnabled(True)
        self.delete_button.setEnabled(True)

    def set_sync_state(self, state: SyncProgress) -> None:
        self.sync_label.setText(sync_text(state, self.zone))
        self.sync_button.setEnabled(state.signed_in and not state.syncing)

    # ----- rendering a status

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.shown.emit(True)
        if self._pending_status is not None:
            status, self._pending_status = self._pending_status, None
            self._render(status)

    def _render(self, status: Status) -> None:
        tracking = status.tracking
        self.start_button.setText(STOP_TEXT if tracking else START_TEXT)
        self.start_button.setAccessibleName("Stop tracking" if tracking else "Start tracking")
        if tracking and status.contract_id and not self.contract_box.view().isVisible():
            self.select_contract(status.contract_id)
        if status.idle_since is not None:
            self.session_label.setText(f"Idle since {clock_text(status.idle_since, self.zone)}")
            self._color_session("idle")
        elif tracking and status.session_started is not None:
            elapsed = (self.now() - status.session_started).total_seconds()
            self.session_label.setText(f"Tracking · {duration_text(elapsed)}")
            self.session_label.setAccessibleDescription(f"Tracking for {spoken(elapsed)}")
            self._color_session("tracking")
        else:
            self.session_label.setText("Not tracking")
            self.session_label.setAccessibleDescription("")
            self._color_session("")

        self._render_totals(status)

        live = status.live
        if live is not None and tracking:
            self.meter.set_level(live.active_minutes, live.minutes_tracked)
            self.meter_label.setText(
                f"{live.active_minutes} of {live.minutes_tracked} minute"
                f"{'s' if live.minutes_tracked != 1 else ''} active in the block since "
                f"{clock_text(live.start, self.zone)}"
                + (f" ({FROM_IDLE_TIME})" if live.activity_source == ActivitySource.IDLE_TIME else "")
            )
        else:
            self.meter.set_level(0, 0)
            self.meter_label.setText("—")

    def _color_session(self, state: str) -> None:
        if state == self._session_state:
            return
        self._session_state = state
        self.session_label.setPalette(QPalette())
        if state:
            set_text_color(self.session_label, warning_color if state == "idle" else accent)

    def _render_totals(self, status: Status) -> None:
        """Today and this week on the contract and on all contracts, each named as such."""
        contract = self.contracts.get(status.contract_id or "")
        title = f"“{contract.title}”" if contract else "this contract"
        self.contract_heading.setText(f"On {title}")
        limit = status.week_limit_seconds
        mine = status.contract_week_seconds
        week = duration_text(mine)
        if limit:
            week += f" of {hm(limit)}"
            if mine >= limit:
                week += " — the weekly limit is reached"
            self.limit_bar.setRange(0, max(limit // 60, 1))
            self.limit_bar.setValue(min(mine, limit) // 60)
            self.limit_bar.setAccessibleDescription(f"{spoken(mine)} of {spoken(limit)}")
        self.limit_bar.setVisible(bool(limit))
        plain = title.replace("“", "").replace("”", "")
        for label, seconds, text, name in (
            (self.contract_today_label, status.contract_today_seconds, None, f"Today on {plain}"),
            (self.all_today_label, status.today_seconds, None, "Today on all contracts"),
            (self.contract_week_label, mine, week, f"This week on {plain}"),
            (self.all_week_label, status.week_seconds, None, "This week on all contracts"),
        ):
            label.setText(text or duration_text(seconds))
            label.setAccessibleName(name)
            label.setAccessibleDescription(spoken(seconds))

    # ----- the user's actions

    def _start_clicked(self) -> None:
        if self._busy:
            return
        if self.status is not None and self.status.tracking:
            self._busy = True
            self.start_button.setEnabled(False)
            self.stop_requested.emit()
            return
        contract_id = self.selected_contract_id()
        if contract_id is None:
            self.show_refusal("There is no contract to track time on.")
            return
        self._busy = True
        self.start_button.setEnabled(False)
        self.message_bar.hide()
        self.start_requested.emit(contract_id, self.memo())

    def _contract_activated(self, index: int) -> None:
        contract_id = self.contract_box.itemData(index)
        self.contract_chosen.emit(contract_id)
        status = self.status
        if status is not None and status.tracking and status.contract_id != contract_id:
            self.message_bar.hide()
            self.start_requested.emit(contract_id, self.memo())

    def _memo_entered(self) -> None:
        if self.status is not None and self.status.tracking:
            self.memo_applied.emit(self.memo())

    def _review_clicked(self) -> None:
        if self.shot is not None:
            self.review_requested.emit(self.shot.id)

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.shown.emit(False)

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        self.closed.emit()


def sync_text(state: SyncProgress, zone: tzinfo) -> str:
    """Where the work is: synced, waiting (and why), or set aside by the service (and why)."""
    outbox = state.outbox
    parts = []
    if outbox.pending_blocks:
        parts.append(f"{outbox.pending_blocks} time block{'s' if outbox.pending_blocks != 1 else ''}")
    if outbox.pending_screenshots:
        count = outbox.pending_screenshots
        parts.append(f"{count} screenshot{'s' if count != 1 else ''}")
    if outbox.pending_workroom:
        count = outbox.pending_workroom
        parts.append(f"{count} workroom change{'s' if count != 1 else ''}")
    listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)
    waiting = f"{listed} waiting to be sent" if parts else "nothing waiting to be sent"
    if not state.signed_in:
        text = f"Saved on this computer — {waiting}. Sign in to a contract service in Settings to sync."
    elif state.syncing:
        text = f"Syncing with {state.service_url}…"
    elif state.offline_since is not None:
        since = day_clock_text(state.offline_since, zone, state.at)
        text = f"Offline since {since} — {waiting}, kept safe on this computer."
    elif state.last_synced_at is not None:
        text = f"Synced at {clock_text(state.last_synced_at, zone)} — {waiting}."
    else:
        text = f"Signed in as {state.account} — {waiting}."
    if state.problem:
        text += f"\n{state.problem}"
    rejected = outbox.rejected
    if rejected:
        text += (
            f"\n{len(rejected)} item{'s' if len(rejected) != 1 else ''} set aside by the service "
            "(the rest go on):"
        )
        for item in rejected[:SHOWN_REJECTIONS]:
            text += (
                f"\n• {day_clock_text(item.start, zone, state.at)} on “{item.contract_title}”: {item.reason}"
            )
        if len(rejected) > SHOWN_REJECTIONS:
            text += f"\n• and {len(rejected) - SHOWN_REJECTIONS} more"
    return text
