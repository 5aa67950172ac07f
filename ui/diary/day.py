"""The Work Diary's day: its time blocks laid out by hour, six 10-minute slots an hour.

One ``QTableView`` over a model of at most 144 cells (rows: the local hours with work; columns:
the slots hh:00 … hh:50), painted by a delegate: no widget per block. Selection, keyboard moves
(arrows, shift/ctrl, Home/End) and Enter come from the view; each cell gives screen readers its
own text (``Qt.AccessibleTextRole``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from common.rules import FROM_IDLE_TIME, METER_BARS, meter_bars
from common.states import ActivitySource, BlockSource
from common.timetext import hm
from common.timetext import spoken as spoken_hm
from tracker.diary import BlockView
from tracker.logged import Running
from ui.diary.palette import meter_colors
from ui.diary.thumbs import ThumbnailCache
from ui.theme import mix, warning_color

CELL_WIDTH = 158
THUMB_SIZE = QSize(CELL_WIDTH - 10, (CELL_WIDTH - 10) * 9 // 16)
PAD = 5
BLOCKS_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass
class Cell:
    """What one slot of the day shows: usually one block, two when two contracts share a slot."""

    blocks: list[BlockView]
    start: datetime  # local
    end: datetime  # local
    titles: list[str] = field(default_factory=list)  # contract titles, when all contracts are shown
    active: int = 0
    tracked: int = 0

    @classmethod
    def of(cls, blocks: list[BlockView], zone: tzinfo, titles: list[str]) -> Cell:
        tracked = [b for b in blocks if b.source != BlockSource.MANUAL]
        return cls(
            blocks=blocks,
            start=blocks[0].start.astimezone(zone),
            end=blocks[-1].end.astimezone(zone),
            titles=titles,
            active=sum(b.active_minutes for b in tracked),
            tracked=sum(b.minutes_tracked for b in tracked),
        )

    @property
    def ids(self) -> list[str]:
        return [b.id for b in self.blocks]

    @property
    def seconds(self) -> int:
        return sum(b.seconds for b in self.blocks)

    @property
    def time_range(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def memo(self) -> str:
        return " · ".join(dict.fromkeys(b.memo for b in self.blocks if b.memo))

    @property
    def manual(self) -> bool:
        return any(b.source == BlockSource.MANUAL for b in self.blocks)

    @property
    def redacted(self) -> bool:
        return any(b.redacted for b in self.blocks)

    @property
    def over_limit(self) -> bool:
        return any(b.over_limit for b in self.blocks)

    @property
    def note(self) -> str:
        return " · ".join(dict.fromkeys(b.capture_note for b in self.blocks if b.capture_note))

    @property
    def screenshot_id(self) -> str | None:
        return next((b.screenshot_id for b in self.blocks if b.screenshot_id), None)

    @property
    def screenshot_redacted(self) -> bool:
        return next((b.redacted for b in self.blocks if b.screenshot_id), False)

    @property
    def has_activity(self) -> bool:
        return self.tracked > 0

    @property
    def bars(self) -> int:
        return meter_bars(self.active, self.tracked)

    @property
    def from_idle_time(self) -> bool:
        """Its activity came from the compositor's idle time: active minutes, no counts."""
        return any(b.activity_source == ActivitySource.IDLE_TIME for b in self.blocks)

    def marks(self) -> list[str]:
        marks = []
        if self.manual:
            marks.append("Manual")
        if self.redacted:
            marks.append("Redacted")
        if self.over_limit:
            marks.append("Over limit")
        return marks

    def description(self, with_note: bool = True) -> str:
        """The cell as a screen reader says it (and its tooltip); ``with_note=False`` leaves out
        why it has no screenshot (said beside it)."""
        parts = [f"{self.time_range}, {spoken_hm(self.seconds)}"]
        if self.titles:
            parts.append(", ".join(self.titles))
        if self.has_activity:
            parts.append(f"active {self.active} of {self.tracked} minutes")
            if self.from_idle_time:
                parts.append(FROM_IDLE_TIME)
        parts.append(f"memo: {self.memo}" if self.memo else "no memo")
        parts.extend(mark.lower() for mark in self.marks())
        if with_note and self.note:
            parts.append(self.note)
        elif with_note and not self.screenshot_id and not self.manual:
            parts.append("no screenshot")
        if len(self.blocks) > 1:
            parts.append(f"{len(self.blocks)} blocks")
        return "; ".join(parts)


