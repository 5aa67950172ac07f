"""The Work Diary window: a calendar with a dot under each date with logged time, the work week a
row per day, the chosen day's time blocks by hour, edits under the contract's rules, and totals.

It reads through ``tracker.diary.Diary`` and edits through operations (ui/operations.py), both
off the GUI thread: a user's step asks one read (a week: its day totals and the chosen date's
blocks; a date of the shown week: its blocks), and its result is shown only if the window still
asks for it then (the contract, week and date did not change meanwhile). It re-reads when any
view's edit is done (``Operations.changed``), and takes the clock as ``now`` (the app passes the
real one, tests a fake): it never reads the system clock itself. Opening a week costs a few small
queries and at most 144 painted cells (the shown day); thumbnails fill in after the window is up.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from PySide6.QtCore import QDate, QPointF, Qt, Signal, Slot
from PySide6.QtGui import QFont, QKeySequence, QPainter, QPalette, QShortcut, QTextCharFormat
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCalendarWidget,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from common.contract import contract_label
from common.rules import ContractTerms, locked_at
from common.states import ContractOrigin, ContractStatus
from common.timetext import hm, local_text
from common.timetext import spoken as spoken_hm
from common.timeutil import WEEK, week_of_date, week_start
from tracker.diary import BlockView, DayTotal, Diary, Totals
from tracker.logged import Running
from tracker.tables import ContractRow
from ui.diary.day import THUMB_SIZE, Cell, DayModel, DayView
from ui.diary.dialogs import AddTimeDialog, BlockDialog, MemoDialog
from ui.diary.palette import dot_color
from ui.diary.thumbs import ThumbnailCache
from ui.message_boxes import ask, tell
from ui.operations import Context, Operations, edit_memo
from ui.theme import accent, set_text_color

log = logging.getLogger(__name__)

ALL_CONTRACTS = "All contracts"
MAX_WEEK_ROWS = 8  # a work week meets 7 local dates in UTC, 8 anywhere else
PARTIAL_MARK = "◐"
TRACKED_ELSEWHERE = "one is being tracked by another Workdiary process: stop it there to change it"


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class DotCalendar(QCalendarWidget):
    """A month calendar with a blue dot under (and bold text on) each date with logged time."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._dates: frozenset[date] = frozenset()
        self.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.setGridVisible(False)
        self.setMinimumSize(300, 240)  # tall enough cells for the dot under the number
        plain = QTextCharFormat()  # weekends in the palette's text colour: red fails on dark bases
        self.setWeekdayTextFormat(Qt.DayOfWeek.Saturday, plain)
        self.setWeekdayTextFormat(Qt.DayOfWeek.Sunday, plain)
        self.setAccessibleName("Calendar")
        view = self.findChild(QAbstractItemView, "qt_calendar_calendarview")
        if view is not None:
            view.setAccessibleName("Dates")
        self.setAccessibleDescription(
            "Dates with logged time are bold, with a blue dot. Choosing a date shows its work week."
        )

    def logged_dates(self) -> frozenset[date]:
        return self._dates

    def set_logged_dates(self, dates) -> None:
        dates = frozenset(dates)
        if dates == self._dates:
            return
        old, self._dates = self._dates, dates
        for day in old - dates:
            self.setDateTextFormat(qdate(day), QTextCharFormat())
        logged = QTextCharFormat()
        logged.setFontWeight(QFont.Weight.Bold)
        logged.setToolTip("Time logged")
        for day in dates - old:
            self.setDateTextFormat(qdate(day), logged)
        self.updateCells()

    def paintCell(self, painter: QPainter, rect, day: QDate) -> None:
        super().paintCell(painter, rect, day)
        if not self._dates or day.toPython() not in self._dates:
            return
        palette = self.palette()
        on_selection = day == self.selectedDate()
        color = palette.color(QPalette.ColorRole.HighlightedText) if on_selection else dot_color(palette)
        radius = max(2.0, min(rect.height(), rect.width()) / 11)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawEllipse(QPointF(rect.center().x() + 0.5, rect.bottom() - radius - 1.5), radius, radius)
        painter.restore()


