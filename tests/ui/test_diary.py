"""The Work Diary window over a real database filled by the core, driven as a user would: clicks,
keys, selections, dialogs; every wait is on a signal or a condition."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox, QToolButton, QWidget
from sqlalchemy import event

from common.errors import EnvironmentProblem
from common.timetext import hm
from tests.helpers.fakes import FakeCapturer
from tests.helpers.rows import change_contract
from tracker.diary import Diary
from tracker.engine import Tracker
from tracker.simulation import SimulatedIdleTime, simulate
from ui.diary import WorkDiaryWindow
from ui.diary.day import Cell
from ui.diary.dialogs import AddTimeDialog, BlockDialog, MemoDialog, slot_choices
from ui.diary.palette import dot_color, meter_colors
from ui.operations import Operations

BERLIN = ZoneInfo("Europe/Berlin")
WEDNESDAY = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


# ----- helpers


def manual(diary, database, contract, start, end, memo="", now=WEDNESDAY) -> list[str]:
    return diary.add_manual_time(contract.id, start, end, memo, now, database.device_id())


def track(make_tracker, clock, contract, start, seconds, memo="", capturer=None, stop=True):
    """Track on the fake clock from ``start`` (moved forward to) for ``seconds``."""
    clock.advance((start - clock.now()).total_seconds())
    tracker = make_tracker(capturer=capturer)
    tracker.start(contract.id, memo)
    simulate(tracker, clock, seconds)
    if stop:
        tracker.stop()
    return tracker


@pytest.fixture
def open_window(qtbot, diary, clock):
    opened = []

    def make(contract_id=None, diary_=None) -> WorkDiaryWindow:
        operations = Operations(diary_ or diary, clock.now)
        opened.append(operations)
        window = WorkDiaryWindow(diary_ or diary, clock.now, operations, contract_id)
        qtbot.addWidget(window)
        with qtbot.waitExposed(window):
            window.show()
        window.activateWindow()  # keyboard tests need the focus
        qtbot.waitUntil(window.isActiveWindow)
        filled(qtbot, window)
        return window

    yield make
    for operations in opened:
        operations.shutdown()


def filled(qtbot, window) -> None:
    """Wait for the reads the window asked for so far (operations run in order) to be shown."""
    with qtbot.waitCallback() as shown:
        window.operations.after_those_asked(window, shown)


def click(qtbot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def cell_point(window, row: int, column: int) -> QPoint:
    return window.day_view.visualRect(window.day_model.index(row, column)).center()


def click_cell(qtbot, window, row, column, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.mouseClick(
        window.day_view.viewport(), Qt.MouseButton.LeftButton, modifier, cell_point(window, row, column)
    )


def cell(window, row, column) -> Cell | None:
    return window.day_model.cell(window.day_model.index(row, column))


def find_child(qtbot, parent, kind, name=None):
    """A dialog the window opened (window-modal, non-blocking)."""
    qtbot.waitUntil(lambda: parent.findChild(kind, name) is not None)
    return parent.findChild(kind, name)


def button(box: QMessageBox, text: str) -> QAbstractButton:
    return next(b for b in box.buttons() if b.text().replace("&", "") == text)


def visible_rows(window):
    return [row for row in window.week_rows if not row.isHidden()]


# ----- the week and the calendar


def test_the_default_week_is_the_current_work_week(open_window, diary, database, clock, contract):
    clock.advance((WEDNESDAY - clock.now()).total_seconds())
    manual(diary, database, contract, at(20, 9), at(20, 10), now=at(20, 12))  # last week
    manual(diary, database, contract, at(23, 9), at(23, 10, 30))
    manual(diary, database, contract, at(25, 13), at(25, 14, 20))
    window = open_window()
    assert window.week == at(23, 0)
    assert window.day == date(2026, 11, 25)
    assert window.calendar.selectedDate().toPython() == date(2026, 11, 25)
    rows = visible_rows(window)
    assert [r.day for r in rows] == [date(2026, 11, 23) + timedelta(days=i) for i in range(7)]
    assert [r.total_label.text() for r in rows] == ["1:30", "0:00", "1:20", "0:00", "0:00", "0:00", "0:00"]
    assert window.week_total_label.text() == "2:50"
    assert window.day_title.text() == "Wednesday 25 November 2026 — 1:20"
    assert window.week_title.text() == "23 Nov – 29 Nov 2026"
    assert not any(r.partial_label.isVisibleTo(window) for r in rows)  # UTC: whole dates


def test_this_week_is_the_utc_week_of_now_even_when_the_local_date_is_in_another(
    open_window, database, clock, contract
):
    """Sunday 29 Nov 20:00 UTC is Monday 30 Nov 09:00 in Kiritimati: still the week of 23 Nov."""
    clock.advance((at(29, 20) - clock.now()).total_seconds())
    window = open_window(diary_=Diary(database, ZoneInfo("Pacific/Kiritimati")))
    assert window.week == at(23, 0)
    assert window.day == date(2026, 11, 30)
    assert [r.day for r in visible_rows(window)][-1] == date(2026, 11, 30)


def test_calendar_dots_mark_dates_with_time_and_follow_the_month_page(
    qtbot, open_window, diary, database, clock, contract
):
    clock.advance((WEDNESDAY - clock.now()).total_seconds())
    manual(diary, database, contract, at(24, 9), at(24, 9, 10))
    manual(diary, database, contract, at(25, 9), at(25, 9, 10))
    manual(diary, database, contract, at(30, 9, month=10), at(30, 10, month=10), now=at(30, 12, month=10))
    window = open_window()
    calendar = window.calendar
    assert calendar.logged_dates() == {date(2026, 11, 24), date(2026, 11, 25)}
    assert calendar.dateTextFormat(calendar.selectedDate().addDays(-1)).toolTip() == "Time logged"

    def dot_pixels() -> int:
        image = calendar.grab().toImage()
        blue = dot_color(calendar.palette()).rgb()
        return sum(
            1 for y in range(image.height()) for x in range(0, image.width(), 1) if image.pixel(x, y) == blue
        )

    assert dot_pixels() > 0  # the 24th's dot (the 25th's is drawn in the selection's colour)
    previous = calendar.findChild(QToolButton, "qt_calendar_prevmonth")
    with qtbot.waitSignal(calendar.currentPageChanged):
        click(qtbot, previous)
    qtbot.waitUntil(lambda: calendar.logged_dates() == {date(2026, 10, 30)})
    assert (calendar.yearShown(), calendar.monthShown()) == (2026, 10)
    assert dot_pixels() > 0
    following = calendar.findChild(QToolButton, "qt_calendar_nextmonth")
    for _ in range(2):
        with qtbot.waitSignal(calendar.currentPageChanged):
            click(qtbot, following)
    qtbot.waitUntil(lambda: calendar.logged_dates() == set())
    assert dot_pixels() == 0
    assert window.week == at(23, 0)  # paging the calendar does not change the shown week


def test_choosing_a_date_in_the_calendar_shows_its_week_and_day(
    qtbot, open_window, diary, database, clock, contract
):
    clock.advance((WEDNESDAY - clock.now()).total_seconds())
    manual(diary, database, contract, at(18, 9), at(18, 9, 30), "Old work", now=at(18, 12))
    window = open_window()
    with qtbot.waitSignal(window.weekChanged) as week:
        window.calendar.setFocus()
        for _ in range(7):  # the keyboard way: a week up
            qtbot.keyClick(window.calendar.findChild(QWidget, "qt_calendar_calendarview"), Qt.Key.Key_Left)
    assert week.args == [at(16, 0)]
    assert window.day == date(2026, 11, 18)
    assert window.day_model.block_count() == 3
    assert cell(window, 0, 0).memo == "Old work"


def test_the_arrow_of_a_day_opens_it(qtbot, open_window, diary, database, clock, contract):
    clock.advance((WEDNESDAY - clock.now()).total_seconds())
    manual(diary, database, contract, at(23, 9), at(23, 9, 20), "Monday work")
    window = open_window()
    monday = visible_rows(window)[0]
    assert monday.arrow.accessibleName() == "Open Monday 23 November"
    with qtbot.waitSignal(window.dayChanged) as changed:
        click(qtbot, monday.arrow)
    assert changed.args == [date(2026, 11, 23)]
    assert window.day_title.text().startswith("Monday 23 November 2026")
    assert [cell(window, 0, c).memo for c in (0, 1)] == ["Monday work"] * 2
    assert window.day_view.hasFocus()  # straight into the blocks, for the keyboard


def test_partial_edge_dates_east_of_utc(open_window, database, clock, contract):
    """Berlin (UTC+1): the work week runs Mon 01:00 to next Mon 01:00 local time: 8 dates."""
    berlin = Diary(database, BERLIN)
    manual(berlin, database, contract, at(22, 23, 30), at(22, 23, 50), now=at(23, 8))  # Mon 00:30 Berlin
    manual(berlin, database, contract, at(23, 8), at(23, 8, 10), now=at(23, 9))
    window = open_window(diary_=berlin)
    rows = visible_rows(window)
    assert [r.day for r in rows] == [date(2026, 11, 23) + timedelta(days=i) for i in range(8)]
    assert [r.partial_label.isVisibleTo(window) for r in rows] == [True] + [False] * 6 + [True]
    assert "previous work week, because work weeks follow UTC" in rows[0].partial_label.toolTip()
    assert "next work week" in rows[-1].partial_label.toolTip()
    assert rows[0].total_label.text() == "0:10"  # this week's part of Monday
    window.show_day(date(2026, 11, 23))
    assert window.day_title.text() == "Monday 23 November 2026 — 0:30"  # the whole date
    assert "previous work week" in window.day_note.text()


def test_the_work_diary_reads_the_database_off_the_gui_thread(
    qtbot, open_window, make_tracker, diary, database, clock, contract
):
    track(make_tracker, clock, contract, at(18, 9), 15 * 60, "Old work", FakeCapturer())  # screenshots
    clock.advance((WEDNESDAY - clock.now()).total_seconds())
    manual(diary, database, contract, at(24, 9), at(24, 9, 20), "Tuesday work")
    other = diary.add_contract("Logo", now=at(1, 0))
    readers: list[threading.Thread] = []

    def record(*_) -> None:
        readers.append(threading.current_thread())

    event.listen(database.engine, "checkout", record)  # every read takes a connection of the pool
    try:
        window = open_window()
        window.show_previous_week()  # a week, its date's blocks and the calendar's dots
        filled(qtbot, window)
        assert cell(window, 0, 0).memo == "Old work"
        qtbot.waitUntil(lambda: window.thumbnails.cached(cell(window, 0, 0).screenshot_id))
        dialog = window.open_block(cell(window, 0, 0))  # its images
        filled(qtbot, window)
        assert dialog.full_size()
        dialog.close()
        window.show_next_week()
        window.show_previous_day()  # a date of the shown week
        window.set_contract(other.id)
        window.refresh()
        filled(qtbot, window)
        window.set_contract(None)
        filled(qtbot, window)
        assert (window.day, cell(window, 0, 0).memo) == (date(2026, 11, 24), "Tuesday work")
        click_cell(qtbot, window, 0, 0)
        assert window.edit_memo_button.isEnabled()  # its lock, from the contracts read
    finally:
        event.remove(database.engine, "checkout", record)
    assert readers  # the database was read, each time on another thread
    assert threading.main_thread() not in readers


def test_a_week_left_before_its_read_came_is_never_shown(
    qtbot, open_window, diary, database, clock, contract
):
    clock.advance((WEDNESDAY - clock.now()).total_seconds())
    manual(diary, database, contract, at(18, 9), at(18, 9, 10), "Week A", now=at(18, 12))
    manual(diary, database, contract, at(11, 9), at(11, 9, 20), "Week B", now=at(11, 12))
    window = open_window()
    shown: list[tuple[str, set[str]]] = []  # the week and the blocks, each time blocks are shown
    window.day_model.modelReset.connect(
        lambda: shown.append((window.week_title.text(), {c.memo for _, c in window.day_model.cells()}))
    )
    weeks, days = [], []
    window.weekChanged.connect(weeks.append)
    window.dayChanged.connect(days.append)
    window.show_date(date(2026, 11, 18))  # week A...
    window.show_date(date(2026, 11, 11))  # ...then week B, before A's read came back
    filled(qtbot, window)
    assert shown == [("09 Nov – 15 Nov 2026", {"Week B"})]
    assert (weeks, days) == ([at(9, 0)], [date(2026, 11, 11)])
    assert [r.total_label.text() for r in visible_rows(window)][2] == "0:20"
    assert window.day_title.text() == "Wednesday 11 November 2026 — 0:20"


def test_a_contract_not_known_here_shows_all_contracts(qtbot, open_window, diary, database, clock, contract):
    clock.advance((WEDNESDAY - clock.now()).total_seconds())
    manual(diary, database, contract, at(25, 9), at(25, 9, 20))
    window = open_window("removed-meanwhile")
    filled(qtbot, window)  # read again for all contracts, once the contracts came
    assert window.contract_id is None and window.contract_combo.currentText() == "All contracts"
    assert window.day_model.block_count() == 2
    assert window.week_total_label.text() == "0:20"
    assert window.totals_box.title() == "Totals — all contracts" and window.this_week_label.text() == "0:20"


# ----- the day


@pytest.fixture
def busy_day(make_tracker, clock, diary, database, contract):
    """Wednesday 25 Nov (UTC): tracked 09:00–09:25, a slot with no screenshot at 09:30, manual
    time 11:00–11:20, time over the weekly limit of another contract 12:00–13:00."""
    track(make_tracker, clock, contract, at(25, 9), 25 * 60, "Checkout flow", FakeCapturer(monitors=2))
    problem = EnvironmentProblem("Screenshots cannot be taken: no X display.", "Run it in your session.")
    track(
        make_tracker, clock, contract, at(25, 9, 30), 10 * 60, "Checkout flow", FakeCapturer(problem=problem)
    )
    clock.advance((WEDNESDAY - clock.now()).total_seconds())
    manual(diary, database, contract, at(25, 11), at(25, 11, 20), "Call with Acme")
    capped = diary.add_contract("Capped", now=at(1, 0), weekly_limit_hours=0.5)
    manual(diary, database, capped, at(25, 12), at(25, 13), "Support")
    return contract


def test_the_day_lays_blocks_out_by_hour_and_slot_with_their_marks(qtbot, open_window, diary, busy_day):
    window = open_window()
    model = window.day_model
    assert model.rowCount() == 3 and model.columnCount() == 6
    assert [model.headerData(r, Qt.Orientation.Vertical) for r in range(3)] == ["09:00", "11:00", "12:00"]
    assert [cell(window, 0, c).time_range for c in range(3)] == ["09:00–09:10", "09:10–09:20", "09:20–09:25"]
    assert cell(window, 0, 2).seconds == 300
    assert cell(window, 0, 3).note.startswith("No screenshot: Screenshots cannot be taken")
    assert cell(window, 0, 4) is None and cell(window, 0, 5) is None
    assert [cell(window, 1, c).marks() for c in range(2)] == [["Manual"], ["Manual"]]
    assert [cell(window, 2, c).marks() for c in range(6)] == [["Manual"]] * 3 + [["Manual", "Over limit"]] * 3
    first = cell(window, 0, 0)
    assert (first.active, first.tracked, first.bars) == (10, 10, 10)
    text = model.data(model.index(1, 0), Qt.ItemDataRole.AccessibleTextRole)
    assert "11:00–11:10" in text and "memo: Call with Acme" in text and "manual" in text
    assert "Capped" in model.data(model.index(2, 0), Qt.ItemDataRole.AccessibleTextRole)  # all contracts
    # thumbnails arrive after the grid is shown, and are cached
    shot = first.screenshot_id
    others = [cell(window, 0, 1).screenshot_id]  # (09:20–09:25 may end before its random shot)
    qtbot.waitUntil(lambda: all(window.thumbnails.cached(s) for s in [shot, *others]))
    assert not window.thumbnails.pixmap(shot).isNull()


def test_over_limit_blocks_are_marked(open_window, busy_day):
    window = open_window()
    assert [cell(window, 2, c).over_limit for c in range(6)] == [False] * 3 + [True] * 3
    assert cell(window, 2, 5).marks() == ["Manual", "Over limit"]


def test_a_redacted_screenshot_is_marked(open_window, diary, clock, busy_day):
    (block, *_) = diary.day_blocks(date(2026, 11, 25))
    diary.redact_screenshot(block.screenshot_id, clock.now())
    window = open_window()
    assert cell(window, 0, 0).marks() == ["Redacted"]
    assert "redacted" in window.day_model.data(
        window.day_model.index(0, 0), Qt.ItemDataRole.AccessibleTextRole
    )


def test_a_dst_day_shows_its_repeated_hour_twice(qtbot, open_window, database, contract):
    """1 Nov 2026 in New York: 01:00 EDT (05:00 UTC), then clocks go back: 01:00 EST (06:00 UTC)."""
    new_york = Diary(database, ZoneInfo("America/New_York"))
    manual(new_york, database, contract, at(1, 5), at(1, 5, 20), now=at(1, 12))
    manual(new_york, database, contract, at(1, 6), at(1, 6, 10), now=at(1, 12))
    window = open_window(diary_=new_york)
    window.show_date(date(2026, 11, 1))
    filled(qtbot, window)
    model = window.day_model
    assert [model.headerData(r, Qt.Orientation.Vertical) for r in range(model.rowCount())] == [
        "01:00 EDT",
        "01:00 EST",
    ]
    assert [cell(window, 0, c).time_range for c in (0, 1)] == ["01:00–01:10", "01:10–01:20"]
    assert cell(window, 1, 0).time_range == "01:00–01:10"


# ----- selecting and editing


def test_select_several_blocks_and_edit_their_memo(qtbot, open_window, diary, busy_day):
    window = open_window()
    assert not window.edit_memo_button.isEnabled()
    click_cell(qtbot, window, 0, 0)
    click_cell(qtbot, window, 0, 2, Qt.KeyboardModifier.ControlModifier)
    click_cell(qtbot, window, 1, 1, Qt.KeyboardModifier.ControlModifier)
    ids = window.selected_block_ids()
    assert len(ids) == 3
    assert window.selection_label.text() == "3 blocks selected (0:25)"
    assert window.edit_memo_button.isEnabled() and window.remove_button.isEnabled()
    click(qtbot, window.edit_memo_button)
    dialog = find_child(qtbot, window, MemoDialog)
    assert dialog.memo_edit.text() == ""  # two different memos
    dialog.memo_edit.clear()
    qtbot.keyClicks(dialog.memo_edit, "Payment page")
    with qtbot.waitSignal(window.operations.changed):
        click(qtbot, dialog.save_button)
    filled(qtbot, window)
    memos = {b.id: b.memo for b in diary.day_blocks(date(2026, 11, 25))}
    assert [memos[i] for i in ids] == ["Payment page"] * 3
    assert memos[cell(window, 0, 1).ids[0]] == "Checkout flow"
    assert cell(window, 0, 2).memo == "Payment page"  # the grid shows it
    assert sorted(window.selected_block_ids()) == sorted(ids)  # and keeps the selection


def test_keyboard_selection_then_delete_removes_time_after_confirming(qtbot, open_window, diary, busy_day):
    window = open_window()
    view = window.day_view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Down)  # 11:00
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)  # and 11:10
    removed = window.selected_block_ids()
    assert [cell.time_range for cell in view.selected_cells()] == ["11:00–11:10", "11:10–11:20"]

    qtbot.keyClick(view, Qt.Key.Key_Delete)
    box = find_child(qtbot, window, QMessageBox, "confirm-remove")
    assert box.text() == "Remove 2 blocks (0:20) from the Work Diary?"
    click(qtbot, button(box, "Cancel"))
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "confirm-remove") is None)
    assert len(diary.day_blocks(date(2026, 11, 25))) == 12

    click(qtbot, window.remove_button)
    box = find_child(qtbot, window, QMessageBox, "confirm-remove")
    with qtbot.waitSignal(window.operations.changed):
        click(qtbot, button(box, "Remove time"))
    left = {b.id for b in diary.day_blocks(date(2026, 11, 25))}
    assert len(left) == 10 and not left & set(removed)
    filled(qtbot, window)
    assert [window.day_model.headerData(r, Qt.Orientation.Vertical) for r in range(2)] == ["09:00", "12:00"]
    assert window.this_week_label.text() == hm(sum(r.seconds for r in diary.week_days(date(2026, 11, 25))))


def test_a_block_tracked_by_another_process_cannot_be_edited_before_anything_is_typed(
    qtbot, open_window, make_tracker, clock, contract
):
    track(make_tracker, clock, contract, at(23, 9), 120, stop=False)  # still tracking: its block is open
    window = open_window()
    click_cell(qtbot, window, 0, 0)
    assert not window.edit_memo_button.isEnabled() and not window.remove_button.isEnabled()
    assert window.selection_label.text() == (
        "1 block selected (0:02) — one is being tracked by another Workdiary process: "
        "stop it there to change it"
    )
    qtbot.keyClick(window.day_view, Qt.Key.Key_F2)
    assert window.findChild(MemoDialog) is None


def test_a_memo_the_rules_refuse_at_save_stays_in_the_dialog(qtbot, open_window, diary, clock, busy_day):
    window = open_window()
    click_cell(qtbot, window, 0, 0)
    (block_id,) = window.selected_block_ids()
    click(qtbot, window.edit_memo_button)
    dialog = find_child(qtbot, window, MemoDialog)
    qtbot.keyClicks(dialog.memo_edit, "Payment page")
    diary.remove_time([block_id], clock.now())  # meanwhile, from another window
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(
        lambda: dialog.error_label.text() == f"Memo not changed: There is no time block {block_id!r}."
    )
    assert dialog.isVisible()
    assert dialog.memo_edit.text() == "Payment page"  # kept, to be saved elsewhere or copied


# ----- the editable window


def test_a_past_week_is_view_only_with_the_lock_time_in_the_users_zone(
    qtbot, open_window, database, clock, contract
):
    berlin = Diary(database, BERLIN)
    manual(berlin, database, contract, at(18, 9), at(18, 9, 30), "Old work", now=at(18, 12))
    clock.advance((at(25, 9) - clock.now()).total_seconds())
    window = open_window(contract.id, diary_=berlin)
    assert window.lock_label.text() == "Editable until Mon 30 Nov 13:00 your time."
    assert window.add_time_button.isEnabled()
    with qtbot.waitSignal(window.weekChanged):
        click(qtbot, window.previous_week_button)
    assert window.week == at(16, 0)
    assert window.lock_label.text() == (
        "Week locked Mon 23 Nov 13:00 your time: past weeks are view-only."  # 12:00 UTC + grace
    )
    assert not window.add_time_button.isEnabled()
    window.show_day(date(2026, 11, 18))
    click_cell(qtbot, window, 0, 0)
    click_cell(qtbot, window, 0, 2, Qt.KeyboardModifier.ShiftModifier)
    assert len(window.selected_block_ids()) == 3
    assert not window.edit_memo_button.isEnabled() and not window.remove_button.isEnabled()
    assert "view-only: Week locked Mon 23 Nov 13:00 your time" in window.selection_label.text()
    qtbot.keyClick(window.day_view, Qt.Key.Key_F2)
    qtbot.keyClick(window.day_view, Qt.Key.Key_Delete)
    assert window.findChild(MemoDialog) is None and window.findChild(QMessageBox) is None


def test_last_week_stays_editable_during_the_grace_period(qtbot, open_window, database, clock, contract):
    berlin = Diary(database, BERLIN)
    manual(berlin, database, contract, at(25, 9), at(25, 9, 10), now=at(25, 12))
    clock.advance((at(30, 11, 30) - clock.now()).total_seconds())  # Monday 12:30 in Berlin
    window = open_window(contract.id, diary_=berlin)
    window.show_previous_week()
    filled(qtbot, window)
    assert window.lock_label.text() == "Editable until Mon 30 Nov 13:00 your time."
    window.show_day(date(2026, 11, 25))
    filled(qtbot, window)
    click_cell(qtbot, window, 0, 0)
    assert window.edit_memo_button.isEnabled()


def test_an_ended_contract_is_view_only(qtbot, open_window, diary, database, clock, contract):
    manual(diary, database, contract, at(23, 9), at(23, 9, 10), now=at(23, 10))
    change_contract(database, contract.id, status="ended")
    window = open_window(contract.id)
    assert window.contract_combo.currentText() == "Website rebuild — Acme (ended)"
    assert window.lock_label.text() == "“Website rebuild” has ended: its time is view-only."
    assert not window.add_time_button.isEnabled()
    window.show_day(date(2026, 11, 23))
    click_cell(qtbot, window, 0, 0)
    assert not window.remove_button.isEnabled()


# ----- Add Time


def open_add_time(qtbot, window) -> AddTimeDialog:
    click(qtbot, window.add_time_button)
    return find_child(qtbot, window, AddTimeDialog)


def test_add_time_adds_manual_blocks_and_shows_them(qtbot, open_window, diary, clock, contract):
    clock.advance((WEDNESDAY - clock.now()).total_seconds())
    window = open_window()
    dialog = open_add_time(qtbot, window)
    assert dialog.contract_combo.currentData() == contract.id
    assert dialog.day() == date(2026, 11, 25)
    assert (dialog.start_combo.currentText(), dialog.end_combo.currentText()) == (
        "14:00",
        "15:00",
    )  # last hour
    dialog.choose(contract.id, date(2026, 11, 24), "10:00", "10:30", "Planning")
    assert dialog.duration_label.text() == "(0:30)"
    with qtbot.waitSignal(window.operations.changed):
        click(qtbot, dialog.add_button)
    blocks = diary.day_blocks(date(2026, 11, 24))
    assert [(b.start, b.source, b.memo) for b in blocks] == [
        (at(24, 10, m), "manual", "Planning") for m in (0, 10, 20)
    ]
    assert window.day == date(2026, 11, 24)
    filled(qtbot, window)
    assert sorted(window.selected_block_ids()) == sorted(b.id for b in blocks)
    assert window.notice_label.isVisibleTo(window)
    assert window.notice_label.text() == (
        "Added 0:30 of manual time on “Website rebuild”, Tue 24 Nov 10:00–10:30 (selected below)."
    )
    assert visible_rows(window)[1].total_label.text() == "0:30"
    assert date(2026, 11, 24) in window.calendar.logged_dates()
    assert window.this_week_label.text() == "0:30"


def test_add_time_opens_on_a_contract_that_takes_manual_time(qtbot, open_window, diary, clock, contract):
    clock.advance((WEDNESDAY - clock.now()).total_seconds())
    strict = diary.add_contract("Strict", now=at(1, 0), manual_time_allowed=False)
    window = open_window(strict.id)  # the Work Diary shows the contract that takes none
    dialog = open_add_time(qtbot, window)
    assert dialog.contract_combo.currentData() == contract.id
    assert dialog.add_button.isEnabled() and not dialog.error_label.isVisibleTo(dialog)
    dialog.contract_combo.setCurrentIndex(dialog.contract_combo.findData(strict.id))
    assert not dialog.add_button.isEnabled()
    assert dialog.error_label.text() == "The contract “Strict” does not allow manual time."
    qtbot.keyClick(dialog.memo_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and diary.week_blocks(date(2026, 11, 25)) == []
    dialog.contract_combo.setCurrentIndex(dialog.contract_combo.findData(contract.id))
    assert dialog.add_button.isEnabled() and not dialog.error_label.isVisibleTo(dialog)


def test_add_time_says_why_no_contract_takes_it(qtbot, open_window, database, clock):
    clock.advance((WEDNESDAY - clock.now()).total_seconds())
    strict_diary = Diary(database, UTC)
    strict_diary.add_contract("Strict", now=at(1, 0), manual_time_allowed=False)
    strict_diary.add_contract("Fixed", now=at(1, 0), kind="fixed")
    window = open_window(diary_=strict_diary)
    dialog = open_add_time(qtbot, window)
    assert not dialog.add_button.isEnabled()
    assert dialog.error_label.text() == (
        "Manual time can only be added to hourly contracts. None of your contracts takes manual time."
    )


def test_add_time_with_the_keyboard(qtbot, open_window, diary, clock, contract):
    clock.advance((WEDNESDAY - clock.now()).total_seconds())
    window = open_window(contract.id)
    window.day_view.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = find_child(qtbot, window, AddTimeDialog)
    qtbot.keyClicks(dialog.memo_edit, "Typed")
    with qtbot.waitSignal(window.operations.changed):
        qtbot.keyClick(dialog.memo_edit, Qt.Key.Key_Return)
    assert [b.memo for b in diary.day_blocks(date(2026, 11, 25))] == ["Typed"] * 6


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("future", "Manual time cannot be added in the future."),
        ("overlap", "This overlaps time already logged on “Logo” (Wed 25 Nov 10:00–10:10)."),
        ("not allowed", "The contract “Strict” does not allow manual time."),
        ("fixed price", "Manual time can only be added to hourly contracts."),
        ("backwards", "Manual time must end after it starts."),
        ("locked", "The work week Mon 16 Nov–Sun 22 Nov (UTC) is locked since Mon 23 Nov 12:00 your time"),
    ],
)
def test_add_time_shows_the_rules_refusal_in_the_dialog(
    qtbot, open_window, diary, database, clock, contract, case, message
):
    clock.advance((WEDNESDAY - clock.now()).total_seconds())
    logo = diary.add_contract("Logo", now=at(1, 0))
    manual(diary, database, logo, at(25, 10), at(25, 10, 10))
    strict = diary.add_contract("Strict", now=at(1, 0), manual_time_allowed=False)
    fixed = diary.add_contract("Fixed", now=at(1, 0), kind="fixed")
    window = open_window()
    dialog = open_add_time(qtbot, window)
    choice = {
        "future": (contract, date(2026, 11, 25), "15:00", "16:00"),
        "overlap": (contract, date(2026, 11, 25), "09:30", "10:30"),
        "not allowed": (strict, date(2026, 11, 25), "09:00", "10:00"),
        "fixed price": (fixed, date(2026, 11, 25), "09:00", "10:00"),
        "backwards": (contract, date(2026, 11, 25), "09:00", "08:50"),
        "locked": (contract, date(2026, 11, 18), "10:00", "11:00"),
    }[case]
    before = len(diary.week_blocks(date(2026, 11, 18))) + len(diary.week_blocks(date(2026, 11, 25)))
    contract_, day, start, end = choice
    dialog.choose(contract_.id, day, start, end)
    click(qtbot, dialog.add_button)
    qtbot.waitUntil(lambda: dialog.error_label.isVisibleTo(dialog))  # refused off the GUI thread
    assert dialog.error_label.text().startswith(message)
    assert dialog.isVisible() and window.findChild(AddTimeDialog) is dialog
    after = len(diary.week_blocks(date(2026, 11, 18))) + len(diary.week_blocks(date(2026, 11, 25)))
    assert after == before
    dialog.choose(contract.id, date(2026, 11, 25), "08:00", "08:20")  # corrected: the error goes
    assert not dialog.error_label.isVisibleTo(dialog)
    with qtbot.waitSignal(window.operations.changed):
        click(qtbot, dialog.add_button)


def test_time_choices_follow_utc_slots_in_any_zone():
    kathmandu = slot_choices(date(2026, 11, 25), ZoneInfo("Asia/Kathmandu"))  # UTC+5:45
    assert [label for label, _ in kathmandu[:3]] == ["00:05", "00:15", "00:25"]
    assert kathmandu[0][1] == datetime(2026, 11, 24, 18, 20, tzinfo=UTC)
    new_york = [label for label, _ in slot_choices(date(2026, 11, 1), ZoneInfo("America/New_York"))]
    assert len(new_york) == 25 * 6 + 1
    assert "01:00 EDT" in new_york and "01:00 EST" in new_york and new_york[-1] == "24:00"


# ----- a block full size


def test_a_screenshot_opens_full_size_and_can_be_redacted(qtbot, open_window, diary, clock, busy_day):
    window = open_window()
    block = diary.day_blocks(date(2026, 11, 25))[0]
    qtbot.waitUntil(lambda: window.thumbnails.cached(block.screenshot_id))
    assert thumbnail_lightness(window, block.screenshot_id) < 100  # the grid's thumbnail: a dark square
    view = window.day_view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    dialog = find_child(qtbot, window, BlockDialog)
    assert dialog.screenshot_id == block.screenshot_id
    filled(qtbot, window)  # its images, found off the GUI thread
    pictures = [label for label in dialog.image_labels if label.pixmap() and not label.pixmap().isNull()]
    assert [p.accessibleName() for p in pictures] == ["Screenshot, Monitor 1", "Screenshot, Monitor 2"]
    captions = [label.text() for label in dialog.image_labels if label.text().startswith("Monitor")]
    assert captions == [f"Monitor {n} · 64×36 · JPEG, 1 KB" for n in (1, 2)]  # as earlier versions saved them
    assert [p.width() for p in dialog.full_size()] == [192, 192]
    assert pictures[0].pixmap().width() == 192  # narrower than the dialog: shown full size
    assert pictures[0].pixmap().toImage().pixelColor(31, 19).lightness() < 60  # the black square

    click(qtbot, dialog.redact_button)
    box = find_child(qtbot, dialog, QMessageBox, "confirm-redact")
    with qtbot.waitSignal(window.operations.changed):
        click(qtbot, button(box, "Redact"))
    filled(qtbot, window)
    assert diary.day_blocks(date(2026, 11, 25))[0].redacted
    pictures = [label for label in dialog.image_labels if label.pixmap() and not label.pixmap().isNull()]
    assert pictures[0].pixmap().toImage().pixelColor(31, 19).lightness() > 150  # blurred away
    assert not dialog.redact_button.isEnabled()
    assert cell(window, 0, 0).marks() == ["Redacted"]
    click(qtbot, dialog.close_button)
    qtbot.waitUntil(lambda: window.thumbnails.cached(block.screenshot_id, redacted=True))  # loaded anew
    assert thumbnail_lightness(window, block.screenshot_id, redacted=True) > 150


def thumbnail_lightness(window, screenshot_id, redacted=False) -> int:
    """The FakeCapturer's black square (28–34, 16–22 of 192 × 108), in the grid's scaled thumbnail."""
    image = window.thumbnails.pixmap(screenshot_id, redacted).toImage()
    return image.pixelColor(31 * image.width() // 192, 19 * image.height() // 108).lightness()


def test_deleting_a_screenshot_warns_that_its_time_goes_too(qtbot, open_window, diary, clock, busy_day):
    window = open_window()
    click_cell(qtbot, window, 0, 1)  # a double click: a click, then the second one
    qtbot.mouseDClick(window.day_view.viewport(), Qt.MouseButton.LeftButton, pos=cell_point(window, 0, 1))
    dialog = find_child(qtbot, window, BlockDialog)
    shot = dialog.screenshot_id
    click(qtbot, dialog.delete_button)
    box = find_child(qtbot, dialog, QMessageBox, "confirm-delete")
    assert box.informativeText() == "Its block's time (0:10) is removed too, as clients expect."
    with qtbot.waitSignal(window.operations.changed):
        click(qtbot, button(box, "Delete screenshot"))
    qtbot.waitUntil(lambda: window.findChild(BlockDialog) is None)
    blocks = diary.day_blocks(date(2026, 11, 25))
    assert shot not in {b.screenshot_id for b in blocks} and len(blocks) == 11
    assert cell(window, 0, 1) is None  # 09:10 is gone from the grid


def test_a_block_without_a_screenshot_opens_with_nothing_to_redact(qtbot, open_window, busy_day):
    window = open_window()
    window.day_view.setCurrentIndex(window.day_model.index(1, 0))
    click(qtbot, window.open_button)
    dialog = find_child(qtbot, window, BlockDialog)
    assert [label.text() for label in dialog.image_labels] == ["Manual time has no screenshot."]
    assert not dialog.redact_button.isEnabled() and not dialog.delete_button.isEnabled()
    qtbot.waitExposed(dialog)
    assert dialog.height() < 300 and dialog.width() < 700  # sized to what it shows
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.findChild(BlockDialog) is None)
    window.day_view.setCurrentIndex(window.day_model.index(0, 3))  # 09:30: the capture failed
    click(qtbot, window.open_button)
    dialog = find_child(qtbot, window, BlockDialog)
    (reason,) = dialog.image_labels
    assert reason.text().startswith("No screenshot: Screenshots cannot be taken: no X display.")
    qtbot.waitExposed(dialog)
    assert dialog.height() < 300 and dialog.width() < 700
    assert "Screenshots cannot be taken" not in dialog.details_label.text()  # said once


def test_a_block_from_idle_time_says_so_in_its_cell_and_its_details(
    qtbot, open_window, make_tracker, database, clock, contract
):
    clock.advance((at(25, 9) - clock.now()).total_seconds())
    wayland = Tracker(database, clock, input_source=SimulatedIdleTime(), capturer=FakeCapturer())
    wayland.start(contract.id, "On Wayland")
    simulate(wayland, clock, 600, every=120)  # input in minutes 0, 2, 4, 6 and 8
    wayland.stop()
    track(make_tracker, clock, contract, at(25, 9, 10), 600, "Counted")
    clock.advance((WEDNESDAY - clock.now()).total_seconds())
    window = open_window()
    model = window.day_model

    from_idle_time, counted = cell(window, 0, 0), cell(window, 0, 1)
    assert (from_idle_time.active, from_idle_time.tracked, from_idle_time.bars) == (5, 10, 5)
    said = model.data(model.index(0, 0), Qt.ItemDataRole.AccessibleTextRole)
    assert "; active 5 of 10 minutes; activity from idle time; memo: On Wayland" in said
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole) == said
    assert "idle time" not in model.data(model.index(0, 1), Qt.ItemDataRole.AccessibleTextRole)
    assert (counted.active, counted.from_idle_time) == (10, False)
    window.day_view.setCurrentIndex(model.index(0, 0))
    click(qtbot, window.open_button)
    dialog = find_child(qtbot, window, BlockDialog)
    assert "active 5 of 10 minutes; activity from idle time" in dialog.details_label.text()


def test_a_locked_blocks_screenshot_cannot_be_changed(
    qtbot, open_window, make_tracker, diary, clock, contract
):
    track(make_tracker, clock, contract, at(23, 9), 600)
    clock.advance((at(1, 12, month=12) - clock.now()).total_seconds())
    window = open_window()
    window.show_date(date(2026, 11, 23))
    filled(qtbot, window)
    window.open_block(cell(window, 0, 0))
    dialog = find_child(qtbot, window, BlockDialog)
    assert dialog.status_label.text().startswith("Week locked Mon 30 Nov 12:00 your time")
    assert not dialog.redact_button.isEnabled() and not dialog.delete_button.isEnabled()


# ----- totals


def test_totals_of_the_selected_contract(qtbot, open_window, diary, database, clock, contract):
    clock.advance((WEDNESDAY - clock.now()).total_seconds())
    manual(diary, database, contract, at(17, 9), at(17, 10), now=at(17, 12))
    manual(diary, database, contract, at(2, 9), at(2, 9, 30), now=at(2, 12))
    manual(diary, database, contract, at(25, 9), at(25, 11))
    agency = diary.add_contract("Via agency", now=at(1, 0), hourly_rate=Decimal(30), agency_member=True)
    manual(diary, database, agency, at(25, 12), at(25, 13))
    window = open_window(contract.id)
    assert window.totals_box.title() == "Totals — Website rebuild"
    assert [
        window.this_week_label.text(),
        window.last_week_label.text(),
        window.since_start_label.text(),
    ] == [
        "2:00",
        "1:00",
        "3:30",
    ]
    assert window.earnings_label.text() == "100.00 USD" and window.earnings_label.isVisibleTo(window)

    window.contract_combo.setFocus()
    index = window.contract_combo.findData(agency.id)
    for _ in range(3):
        if window.contract_combo.currentIndex() != index:
            qtbot.keyClick(window.contract_combo, Qt.Key.Key_Up)
    assert window.contract_combo.currentIndex() == index
    filled(qtbot, window)
    assert window.totals_box.title() == "Totals — Via agency"
    assert window.this_week_label.text() == "1:00"
    assert not window.earnings_label.isVisibleTo(window) and not window.earnings_caption.isVisibleTo(window)
    assert [r.total_label.text() for r in visible_rows(window)][2] == "1:00"  # the week follows the contract

    window.set_contract(None)
    filled(qtbot, window)
    assert window.totals_box.title() == "Totals — all contracts"
    assert window.this_week_label.text() == "3:00"
    assert window.earnings_label.text() == "100.00 USD"  # the agency's time earns nothing here


# ----- refresh, keyboard, accessibility, palettes


def test_refresh_shows_time_logged_elsewhere(qtbot, open_window, diary, database, clock, contract):
    clock.advance((WEDNESDAY - clock.now()).total_seconds())
    window = open_window()
    assert window.day_stack.currentWidget() is window.empty_label
    manual(diary, database, contract, at(25, 9), at(25, 9, 20))
    window.refresh()
    filled(qtbot, window)
    assert window.day_stack.currentWidget() is window.day_view
    assert window.day_model.block_count() == 2
    assert date(2026, 11, 25) in window.calendar.logged_dates()
    assert window.this_week_label.text() == "0:20"


def test_weeks_and_days_by_keyboard_shortcuts(qtbot, open_window, clock, contract):
    clock.advance((WEDNESDAY - clock.now()).total_seconds())
    window = open_window()
    window.day_view.setFocus()
    qtbot.keyClick(window.day_view, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert (window.week, window.day) == (at(16, 0), date(2026, 11, 18))
    qtbot.keyClick(window.day_view, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(window.day_view, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.week == at(30, 0)
    qtbot.keyClick(window.day_view, Qt.Key.Key_Home, Qt.KeyboardModifier.AltModifier)
    assert (window.week, window.day) == (at(23, 0), date(2026, 11, 25))
    qtbot.keyClick(window.day_view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert window.day == date(2026, 11, 24)
    for _ in range(6):
        qtbot.keyClick(window.day_view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert (window.week, window.day) == (at(30, 0), date(2026, 11, 30))  # over the week's edge


def test_every_control_is_named_and_reachable_by_tab(qtbot, open_window, busy_day):
    window = open_window()
    focusable = [
        w
        for w in window.findChildren(QWidget)
        if w.isVisibleTo(window) and w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.window() is window
    ]
    unnamed = [w for w in focusable if not w.accessibleName()]
    assert not unnamed, [type(w).__name__ + ":" + w.objectName() for w in unnamed]
    window.contract_combo.setFocus()
    qtbot.waitUntil(window.contract_combo.hasFocus)
    reached = []
    for _ in range(40):
        reached.append(QApplication.focusWidget())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    for widget in (window.add_time_button, window.calendar, window.this_week_button, window.day_view):
        assert any(w is widget or widget.isAncestorOf(w) for w in reached), widget.accessibleName()
    assert any(w is visible_rows(window)[2].arrow for w in reached)
    model = window.day_model
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            assert model.data(model.index(r, c), Qt.ItemDataRole.AccessibleTextRole)


def test_a_full_week_builds_only_the_shown_days_cells(qtbot, open_window, diary, database, clock, contract):
    """7 × 144 blocks: the week is 8 rows of totals, the day one grid of 144 painted cells."""
    clock.advance((at(30, 6) - clock.now()).total_seconds())
    manual(diary, database, contract, at(23, 0), at(30, 0), now=at(30, 6))
    window = open_window(contract.id)
    widgets_before = len(window.findChildren(QWidget))
    window.show_date(date(2026, 11, 25))
    filled(qtbot, window)
    assert [r.total_label.text() for r in visible_rows(window)] == ["24:00"] * 7
    assert window.day_model.block_count() == 144 and window.day_model.rowCount() == 24
    assert len(window.findChildren(QWidget)) == widgets_before  # no widget per block
    window.show_previous_week()
    window.show_next_week()
    filled(qtbot, window)
    assert window.day_model.block_count() == 144


def test_colours_stay_readable_on_light_and_dark_bases():
    def luminance(color: QColor) -> float:
        def channel(c: float) -> float:
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(color.redF())
            + 0.7152 * channel(color.greenF())
            + 0.0722 * channel(color.blueF())
        )

    def contrast(a: QColor, b: QColor) -> float:
        high, low = sorted((luminance(a), luminance(b)), reverse=True)
        return (high + 0.05) / (low + 0.05)

    for base, text in (
        ("#ffffff", "#000000"),
        ("#f0f0f0", "#111111"),
        ("#1e1e1e", "#e6e6e6"),
        ("#2b2b2b", "#ffffff"),
    ):
        palette = QPalette()
        palette.setColor(QPalette.ColorRole.Base, QColor(base))
        palette.setColor(QPalette.ColorRole.Text, QColor(text))
        assert contrast(dot_color(palette), QColor(base)) >= 4.5, base
        active, idle = meter_colors(palette)
        assert contrast(active, QColor(base)) >= 4.5, base
        assert contrast(active, idle) >= 1.5, base


def test_the_window_renders_with_a_dark_palette(qtbot, open_window, busy_day):
    window = open_window()
    dark = QPalette()
    for role, color in (
        (QPalette.ColorRole.Window, "#2b2b2b"),
        (QPalette.ColorRole.WindowText, "#e6e6e6"),
        (QPalette.ColorRole.Base, "#1e1e1e"),
        (QPalette.ColorRole.Text, "#e6e6e6"),
        (QPalette.ColorRole.Highlight, "#3d6fb4"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
    ):
        dark.setColor(role, QColor(color))
    window.setPalette(dark)
    image = window.day_view.viewport().grab().toImage()
    rect = window.day_view.visualRect(window.day_model.index(1, 0))  # a manual block
    inside = image.pixelColor(rect.left() + 6, rect.bottom() - 8)
    assert inside.lightness() < 80  # the cell is painted with the dark base, not white


# ----- the block being tracked, in the app


def open_diary_while_tracking(qtbot, workdiary, drive, seconds: int) -> WorkDiaryWindow:
    with drive.status_where(lambda status: status.tracking):
        workdiary.toggle()
    drive.tick(seconds)
    workdiary.open_diary()
    window = workdiary.dialogs.diary_window
    qtbot.waitExposed(window)
    filled(qtbot, window)
    return window


def test_the_work_diary_counts_the_block_being_tracked_live(qtbot, workdiary, drive):
    window = open_diary_while_tracking(qtbot, workdiary, drive, 30)
    assert window.day_title.text() == "Monday 23 November 2026 — 0:00"
    drive.tick(122)  # 152 s: the database has the block as saved at 150 s
    filled(qtbot, window)
    assert window.day_title.text() == "Monday 23 November 2026 — 0:02"
    ((_, running),) = window.day_model.cells()
    assert running.seconds == 152
    monday = next(row for row in window.week_rows if row.day == date(2026, 11, 23))
    assert monday.total_label.text() == "0:02"
    assert window.week_total_label.text() == "0:02"
    assert (window.this_week_label.text(), window.since_start_label.text()) == ("0:02", "0:02")
    assert window.earnings_label.text() == "2.11 USD"  # 152 s at 50.00 an hour
    click_cell(qtbot, window, 0, 0)
    drive.tick(60)
    assert window.selection_label.text().startswith("1 block selected (0:03)")
    assert (window.day_title.text(), window.this_week_label.text()) == (
        "Monday 23 November 2026 — 0:03",
        "0:03",
    )


def test_a_memo_for_the_block_being_tracked_becomes_the_current_memo(qtbot, workdiary, drive, diary, clock):
    workdiary.window.set_memo("Landing page")
    window = open_diary_while_tracking(qtbot, workdiary, drive, 30)
    click_cell(qtbot, window, 0, 0)
    assert window.selection_label.text() == (
        "1 block selected (0:00) — one is being tracked: its memo becomes the current memo; stop to remove it"
    )
    assert window.edit_memo_button.isEnabled() and not window.remove_button.isEnabled()
    click(qtbot, window.edit_memo_button)
    dialog = find_child(qtbot, window, MemoDialog)
    assert dialog.memo_edit.text() == "Landing page"
    dialog.memo_edit.clear()
    qtbot.keyClicks(dialog.memo_edit, "Payment page")
    with drive.status_where(lambda status: status.memo == "Payment page"):
        click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: window.findChild(MemoDialog) is None)  # closed (and deleted)
    assert workdiary.window.memo_edit.text() == "Payment page"
    drive.tick(5)
    (block,) = diary.day_blocks(clock.now().date())
    assert block.memo == "Payment page" and block.is_open