def short_duration(seconds: int) -> str:
    """A block's own length when it is shorter than its slot: '9m 59s'."""
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}m {seconds:02d}s" if minutes < 60 else hm(minutes * 60)


class DayModel(QAbstractTableModel):
    """The blocks of one local date: a row per local hour with work, a column per slot."""

    def __init__(self, zone: tzinfo, parent=None) -> None:
        super().__init__(parent)
        self.zone = zone
        self._rows: list[str] = []
        self._cells: dict[tuple[int, int], Cell] = {}
        self._where: dict[str, tuple[int, int]] = {}  # block id -> (row, column)
        self._shots: dict[str, tuple[int, int]] = {}  # screenshot id -> (row, column)

    def set_blocks(self, blocks: Iterable[BlockView], titles: dict[str, str] | None = None) -> None:
        """Lay out blocks (in time order) by local hour and slot; ``titles`` names each block's
        contract in the cells (given when several contracts are shown)."""
        self.beginResetModel()
        hours: dict[int, int] = {}  # UTC epoch at which the local hour began -> row
        rows: list[str] = []
        grouped: dict[tuple[int, int], list[BlockView]] = {}
        for block in blocks:
            local = datetime.fromtimestamp(block.start_epoch, self.zone)
            hour_epoch = block.start_epoch - local.minute * 60 - local.second
            row = hours.get(hour_epoch)
            if row is None:
                row = hours[hour_epoch] = len(rows)
                rows.append(f"{local:%H}:00")
            grouped.setdefault((row, local.minute // 10), []).append(block)
        # A day when clocks go back lives its repeated hour twice: say which is which.
        repeated = {label for label in rows if rows.count(label) > 1}
        for epoch, row in hours.items():
            if rows[row] in repeated:
                rows[row] += f" {datetime.fromtimestamp(epoch, UTC).astimezone(self.zone):%Z}"
        self._rows = rows
        self._cells = {
            key: Cell.of(group, self.zone, sorted({titles[b.contract_id] for b in group}) if titles else [])
            for key, group in grouped.items()
        }
        self._where = {block_id: key for key, cell in self._cells.items() for block_id in cell.ids}
        self._shots = {
            b.screenshot_id: key for key, cell in self._cells.items() for b in cell.blocks if b.screenshot_id
        }
        self.endResetModel()

    def follow(self, running: Running) -> bool:
        """The running block's cell shows it as far as it has got; whether the day holds it."""
        key = self._where.get(running.id)
        if key is None:
            return False
        cell = self._cells[key]
        self._cells[key] = Cell.of([running.applied_to(b) for b in cell.blocks], self.zone, cell.titles)
        index = self.index(*key)
        self.dataChanged.emit(index, index)
        return True

    # ----- reading

    def seconds(self) -> int:
        return sum(cell.seconds for cell in self._cells.values())

    def cell(self, index: QModelIndex | QPersistentModelIndex) -> Cell | None:
        if not index.isValid():
            return None
        return self._cells.get((index.row(), index.column()))

    def cells(self) -> list[tuple[QModelIndex, Cell]]:
        return [(self.index(r, c), cell) for (r, c), cell in sorted(self._cells.items())]

    def index_of_block(self, block_id: str) -> QModelIndex:
        key = self._where.get(block_id)
        return QModelIndex() if key is None else self.index(*key)

    def index_of_screenshot(self, screenshot_id: str) -> QModelIndex:
        key = self._shots.get(screenshot_id)
        return QModelIndex() if key is None else self.index(*key)

    def hour_label(self, row: int) -> str:
        return self._rows[row]

    def block_count(self) -> int:
        return len(self._where)

    # ----- the model

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 6

    def flags(self, index):
        if self.cell(index) is None:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        cell = self.cell(index)
        if cell is None:
            if role == Qt.ItemDataRole.AccessibleTextRole and index.isValid():
                return f"{self._rows[index.row()][:3]}{index.column()}0, nothing logged"
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return cell.time_range
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            return cell.description()
        if role == BLOCKS_ROLE:
            return cell
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        if orientation == Qt.Orientation.Horizontal:
            return (
                f":{section}0" if role == Qt.ItemDataRole.DisplayRole else f"minutes {section}0 to {section}9"
            )
        return self._rows[section] if 0 <= section < len(self._rows) else None


def paint_meter(painter: QPainter, rect: QRect, bars: int, palette: QPalette, on_highlight: bool) -> None:
    """The 10-bar activity meter: ``bars`` filled bars, rising in height, left to right."""
    active, idle = meter_colors(palette)
    if on_highlight:
        text = palette.color(QPalette.ColorRole.HighlightedText)
        active, idle = text, mix(text, palette.color(QPalette.ColorRole.Highlight), 0.35)
    gap = 2
    width = (rect.width() - gap * (METER_BARS - 1)) / METER_BARS
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    for bar in range(METER_BARS):
        height = rect.height() * (0.45 + 0.55 * (bar + 1) / METER_BARS)
        x = rect.left() + bar * (width + gap)
        painter.setBrush(active if bar < bars else idle)
        painter.drawRect(QRectF(x, rect.bottom() + 1 - height, width, height))
    painter.restore()


class BlockDelegate(QStyledItemDelegate):
    """Paints a block cell: time range, thumbnail, activity meter, memo, marks."""

    def __init__(self, thumbnails: ThumbnailCache, parent=None) -> None:
        super().__init__(parent)
        self.thumbnails = thumbnails

    def sizeHint(self, option, index) -> QSize:
        return QSize(CELL_WIDTH, self.cell_height(option.fontMetrics))

    @staticmethod
    def cell_height(metrics: QFontMetrics) -> int:
        line = metrics.height()
        return PAD + line + 3 + THUMB_SIZE.height() + 4 + 9 + 4 + line + 2 + line + PAD

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        cell: Cell | None = index.data(BLOCKS_ROLE)
        palette = option.palette
        rect = option.rect.adjusted(2, 2, -2, -2)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
        if cell is None:
            if focused:
                painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 1, Qt.PenStyle.DashLine))
                painter.drawRect(rect.adjusted(0, 0, -1, -1))
            painter.restore()
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        base = palette.color(QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Base)
        painter.fillRect(rect, base)
        border = palette.color(QPalette.ColorRole.Mid)
        painter.setPen(QPen(border, 1))
        painter.drawRect(rect.adjusted(0, 0, -1, -1))
        if focused:
            painter.setPen(
                QPen(palette.color(QPalette.ColorRole.Text if selected else QPalette.ColorRole.Highlight), 2)
            )
            painter.drawRect(rect.adjusted(1, 1, -2, -2))

        metrics = option.fontMetrics
        line = metrics.height()
        inner = rect.adjusted(PAD - 2, PAD - 2, -(PAD - 2), -(PAD - 2))
        x, y, w = inner.left(), inner.top(), inner.width()

        # time range, and the time when the block is shorter than its slot
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text)
        painter.drawText(
            QRect(x, y, w, line), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, cell.time_range
        )
        painter.setFont(option.font)
        if cell.seconds < 600 or len(cell.blocks) > 1:
            painter.drawText(
                QRect(x, y, w, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                short_duration(cell.seconds),
            )
        y += line + 3

        # thumbnail or what stands in for it
        thumb = QRect(x, y, w, THUMB_SIZE.height())
        self._paint_thumbnail(painter, thumb, cell, palette, text, selected, metrics)
        y += THUMB_SIZE.height() + 4

        # the activity meter
        if cell.has_activity:
            paint_meter(painter, QRect(x, y, min(w, 110), 9), cell.bars, palette, selected)
            painter.setPen(text)
            painter.drawText(
                QRect(x + 114, y - 3, w - 114, 14),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{cell.active}/{cell.tracked}",
            )
        y += 9 + 4

        # memo
        painter.setPen(text)
        memo = cell.memo or "No memo"
        if not cell.memo:
            painter.setPen(mix(text, base, 0.6))
        painter.drawText(
            QRect(x, y, w, line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(memo, Qt.TextElideMode.ElideRight, w),
        )
        y += line + 2

        # marks
        self._paint_marks(painter, QRect(x, y, w, line), cell, palette, text, base, selected, metrics)
        painter.restore()

    def _paint_thumbnail(self, painter, rect, cell, palette, text, selected, metrics) -> None:
        shot = cell.screenshot_id
        pixmap = self.thumbnails.pixmap(shot, cell.screenshot_redacted) if shot else None
        if pixmap is not None and not pixmap.isNull():
            size = pixmap.deviceIndependentSize().toSize()
            target = QRect(0, 0, min(size.width(), rect.width()), min(size.height(), rect.height()))
            target.moveCenter(rect.center())
            painter.drawPixmap(target, pixmap)
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(target.adjusted(0, 0, -1, -1))
            return
        window = palette.color(QPalette.ColorRole.Window)
        painter.fillRect(
            rect,
            mix(window, palette.color(QPalette.ColorRole.Base), 0.7)
            if not selected
            else mix(text, palette.color(QPalette.ColorRole.Highlight), 0.15),
        )
        if shot and pixmap is None:
            caption = ""  # still loading: a plain box for a blink
        elif shot:
            caption = "Screenshot file missing"
        elif cell.manual:
            caption = "Manual time"
        else:
            caption = cell.note or "No screenshot"
        if caption:
            painter.setPen(text)
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            box = rect.adjusted(4, 2, -4, -2)
            if metrics.boundingRect(box, flags, caption).height() > box.height():
                caption = metrics.elidedText(caption, Qt.TextElideMode.ElideRight, box.width() * 3 - 20)
            painter.drawText(box, flags, caption)

    def _paint_marks(self, painter, rect, cell, palette, text, base, selected, metrics) -> None:
        x = rect.left()
        marks = cell.marks()
        for mark in marks:
            width = metrics.horizontalAdvance(mark) + 8
            if x + width > rect.right() + 1:
                break
            chip = QRect(x, rect.top(), width, rect.height())
            color = warning_color(palette) if mark == "Over limit" and not selected else text
            painter.setPen(QPen(color, 1))
            painter.drawRect(chip.adjusted(0, 0, -1, -1))
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, mark)
            x += width + 4
        if cell.note and cell.screenshot_id:  # a note on a screenshot that exists (e.g. all black)
            painter.setPen(text if selected else warning_color(palette))
            room = rect.right() + 1 - x
            if room > 20:
                painter.drawText(
                    QRect(x, rect.top(), room, rect.height()),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    metrics.elidedText("⚠ " + cell.note, Qt.TextElideMode.ElideRight, room),
                )


class DayView(QTableView):
    """The day grid. ``opened`` is emitted for a block cell on Enter or double-click."""

    opened = Signal(object)  # Cell

    def __init__(self, model: DayModel, thumbnails: ThumbnailCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.thumbnails = thumbnails
        self.setItemDelegate(BlockDelegate(thumbnails, self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)  # Tab leaves the grid for the next control
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        horizontal, vertical = self.horizontalHeader(), self.verticalHeader()
        horizontal.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        horizontal.setDefaultSectionSize(CELL_WIDTH)
        horizontal.setHighlightSections(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(BlockDelegate.cell_height(self.fontMetrics()))
        vertical.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        vertical.setHighlightSections(False)
        vertical.setMinimumWidth(self.fontMetrics().horizontalAdvance("00:00 CEST") + 12)
        self.doubleClicked.connect(self._open)
        thumbnails.loaded.connect(self._thumbnails_loaded)
        self.minimum_width = (
            vertical.minimumWidth()
            + 6 * CELL_WIDTH
            + self.verticalScrollBar().sizeHint().width()
            + 2 * self.frameWidth()
            + 2
        )

    def model(self) -> DayModel:
        return super().model()

    def current_cell(self) -> Cell | None:
        return self.model().cell(self.currentIndex())

    def selected_cells(self) -> list[Cell]:
        model = self.model()
        cells = [
            model.cell(index) for index in sorted(self.selectedIndexes(), key=lambda i: (i.row(), i.column()))
        ]
        return [cell for cell in cells if cell is not None]

    def select_blocks(self, block_ids: Iterable[str], current: str | None = None) -> None:
        model, selection = self.model(), self.selectionModel()
        selection.clearSelection()
        for block_id in block_ids:
            index = model.index_of_block(block_id)
            if index.isValid():
                selection.select(index, selection.SelectionFlag.Select)
        if current is not None:
            index = model.index_of_block(current)
            if index.isValid():
                selection.setCurrentIndex(index, selection.SelectionFlag.NoUpdate)
                self.scrollTo(index)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self._open(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)

    def _open(self, index) -> None:
        cell = self.model().cell(index)
        if cell is not None:
            self.opened.emit(cell)

    def _thumbnails_loaded(self, screenshot_ids: list[str]) -> None:
        model = self.model()
        for screenshot_id in screenshot_ids:
            index = model.index_of_screenshot(screenshot_id)
            if index.isValid():
                self.update(index)

    def showEvent(self, event) -> None:
        self.thumbnails.set_device_pixel_ratio(self.devicePixelRatioF())
        super().showEvent(event)