class WeekRow(QFrame):
    """A day of the work week: its date, its total, and an arrow that opens it."""

    opened = Signal(object)  # date

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.day: date | None = None
        self.partial = ""  # "previous" or "next": the work week the rest of the date belongs to
        self.setAutoFillBackground(True)
        self.date_label = QLabel(self)
        self.partial_label = QLabel(PARTIAL_MARK, self)
        self.total_label = QLabel(self)
        self.total_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.total_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("000:00") + 4)
        self.arrow = QToolButton(self)
        self.arrow.setArrowType(Qt.ArrowType.RightArrow)
        self.arrow.setAutoRaise(True)
        self.arrow.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.arrow.clicked.connect(lambda: self.opened.emit(self.day))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 1, 2, 1)
        layout.addWidget(self.date_label, 1)
        layout.addWidget(self.partial_label)
        layout.addWidget(self.total_label)
        layout.addWidget(self.arrow)

    def show_day(self, row: DayTotal, partial: str, current: bool) -> None:
        self.day, self.partial = row.day, partial
        self.date_label.setText(f"{row.day:%a %d %b}")
        self.total_label.setText(hm(row.seconds))
        name = f"{row.day:%A %d %B}"
        note = ""
        if partial:
            note = (
                f"Part of this date belongs to the {partial} work week, because work weeks follow UTC "
                "(Monday 00:00 to Sunday 24:00 UTC). The total counts this week's part."
            )
        self.partial_label.setVisible(bool(partial))
        self.partial_label.setToolTip(note)
        self.partial_label.setAccessibleName(f"Partial date: part of it belongs to the {partial} work week")
        self.setToolTip(note)
        self.date_label.setAccessibleName(name)
        self.total_label.setAccessibleName(f"{name} total")
        self.total_label.setAccessibleDescription(spoken_hm(row.seconds))
        self.arrow.setAccessibleName(f"Open {name}")
        self.arrow.setAccessibleDescription(
            f"{spoken_hm(row.seconds)} logged" + (f". {note}" if note else "")
        )
        self.arrow.setToolTip(f"Open {name}")
        self.setAccessibleName(f"{name}, {spoken_hm(row.seconds)}")
        role = QPalette.ColorRole.Highlight if current else QPalette.ColorRole.Window
        text = QPalette.ColorRole.HighlightedText if current else QPalette.ColorRole.WindowText
        self.setBackgroundRole(role)
        for label in (self.date_label, self.partial_label, self.total_label):
            label.setForegroundRole(text)
        font = self.date_label.font()
        font.setBold(current)
        self.date_label.setFont(font)
        self.arrow.setForegroundRole(text)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.day is not None:
            self.opened.emit(self.day)
            event.accept()
            return
        super().mousePressEvent(event)


@dataclass(frozen=True)
class _Read:
    """What one read found; a part not asked for is None."""

    contracts: list[ContractRow] | None
    week_rows: list[DayTotal] | None
    day_blocks: list[BlockView] | None


class WorkDiaryWindow(QWidget):
    """The Work Diary. ``refresh()`` re-reads everything (after every edit: ``Operations.changed``);
    ``follow_running()`` each second while tracking. ``week``, ``day`` and ``contract_id`` are
    what the user asked for; the view shows them once their read is done.

    Signals:
        weekChanged(datetime): the view shows another work week (its Monday 00:00 UTC), with
            its chosen date's blocks.
        dayChanged(date): the view shows another local date's blocks.
        workroom_requested(str): the chosen service contract's workroom, asked for.
    """

    weekChanged = Signal(object)
    dayChanged = Signal(object)
    workroom_requested = Signal(str)

    def __init__(
        self,
        diary: Diary,
        now: Callable[[], datetime],
        operations: Operations,
        contract_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.diary = diary
        self.now = now
        self.operations = operations
        self.zone = diary.zone
        self._contracts: dict[str, ContractRow] = {}
        self._contract_id = contract_id
        self._locks: dict[tuple[str, datetime], datetime] = {}
        self._week_rows: list[DayTotal] = []  # the shown week's
        self._week_editable = False
        self._syncing_calendar = False
        self._month_loaded: tuple | None = None
        self._stale = False  # refresh() was called while hidden
        self._totals: dict[str, Totals] = {}
        self._totals_running: Running | None = None  # the running block as the totals count it
        self.thumbnails = ThumbnailCache(operations, THUMB_SIZE, parent=self)
        self.setWindowTitle("Work Diary — Workdiary")
        self.setAccessibleName("Work Diary")
        self._build()
        operations.changed.connect(self.refresh)
        moment = now()
        self._week = week_start(moment)
        self._day = moment.astimezone(self.zone).date()
        self._week_dates = diary.week_dates(self._week.date())
        self._shown_week, self._shown_day = self._week, self._day  # no signal for the first view
        self.add_time_button.setEnabled(False)  # until the contracts are read
        self._read(contracts=True)
        self._select_in_calendar(self._day)
        self._load_month()
        self._load_totals()

    # ----- public

    @property
    def contract_id(self) -> str | None:
        return self._contract_id

    @property
    def week(self) -> datetime:
        """The shown work week: its Monday 00:00 UTC."""
        return self._week

    @property
    def day(self) -> date:
        """The shown local date."""
        return self._day

    def selected_block_ids(self) -> list[str]:
        return [block_id for cell in self.day_view.selected_cells() for block_id in cell.ids]

    @Slot()
    def refresh(self) -> None:
        """Re-read contracts, the calendar's dots, the week, the day and the totals, keeping the
        shown week, day and the selection. While the window is hidden this only notes that it is
        stale: it re-reads when shown again."""
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        self._read(contracts=True, keep_selection=True)
        self._load_month(force=True)
        self._load_totals()

    @Slot()
    def follow_running(self) -> None:
        """The block being tracked went on (``diary.running``, each second): the week, the day, the
        selection and the totals count it to the second. Only the week's day totals are read again
        (a small range query, off the GUI thread); a block that closed or began comes with a
        ``refresh()``."""
        running, counted = self.diary.running, self._totals_running
        if running is None or not self.isVisible() or not self._week <= running.start < self._week + WEEK:
            return
        if counted is not None and counted.id == running.id and running.end > counted.end:
            self._totals_running = running
            if running.contract_id in self._totals:
                grown = running.seconds - counted.seconds
                totals = self._totals[running.contract_id]
                self._totals[running.contract_id] = totals.grown(grown, not running.over_limit)
                self._show_totals()
        self._read(day=False)
        if self.day_model.follow(running):
            self._show_day_total()
            self._update_actions()

    @Slot(object)
    def show_date(self, day: date) -> None:
        """Show a local date and the work week it names (as choosing it in the calendar does)."""
        self._show(week_of_date(day), day)

    @Slot(object)
    def show_day(self, day: date) -> None:
        """Open one of the shown week's dates (another date: its own week, as ``show_date``)."""
        if day is not None and day != self._day:
            self._open_day(day)

    def _open_day(self, day: date, then: Callable[[], None] | None = None) -> None:
        """``then``: once the date is shown."""
        if day not in self._week_dates:
            self._show(week_of_date(day), day, then)
            return
        self._day = day
        self._read(week=False, then=then)
        self._mark_current_row()
        self._select_in_calendar(day)

    @Slot()
    def show_this_week(self) -> None:
        moment = self.now()
        self._show(week_start(moment), moment.astimezone(self.zone).date())

    @Slot()
    def show_previous_week(self) -> None:
        self._show(self._week - WEEK, self._day - timedelta(days=7))

    @Slot()
    def show_next_week(self) -> None:
        self._show(self._week + WEEK, self._day + timedelta(days=7))

    @Slot()
    def show_previous_day(self) -> None:
        self._step_day(-1)

    @Slot()
    def show_next_day(self) -> None:
        self._step_day(1)

    def _step_day(self, days: int) -> None:
        day = self._day + timedelta(days=days)
        if day in self._week_dates:
            self.show_day(day)
        else:  # past the week's edge: the neighbouring week, on that date
            self._show(self._week + days * WEEK, day)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def set_contract(self, contract_id: str | None) -> None:
        index = self.contract_combo.findData(contract_id) if contract_id else 0
        self.contract_combo.setCurrentIndex(max(index, 0))

    # ----- building

    def _build(self) -> None:
        # top bar: the contract selector, and Add Time in the upper right
        self.contract_combo = QComboBox(self)
        self.contract_combo.setAccessibleName("Contract")
        self.contract_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.contract_combo.setMinimumContentsLength(24)
        contract_label = QLabel("&Contract:", self)
        contract_label.setBuddy(self.contract_combo)
        self.add_time_button = QPushButton("&Add Time", self)
        self.add_time_button.setAccessibleName("Add Time")
        self.add_time_button.setToolTip("Add manual time (Ctrl+N)")
        self.workroom_button = QPushButton("Open &workroom", self)
        self.workroom_button.setAccessibleName("Open workroom")
        self.workroom_button.setToolTip("The chosen contract's to-dos, milestones and messages")
        self.workroom_button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(contract_label)
        top.addWidget(self.contract_combo)
        top.addWidget(self.workroom_button)
        top.addStretch(1)
        top.addWidget(self.add_time_button)

        # left column: calendar, week, totals
        self.calendar = DotCalendar(self)
        self.previous_week_button = QToolButton(self)
        self.previous_week_button.setArrowType(Qt.ArrowType.LeftArrow)
        self.previous_week_button.setAccessibleName("Previous week")
        self.previous_week_button.setToolTip("Previous week (Alt+Left)")
        self.this_week_button = QPushButton("&This week", self)
        self.this_week_button.setAccessibleName("This week")
        self.this_week_button.setToolTip("Go to the current work week (Alt+Home)")
        self.next_week_button = QToolButton(self)
        self.next_week_button.setArrowType(Qt.ArrowType.RightArrow)
        self.next_week_button.setAccessibleName("Next week")
        self.next_week_button.setToolTip("Next week (Alt+Right)")
        for button in (self.previous_week_button, self.next_week_button):
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.week_title = QLabel(self)
        self.week_title.setAccessibleName("Work week")
        self.week_total_label = QLabel(self)
        self.week_total_label.setAccessibleName("Week total")
        navigation = QHBoxLayout()
        navigation.addWidget(self.previous_week_button)
        navigation.addWidget(self.week_title, 1)
        navigation.addWidget(self.this_week_button)
        navigation.addWidget(self.next_week_button)
        self.week_rows = [WeekRow(self) for _ in range(MAX_WEEK_ROWS)]
        week_box = QGroupBox("Week", self)
        week_box.setAccessibleName("Week")
        week_layout = QVBoxLayout(week_box)
        week_layout.setSpacing(1)
        week_layout.addLayout(navigation)
        for row in self.week_rows:
            week_layout.addWidget(row)
            row.hide()  # until the week is read
            row.opened.connect(self._open_day_from_row)
        total_line = QHBoxLayout()
        total_caption = QLabel("Week total", self)
        total_line.addWidget(total_caption, 1)
        total_line.addWidget(self.week_total_label)
        total_line.setContentsMargins(6, 4, 30, 0)
        week_layout.addLayout(total_line)

        self.totals_box = QGroupBox("Totals", self)
        self.totals_box.setAccessibleName("Totals")
        totals = QFormLayout(self.totals_box)
        self.this_week_label = QLabel(self)
        self.last_week_label = QLabel(self)
        self.since_start_label = QLabel(self)
        self.earnings_label = QLabel(self)
        self.earnings_caption = QLabel("Earnings this week", self)
        for label, name in (
            (self.this_week_label, "Hours this week"),
            (self.last_week_label, "Hours last week"),
            (self.since_start_label, "Hours since the start"),
            (self.earnings_label, "Earnings this week"),
        ):
            label.setAccessibleName(name)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        totals.addRow("This week", self.this_week_label)
        totals.addRow("Last week", self.last_week_label)
        totals.addRow("Since the start", self.since_start_label)
        totals.addRow(self.earnings_caption, self.earnings_label)

        left = QVBoxLayout()
        left.addWidget(self.calendar)
        left.addWidget(week_box)
        left.addWidget(self.totals_box)
        left.addStretch(1)
        left_panel = QWidget(self)
        left_panel.setLayout(left)
        left_panel.setFixedWidth(330)
        left.setContentsMargins(0, 0, 0, 0)

        # right: the day
        self.day_title = QLabel(self)
        font = self.day_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.day_title.setFont(font)
        self.day_title.setAccessibleName("Day")
        self.day_note = QLabel(self)
        self.day_note.setWordWrap(True)
        self.day_note.setAccessibleName("About this date")
        self.notice_label = QLabel(self)
        self.notice_label.setWordWrap(True)
        self.notice_label.setAccessibleName("Notice")
        set_text_color(self.notice_label, accent)
        self.notice_label.hide()
        self.lock_label = QLabel(self)
        self.lock_label.setWordWrap(True)
        self.lock_label.setAccessibleName("Editing")
        self.selection_label = QLabel(self)
        self.selection_label.setAccessibleName("Selection")
        self.selection_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.edit_memo_button = QPushButton("&Edit memo…", self)
        self.edit_memo_button.setAccessibleName("Edit memo")
        self.edit_memo_button.setToolTip("Change the memo of the selected blocks (F2)")
        self.remove_button = QPushButton("&Remove time…", self)
        self.remove_button.setAccessibleName("Remove time")
        self.remove_button.setToolTip("Remove the selected blocks' time and screenshots (Delete)")
        self.open_button = QPushButton("&Open", self)
        self.open_button.setAccessibleName("Open block")
        self.open_button.setToolTip("Show the current block's screenshot full size (Enter)")
        actions = QHBoxLayout()
        actions.addWidget(self.selection_label, 1)
        actions.addWidget(self.open_button)
        actions.addWidget(self.edit_memo_button)
        actions.addWidget(self.remove_button)

        self.day_model = DayModel(self.zone, self)
        self.day_view = DayView(self.day_model, self.thumbnails, self)
        self.day_view.setAccessibleName("Time blocks")
        self.day_view.setAccessibleDescription(
            "A row per hour, six 10-minute slots. Arrows move, Shift or Ctrl select several, Enter opens."
        )
        self.empty_label = QLabel("No time logged on this date.", self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setAccessibleName("No time logged on this date")
        self.day_stack = QStackedWidget(self)
        self.day_stack.addWidget(self.day_view)
        self.day_stack.addWidget(self.empty_label)

        right = QVBoxLayout()
        right.addWidget(self.day_title)
        right.addWidget(self.day_note)
        right.addWidget(self.notice_label)
        right.addWidget(self.lock_label)
        right.addLayout(actions)
        right.addWidget(self.day_stack, 1)

        body = QHBoxLayout()
        body.addWidget(left_panel, 0, Qt.AlignmentFlag.AlignTop)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        self.setMinimumWidth(330 + self.day_view.minimum_width + 40)
        self.resize(self.minimumWidth(), 860)

        # behaviour
        self.contract_combo.currentIndexChanged.connect(self._contract_chosen)
        self.add_time_button.clicked.connect(self.add_time)
        self.workroom_button.clicked.connect(lambda: self.workroom_requested.emit(self._contract_id))
        self.calendar.selectionChanged.connect(self._calendar_chosen)
        self.calendar.currentPageChanged.connect(lambda year, month: self._load_month())
        self.previous_week_button.clicked.connect(self.show_previous_week)
        self.this_week_button.clicked.connect(self.show_this_week)
        self.next_week_button.clicked.connect(self.show_next_week)
        self.edit_memo_button.clicked.connect(self.edit_memo)
        self.remove_button.clicked.connect(self.remove_time)
        self.open_button.clicked.connect(self.open_current)
        self.day_view.opened.connect(self.open_block)
        self.day_view.selectionModel().selectionChanged.connect(self._update_actions)
        self.day_view.selectionModel().currentChanged.connect(self._update_actions)

        for keys, slot in (
            (QKeySequence.StandardKey.New, self.add_time),
            ("F2", self.edit_memo),
            ("Alt+Left", self.show_previous_week),
            ("Alt+Right", self.show_next_week),
            ("Alt+Home", self.show_this_week),
            ("Alt+Up", self.show_previous_day),
            ("Alt+Down", self.show_next_day),
            (QKeySequence.StandardKey.Refresh, self.refresh),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.day_view)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.remove_time)

        order = [
            self.contract_combo,
            self.workroom_button,
            self.add_time_button,
            self.calendar,
            self.previous_week_button,
            self.this_week_button,
            self.next_week_button,
            *(row.arrow for row in self.week_rows),
            self.open_button,
            self.edit_memo_button,
            self.remove_button,
            self.day_view,
        ]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

    # ----- loading

    def _show(self, week: datetime, day: date, then: Callable[[], None] | None = None) -> None:
        """Ask for a week and one of its dates (clamped to it); ``then``: once they are shown."""
        self.notice_label.hide()
        other_week = week != self._week
        self._week, self._week_dates = week, self.diary.week_dates(week.date())
        self._day = min(max(day, self._week_dates[0]), self._week_dates[-1])
        self._read(week=other_week, then=then)
        self._mark_current_row()
        self._select_in_calendar(self._day)
        self._load_month()

    def _select_in_calendar(self, day: date) -> None:
        self._syncing_calendar = True
        try:
            self.calendar.setSelectedDate(qdate(day))
        finally:
            self._syncing_calendar = False

    def _load_month(self, force: bool = False) -> None:
        """The dots of the calendar's month page (re-read only when the page or contract changed)."""
        key = (self.calendar.yearShown(), self.calendar.monthShown(), self._contract_id)
        if key == self._month_loaded and not force:
            return
        self._month_loaded = key
        self.operations.read(self, lambda context: context.diary.month_days(*key), self._month_read(key))

    def _month_read(self, key: tuple) -> Callable[[frozenset[date]], None]:
        def show(dates: frozenset[date]) -> None:
            if key == self._month_loaded:  # not a page or contract left meanwhile
                self.calendar.set_logged_dates(dates)

        return show

    def _read(
        self,
        *,
        contracts: bool = False,
        week: bool = True,
        day: bool = True,
        keep_selection: bool = False,
        then: Callable[[], None] | None = None,
    ) -> None:
        """Read, in one operation, the contracts, the chosen week's day totals and the chosen
        date's blocks (those asked for). Each part is shown only if the window still asks for it:
        a later step's read (they run in order) shows its own."""
        asked = contract_id, asked_week, asked_day = self._contract_id, self._week, self._day

        def query(context: Context) -> _Read:
            diary = context.diary
            return _Read(
                diary.contracts() if contracts else None,
                diary.week_days(asked_week.date(), contract_id) if week else None,
                diary.day_blocks(asked_day, contract_id) if day else None,
            )

        def show(found: _Read) -> None:
            if found.contracts is not None:
                self._show_contracts(found.contracts)
            if found.week_rows is not None and (self._contract_id, self._week) == asked[:2]:
                self._show_week(found.week_rows)
            if found.day_blocks is not None and (self._contract_id, self._week, self._day) == asked:
                self._show_day(found.day_blocks, keep_selection)
                if then is not None:
                    then()

        self.operations.read(self, query, show)

    def _show_contracts(self, contracts: list[ContractRow]) -> None:
        self._contracts = {c.id: c for c in contracts}
        self._locks.clear()  # their terms may have changed
        gone = self._contract_id is not None and self._contract_id not in self._contracts
        if gone:
            self._contract_id = None
        combo = self.contract_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(ALL_CONTRACTS, None)
        for contract in contracts:
            combo.addItem(contract_label(contract), contract.id)
        combo.setCurrentIndex(max(combo.findData(self._contract_id), 0) if self._contract_id else 0)
        combo.blockSignals(False)
        if gone:  # what was read for it is not shown: read all contracts' instead
            self._contract_chosen(0)
        self._update_lock()
        self._show_workroom_button()

    def _show_week(self, rows: list[DayTotal]) -> None:
        self._week_rows = rows
        for i, widget in enumerate(self.week_rows):
            if i < len(rows):
                partial = ""
                if rows[i].partial:
                    partial = "previous" if i == 0 else "next"
                widget.show_day(rows[i], partial, rows[i].day == self._day)
                widget.show()
            else:
                widget.hide()
        total = sum(row.seconds for row in rows)
        self.week_total_label.setText(hm(total))
        self.week_total_label.setAccessibleDescription(spoken_hm(total))
        first, last = self._week.date(), (self._week + WEEK - timedelta(days=1)).date()
        self.week_title.setText(f"{first:%d %b} – {last:%d %b %Y}")
        start_local = local_text(self._week, self.zone)
        end_local = local_text(self._week + WEEK, self.zone)
        about = (
            f"Work week Mon {first:%d %b} – Sun {last:%d %b %Y} (UTC): {start_local} to {end_local} "
            "your time. Work weeks run Monday 00:00 to Sunday 24:00 UTC."
        )
        self.week_title.setToolTip(about)
        self.week_title.setAccessibleDescription(about)
        self._update_lock()

    def _mark_current_row(self) -> None:
        for i, widget in enumerate(self.week_rows[: len(self._week_rows)]):
            widget.show_day(self._week_rows[i], widget.partial, self._week_rows[i].day == self._day)

    def _show_day(self, blocks: list[BlockView], keep_selection: bool) -> None:
        """The chosen date's blocks (its week's rows are shown already: they were read first)."""
        view = self.day_view
        selected = self.selected_block_ids() if keep_selection else []
        current_cell = view.current_cell() if keep_selection else None
        shown_week, shown_day = self._shown_week, self._shown_day
        self._shown_week, self._shown_day = self._week, self._day
        titles = None
        if self._contract_id is None and len({b.contract_id for b in blocks}) > 1:
            titles = {cid: c.title for cid, c in self._contracts.items()}
        self.thumbnails.cancel()
        self.day_model.set_blocks(blocks, titles)
        self._show_day_total()
        partial = next((row.partial for row in self._week_rows if row.day == self._day), False)
        if partial:
            side = "previous" if self._day == self._week_rows[0].day else "next"
            self.day_note.setText(
                f"Part of this date belongs to the {side} work week, because work weeks follow UTC: "
                f"its blocks there are locked and billed with that week."
            )
        self.day_note.setVisible(bool(partial))
        self.day_stack.setCurrentWidget(view if blocks else self.empty_label)
        self.day_view.setAccessibleName(f"Time blocks of {self._day:%A %d %B}")
        if selected:
            view.select_blocks(selected, current_cell.ids[0] if current_cell else None)
        elif blocks:
            first = self.day_model.cells()[0][0]
            view.selectionModel().setCurrentIndex(first, view.selectionModel().SelectionFlag.NoUpdate)
            view.scrollToTop()
        self._update_actions()
        if self._week != shown_week:
            self.weekChanged.emit(self._week)
        if self._day != shown_day:
            self.dayChanged.emit(self._day)

    def _show_day_total(self) -> None:
        total = self.day_model.seconds()
        self.day_title.setText(f"{self._shown_day:%A %d %B %Y} — {hm(total)}")
        self.day_title.setAccessibleDescription(f"{spoken_hm(total)} logged")

    def _load_totals(self) -> None:
        """Read off the GUI thread; shown when the result comes (for the contract still chosen)."""
        contract_id, now = self._contract_id, self.now()

        def read(context: Context) -> tuple[dict[str, Totals], Running | None]:
            return context.diary.totals_and_running(now, contract_id)

        def show(result: tuple[dict[str, Totals], Running | None]) -> None:
            if contract_id == self._contract_id:
                self._totals, self._totals_running = result
                self._show_totals()

        self.operations.read(self, read, show)

    def _show_totals(self) -> None:
        totals = list(self._totals.values())
        this_week = sum(t.this_week for t in totals)
        last_week = sum(t.last_week for t in totals)
        since = sum(t.since_start for t in totals)
        earnings: dict[str, Decimal] = {}
        for t in totals:
            if t.week_earnings is not None:
                earnings[t.currency] = earnings.get(t.currency, Decimal(0)) + t.week_earnings
        for label, seconds in (
            (self.this_week_label, this_week),
            (self.last_week_label, last_week),
            (self.since_start_label, since),
        ):
            label.setText(hm(seconds))
            label.setAccessibleDescription(spoken_hm(seconds))
        self.earnings_label.setText(
            " + ".join(f"{amount:,.2f} {currency}" for currency, amount in earnings.items())
        )
        self.earnings_label.setVisible(bool(earnings))
        self.earnings_caption.setVisible(bool(earnings))
        title = self._contracts[self._contract_id].title if self._contract_id else "all contracts"
        self.totals_box.setTitle(f"Totals — {title}")
        self.totals_box.setAccessibleName(f"Totals for {title}")

    # ----- the rules, as the controls show them

    def _lock_of(self, contract_id: str, moment: datetime) -> datetime:
        key = (contract_id, week_start(moment))
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = locked_at(ContractTerms.of(self._contracts[contract_id]), moment)
        return lock

    def _why_locked(self, contract_id: str, moment: datetime) -> str:
        """Why time at ``moment`` on a contract cannot be changed now, or ""."""
        contract = self._contracts.get(contract_id)
        if contract is None:
            return "This contract is not known here any more."
        if contract.status == ContractStatus.ENDED:
            return f"“{contract.title}” has ended: its time is view-only."
        lock = self._lock_of(contract_id, moment)
        if self.now() >= lock:
            return f"Week locked {local_text(lock, self.zone)} your time: past weeks are view-only."
        return ""

    def _update_lock(self) -> None:
        ids = [self._contract_id] if self._contract_id else list(self._contracts)
        now = self.now()
        if not ids:
            editable, text = False, "There are no contracts yet."
        elif self._week > now:
            editable, text = False, "This work week has not started yet."
        else:
            reasons = {cid: self._why_locked(cid, self._week) for cid in ids}
            open_ids = [cid for cid, reason in reasons.items() if not reason]
            if open_ids:
                until = max(self._lock_of(cid, self._week) for cid in open_ids)
                editable, text = True, f"Editable until {local_text(until, self.zone)} your time."
            else:
                live = [
                    r for cid, r in reasons.items() if self._contracts[cid].status != ContractStatus.ENDED
                ]
                editable, text = False, (live or list(reasons.values()))[0]
        self._week_editable = editable
        self.lock_label.setText(text)
        self.lock_label.setAccessibleDescription(text)
        self.add_time_button.setEnabled(
            editable and any(c.status != ContractStatus.ENDED for c in self._contracts.values())
        )
        self.add_time_button.setToolTip("Add manual time (Ctrl+N)" if editable else f"View-only: {text}")

    def _update_actions(self, *_) -> None:
        cells = self.day_view.selected_cells()
        blocks = [b for cell in cells for b in cell.blocks]
        reasons = list(dict.fromkeys(r for b in blocks if (r := self._why_locked(b.contract_id, b.start))))
        running = self.diary.running
        elsewhere = any(b.is_open and (running is None or b.id != running.id) for b in blocks)
        tracked_here = running is not None and any(b.id == running.id for b in blocks)
        can_edit = bool(blocks) and not reasons
        self.edit_memo_button.setEnabled(can_edit and not elsewhere)
        self.remove_button.setEnabled(can_edit and not elsewhere and not tracked_here)
        self.open_button.setEnabled(self.day_view.current_cell() is not None)
        if not blocks:
            text = "Select blocks to edit their memo or remove their time." if self._week_editable else ""
        else:
            seconds = sum(b.seconds for b in blocks)
            text = f"{len(blocks)} block{'s' if len(blocks) != 1 else ''} selected ({hm(seconds)})"
            if reasons:
                text += f" — view-only: {reasons[0]}"
            elif elsewhere:
                text += f" — {TRACKED_ELSEWHERE}"
            elif tracked_here:
                text += " — one is being tracked: its memo becomes the current memo; stop to remove it"
        self.selection_label.setText(text)
        self.selection_label.setToolTip(text)
        why = reasons[0] if reasons else TRACKED_ELSEWHERE if elsewhere else ""
        self.edit_memo_button.setAccessibleDescription(why)
        stop_first = "Stop tracking to remove the block being tracked" if tracked_here else ""
        self.remove_button.setAccessibleDescription(why or stop_first)

    # ----- user choices

    def _show_workroom_button(self) -> None:
        """Only a service contract has a workroom."""
        contract = self._contracts.get(self._contract_id or "")
        self.workroom_button.setEnabled(contract is not None and contract.origin == ContractOrigin.SERVICE)

    def _contract_chosen(self, index: int) -> None:
        self._contract_id = self.contract_combo.itemData(index)
        self._show_workroom_button()
        self._load_month()
        self._read()
        self._load_totals()

    def _calendar_chosen(self) -> None:
        if self._syncing_calendar:
            return
        self.show_date(self.calendar.selectedDate().toPython())

    def _open_day_from_row(self, day: date) -> None:
        if day == self._day:
            self._focus_blocks()
        else:
            self._open_day(day, self._focus_blocks)

    def _focus_blocks(self) -> None:
        if self.day_model.block_count():
            self.day_view.setFocus(Qt.FocusReason.OtherFocusReason)

    # ----- edits

    @Slot()
    def add_time(self) -> None:
        if not self.add_time_button.isEnabled():
            return
        today = self.now().astimezone(self.zone).date()
        dialog = AddTimeDialog(
            self.diary,
            self.operations,
            self.now,
            list(self._contracts.values()),
            self._contract_id,
            min(self._day, today),
            self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.added.connect(self._time_added)
        dialog.open()

    def _time_added(self, ids: list[str], day: date, start: datetime) -> None:
        """After the refresh every edit brings: the added time's week and date, selected."""

        def select_added() -> None:
            self.day_view.select_blocks(ids, ids[0] if ids else None)
            added = [b for cell in self.day_view.selected_cells() for b in cell.blocks]
            if added:
                title = self._contracts[added[0].contract_id].title
                first, last = added[0].start.astimezone(self.zone), added[-1].end.astimezone(self.zone)
                text = (
                    f"Added {hm(sum(b.seconds for b in added))} of manual time on “{title}”, "
                    f"{first:%a %d %b %H:%M}–{last:%H:%M} (selected below)."
                )
                self.notice_label.setText(text)
                self.notice_label.setAccessibleDescription(text)
                self.notice_label.show()

        self._show(week_start(start), day, select_added)

    @Slot()
    def edit_memo(self) -> None:
        if not self.edit_memo_button.isEnabled():
            return
        blocks = [b for cell in self.day_view.selected_cells() for b in cell.blocks]
        memos = {b.memo for b in blocks}
        dialog = MemoDialog(
            memos.pop() if len(memos) == 1 else "", len(blocks), sum(b.seconds for b in blocks), self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        ids = [b.id for b in blocks]
        dialog.submitted.connect(lambda memo: self._apply_memo(ids, memo, dialog))
        dialog.open()

    def _apply_memo(self, ids: list[str], memo: str, dialog: MemoDialog) -> None:
        self.operations.edit(
            dialog, edit_memo(ids, memo), lambda _: dialog.accept(), dialog.refuse, engine=True
        )

    @Slot()
    def remove_time(self) -> None:
        if not self.remove_button.isEnabled():
            return
        blocks = [b for cell in self.day_view.selected_cells() for b in cell.blocks]
        ids = [b.id for b in blocks]
        count = len(blocks)
        seconds = sum(b.seconds for b in blocks)
        shots = sum(1 for b in blocks if b.screenshot_id)
        ask(
            self,
            "Remove time",
            f"Remove {count} block{'s' if count != 1 else ''} ({hm(seconds)}) from the Work Diary?",
            "&Remove time",
            lambda: self._apply_remove(ids),
            informative=(
                f"Their {shots} screenshot{'s' if shots != 1 else ''} are deleted too. " if shots else ""
            )
            + "The client will not see or pay this time.",
            name="confirm-remove",
        )

    def _apply_remove(self, ids: list[str]) -> None:
        self.operations.edit(
            self,
            lambda context: context.diary.remove_time(ids, context.now),
            failed=lambda reason: tell(self, "Time not removed", reason, name="error"),
        )

    @Slot()
    def open_current(self) -> None:
        cell = self.day_view.current_cell()
        if cell is not None:
            self.open_block(cell)

    @Slot(object)
    def open_block(self, cell: Cell) -> BlockDialog:
        reason = next((r for b in cell.blocks if (r := self._why_locked(b.contract_id, b.start))), "")
        dialog = BlockDialog(self.diary, self.operations, self.now, cell, self._contracts, reason, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
