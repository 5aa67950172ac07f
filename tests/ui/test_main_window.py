"""The main window, used as a user would: clicks and keys, against a real database and the tracker
service on a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget

from common.errors import EnvironmentProblem
from sync.outbox import OutboxSummary
from tests.helpers.fakes import FakeCapturer
from tracker.engine import ScreenshotTaken, TrackingStarted, TrackingStopped
from tracker.settings import Settings
from tracker.simulation import SimulatedIdleTime, SimulatedInput
from ui.main_window import sync_text
from ui.sync_thread import SyncProgress
from ui.tracking_thread import TrackerService


def click_start(qtbot, workdiary, drive):
    with drive.status_where(lambda status: status.tracking):
        qtbot.mouseClick(workdiary.window.start_button, Qt.MouseButton.LeftButton)


def confirm_box(qtbot, parent: QWidget, name: str) -> QMessageBox:
    """The window-modal question a click opened."""
    qtbot.waitUntil(
        lambda: (
            parent.findChild(QMessageBox, name) is not None
            and parent.findChild(QMessageBox, name).isVisible()
        )
    )
    return parent.findChild(QMessageBox, name)


def test_start_and_stop_from_the_window(qtbot, workdiary, drive, contract, diary, clock):
    window = workdiary.window
    assert window.start_button.text() == "&Start tracking"
    assert window.contract_box.currentText() == "Website rebuild — Acme"
    click_start(qtbot, workdiary, drive)
    assert window.start_button.text() == "S&top tracking"
    drive.tick(90)
    assert window.session_label.text() == "Tracking · 0:01:30"
    assert window.contract_today_label.text() == "0:01:30"
    with drive.event(TrackingStopped):
        qtbot.mouseClick(window.start_button, Qt.MouseButton.LeftButton)
    drive.tick(1)
    assert window.start_button.text() == "&Start tracking"
    assert window.session_label.text() == "Not tracking"
    (block,) = diary.day_blocks(clock.now().date())
    assert (block.contract_id, block.seconds) == (contract.id, 90)


def test_choosing_another_contract_while_tracking_switches(qtbot, workdiary, drive, diary, clock, contract):
    other = diary.add_contract("Mobile app", now=clock.now())
    workdiary.reload_contracts(contract.id)
    click_start(qtbot, workdiary, drive)
    drive.tick(60)
    box = workdiary.window.contract_box
    box.setFocus()
    with drive.event(TrackingStarted, lambda e: e.contract_id == other.id):
        qtbot.keyClick(box, Qt.Key.Key_Up)  # “Mobile app” sorts before “Website rebuild”
    assert box.currentData() == other.id
    drive.tick(30)
    with drive.event(TrackingStopped):
        qtbot.mouseClick(workdiary.window.start_button, Qt.MouseButton.LeftButton)
    blocks = diary.day_blocks(clock.now().date())
    assert [(b.contract_id, b.seconds) for b in blocks] == [(contract.id, 60), (other.id, 30)]


def test_choosing_a_contract_while_not_tracking_only_selects_it(
    qtbot, workdiary, drive, diary, clock, contract
):
    other = diary.add_contract("Mobile app", now=clock.now())
    workdiary.reload_contracts(contract.id)
    box = workdiary.window.contract_box
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Up)
    assert drive.tick(1).tracking is False
    assert workdiary.tray.selected == other.id
    with drive.event(TrackingStarted, lambda e: e.contract_id == other.id):
        qtbot.mouseClick(workdiary.window.start_button, Qt.MouseButton.LeftButton)


def test_the_memo_is_used_at_start_and_enter_applies_a_new_one(qtbot, workdiary, drive, diary, clock):
    window = workdiary.window
    qtbot.keyClicks(window.memo_edit, "Landing page")
    click_start(qtbot, workdiary, drive)
    assert drive.tick(5).memo == "Landing page"
    window.memo_edit.clear()
    qtbot.keyClicks(window.memo_edit, "Checkout flow")
    assert drive.tick(1).memo == "Landing page"  # typing alone changes nothing
    with drive.status_where(lambda status: status.memo == "Checkout flow"):
        qtbot.keyClick(window.memo_edit, Qt.Key.Key_Return)
    drive.tick(5)
    with drive.event(TrackingStopped):
        qtbot.mouseClick(window.start_button, Qt.MouseButton.LeftButton)
    (block,) = diary.day_blocks(clock.now().date())
    assert block.memo == "Checkout flow"


def test_totals_against_the_weekly_limit(qtbot, workdiary, drive, diary, clock, database):
    limited = diary.add_contract("Support", now=clock.now(), weekly_limit_hours=10)
    monday = datetime(2026, 11, 23, tzinfo=UTC)
    diary.add_manual_time(
        limited.id, monday, monday + timedelta(hours=8), "", clock.now(), database.device_id()
    )
    workdiary.reload_contracts(limited.id)
    click_start(qtbot, workdiary, drive)
    drive.tick(60)
    window = workdiary.window
    assert window.contract_heading.text() == "On “Support”"
    assert window.contract_week_label.text() == "8:01:00 of 10:00"
    assert window.limit_bar.isVisible()
    assert (window.limit_bar.value(), window.limit_bar.maximum()) == (481, 600)
    assert window.contract_today_label.text() == "8:01:00"
    assert "This week 8:01 of 10:00 on “Support”" in workdiary.tray.tooltip()


def test_totals_say_which_contract_they_are_on(qtbot, workdiary, drive, diary, clock, database, contract):
    logo = diary.add_contract("Logo", now=clock.now())
    early = clock.now().replace(hour=7)
    diary.add_manual_time(logo.id, early, early + timedelta(hours=1), "", clock.now(), database.device_id())
    click_start(qtbot, workdiary, drive)
    drive.tick(55)
    window = workdiary.window
    assert window.contract_heading.text() == "On “Website rebuild”"
    assert (window.contract_today_label.text(), window.all_today_label.text()) == ("0:00:55", "1:00:55")
    assert (window.contract_week_label.text(), window.all_week_label.text()) == ("0:00:55", "1:00:55")
    assert window.contract_today_label.accessibleName() == "Today on Website rebuild"
    assert window.all_week_label.accessibleName() == "This week on all contracts"
    with drive.event(TrackingStopped):
        qtbot.mouseClick(window.start_button, Qt.MouseButton.LeftButton)
    workdiary.reload_contracts(contract.id)
    box = window.contract_box
    box.setFocus()
    with drive.status_where(lambda status: status.contract_id == logo.id):
        qtbot.keyClick(box, Qt.Key.Key_Up)  # “Logo” sorts first: chosen, not tracked
    assert window.contract_heading.text() == "On “Logo”"
    assert (window.contract_today_label.text(), window.all_today_label.text()) == ("1:00:00", "1:00:55")


@pytest.mark.parametrize(
    ("fake_input", "from_where"),
    [(SimulatedInput(), ""), (SimulatedIdleTime(), " (activity from idle time)")],
    ids=["input counts", "idle time"],
)
def test_the_activity_meter_shows_the_live_block(qtbot, workdiary, drive, from_where):
    click_start(qtbot, workdiary, drive)
    drive.tick(60, keys=1)
    drive.tick(60, keys=0)
    drive.tick(60, keys=1)
    window = workdiary.window
    assert window.meter.bars == 7  # 2 of 3 minutes active
    assert window.meter_label.text() == f"2 of 3 minutes active in the block since 09:00{from_where}"
    assert "2 of 3 minutes active" in window.meter.accessibleDescription()


def test_a_refused_start_says_why_in_the_window(qtbot, workdiary, drive, diary, clock, database):
    limited = diary.add_contract("Support", now=clock.now(), weekly_limit_hours=1)
    monday = datetime(2026, 11, 23, tzinfo=UTC)
    diary.add_manual_time(
        limited.id, monday, monday + timedelta(hours=1), "", clock.now(), database.device_id()
    )
    workdiary.reload_contracts(limited.id)
    with qtbot.waitSignal(workdiary.service.refused):
        qtbot.mouseClick(workdiary.window.start_button, Qt.MouseButton.LeftButton)
    bar = workdiary.window.message_bar
    assert bar.isVisible()
    assert "weekly limit of 1 h on “Support” is reached" in bar.label.text()
    assert workdiary.window.start_button.isEnabled()
    qtbot.mouseClick(bar.close_button, Qt.MouseButton.LeftButton)
    assert not bar.isVisible()


def test_missing_input_is_explained_once(
    qtbot, database, clock, contract, app_settings, sync_service, xdg_config
):
    from ui.app import Workdiary

    class NoInput(SimulatedInput):
        def start(self):
            raise EnvironmentProblem(
                "Input activity cannot be counted: no X display.", "Run it in a desktop."
            )

    service = TrackerService(
        database, clock, app_settings, UTC, make_input=NoInput, make_capturer=None, tick_ms=None
    )
    app = Workdiary(database, service, sync_service, clock, UTC, app_settings, quit_app=lambda: None)
    try:
        with qtbot.waitSignal(service.environment):
            app.start()
        qtbot.addWidget(app.window)
        bar = app.window.environment_bar
        qtbot.waitUntil(bar.isVisible)
        assert bar.label.text() == (
            "Input activity cannot be counted: no X display. Run it in a desktop. "
            "Time is tracked without activity or idle detection."
        )
    finally:
        app.shutdown()


def test_the_last_screenshot_is_shown_and_can_be_deleted(qtbot, workdiary, drive, diary, clock, contract):
    window = workdiary.window
    assert window.shot_label.text() == "No screenshot yet."
    click_start(qtbot, workdiary, drive)
    shot_id = drive.tick_until(ScreenshotTaken).screenshot_id
    qtbot.waitUntil(lambda: window.shot is not None and window.shot.id == shot_id)
    assert window.shot_label.text().startswith("Taken at 09:")
    assert window.shot_label.text().endswith("on “Website rebuild” · WebP, 1 KB")  # the default format
    assert "being tracked: deleting it removes the block's time so far" in window.shot_note.text()
    assert window.delete_button.isEnabled()
    drive.tick_to_next_slot()  # the block closed at 09:10
    assert not window.thumbnail.icon().isNull()
    before = diary.totals(contract.id, clock.now()).this_week
    qtbot.mouseClick(window.delete_button, Qt.MouseButton.LeftButton)
    box = confirm_box(qtbot, window, "confirm-delete")
    assert "removes its time block (09:00–09:10, 10 min)" in box.text()
    qtbot.mouseClick(box.findChild(QPushButton, "confirm-button"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.shot is None or window.shot.id != shot_id)
    assert diary.totals(contract.id, clock.now()).this_week == before - 600


def test_redact_from_the_window_blurs_the_whole_screenshot(qtbot, workdiary, drive, diary):
    click_start(qtbot, workdiary, drive)
    taken = drive.tick_until(ScreenshotTaken)
    drive.tick_to_next_slot()
    window = workdiary.window
    qtbot.waitUntil(window.redact_button.isEnabled)
    qtbot.mouseClick(window.redact_button, Qt.MouseButton.LeftButton)
    box = confirm_box(qtbot, window, "confirm-redact")
    qtbot.mouseClick(box.findChild(QPushButton, "confirm-button"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.shot is not None and window.shot.redacted)
    assert window.shot_label.text().endswith("· redacted")
    (block,) = [b for b in diary.week_blocks(drive.clock.now().date()) if b.screenshot_id]
    assert (block.screenshot_id, block.redacted) == (taken.screenshot_id, True)


def test_cancelling_a_confirmation_changes_nothing(qtbot, workdiary, drive, diary, clock, contract):
    click_start(qtbot, workdiary, drive)
    drive.tick_until(ScreenshotTaken)
    drive.tick_to_next_slot()
    window = workdiary.window
    qtbot.waitUntil(window.delete_button.isEnabled)
    before = diary.totals(contract.id, clock.now()).this_week
    qtbot.mouseClick(window.delete_button, Qt.MouseButton.LeftButton)
    box = confirm_box(qtbot, window, "confirm-delete")
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "confirm-delete") is None)
    assert diary.totals(contract.id, clock.now()).this_week == before


def test_every_control_has_a_name_and_a_place_in_the_tab_order(qtbot, workdiary):
    window = workdiary.window
    focusable = [
        widget
        for widget in window.findChildren(QWidget)
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisibleTo(window)
    ]
    assert focusable
    unnamed = [w for w in focusable if not w.accessibleName() and not getattr(w, "text", lambda: "")()]
    assert unnamed == []
    order, widget = [], window.contract_box
    for _ in range(12):
        order.append(widget)
        widget = widget.nextInFocusChain()
        while not (widget.focusPolicy() & Qt.FocusPolicy.TabFocus) or not widget.isVisibleTo(window):
            widget = widget.nextInFocusChain()
    names = [w.accessibleName() for w in order[:4]]
    assert names == ["Contract", "Memo", "Start tracking", "Open the last screenshot for review"]


def test_the_start_button_works_from_the_keyboard(qtbot, workdiary, drive):
    button = workdiary.window.start_button
    button.setFocus()
    with drive.status_where(lambda status: status.tracking):
        qtbot.keyClick(button, Qt.Key.Key_Space)


def test_the_window_reads_in_a_dark_palette(qtbot, workdiary, drive):
    from PySide6.QtGui import QColor, QPalette

    from ui.theme import is_dark

    app = QApplication.instance()
    original = app.palette()
    dark = QPalette(original)
    for role, color in (
        (QPalette.ColorRole.Window, "#2b2b2b"),
        (QPalette.ColorRole.WindowText, "#eeeeee"),
        (QPalette.ColorRole.Base, "#1e1e1e"),
        (QPalette.ColorRole.Text, "#eeeeee"),
        (QPalette.ColorRole.Button, "#353535"),
        (QPalette.ColorRole.ButtonText, "#eeeeee"),
    ):
        dark.setColor(role, QColor(color))
    app.setPalette(dark)
    try:
        window = workdiary.window
        qtbot.waitUntil(lambda: is_dark(window.palette()))
        click_start(qtbot, workdiary, drive)
        drive.tick(2)
        label = window.session_label.palette().color(QPalette.ColorRole.WindowText)
        background = window.palette().color(QPalette.ColorRole.Window)
        assert label.lightness() - background.lightness() > 100  # light green on a dark window
        assert window.grab().toImage().pixelColor(5, 60).lightness() < 128
    finally:
        app.setPalette(original)
        qtbot.waitUntil(lambda: not is_dark(workdiary.window.palette()))


def test_before_any_tracking_the_window_shows_a_stopped_state(
    qtbot, database, clock, contract, sync_service, xdg_config
):
    """The window shows a sensible state before tracking ever started (no status yet)."""
    from ui.app import Workdiary

    service = TrackerService(
        database, clock, Settings(), UTC, make_capturer=lambda s: FakeCapturer(), tick_ms=None
    )
    app = Workdiary(database, service, sync_service, clock, UTC, Settings(), quit_app=lambda: None)
    try:
        with qtbot.waitSignal(service.status) as first:
            app.start()
        qtbot.addWidget(app.window)
        assert first.args[0].tracking is False
        assert app.window.contract_week_label.text() == "0:00:00"
        assert app.window.all_week_label.text() == "0:00:00"
        assert app.window.sync_label.text().startswith(
            "Saved on this computer — nothing waiting to be sent. Sign in to a contract service"
        )
    finally:
        app.shutdown()


def test_open_work_diary_shows_it_on_the_selected_contract(qtbot, workdiary, contract):
    qtbot.mouseClick(workdiary.window.diary_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: workdiary.dialogs.diary_window is not None and workdiary.dialogs.diary_window.isVisible()
    )
    qtbot.addWidget(workdiary.dialogs.diary_window)
    assert workdiary.dialogs.diary_window.contract_id == contract.id
    workdiary.dialogs.diary_window.hide()
    workdiary.window.diary_action.trigger()  # again, from the menu: the same window comes back
    qtbot.waitUntil(workdiary.dialogs.diary_window.isVisible)


def test_without_the_work_diary_module_the_app_says_so(qtbot, workdiary, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "ui.diary", None)  # as if the Work Diary were not in this build
    workdiary.open_diary()
    qtbot.waitUntil(lambda: workdiary.window.findChild(QMessageBox, "message") is not None)
    box = workdiary.window.findChild(QMessageBox, "message")
    assert "The Work Diary is not available" in box.text()
    box.accept()


def test_mnemonics_are_unique_in_the_window(qtbot, workdiary):
    from PySide6.QtWidgets import QAbstractButton, QLabel

    texts = [w.text() for w in workdiary.window.centralWidget().findChildren(QAbstractButton)]
    texts += [w.text() for w in workdiary.window.centralWidget().findChildren(QLabel) if w.buddy()]
    texts += [workdiary.window.menuBar().actions()[0].text()]
    letters = [text[text.index("&") + 1].lower() for text in texts if "&" in text]
    assert len(letters) == len(set(letters)), letters
    assert len(letters) >= 9


@pytest.mark.parametrize(
    ("blocks", "screenshots", "workroom", "waiting"),
    [
        (0, 0, 0, "nothing waiting to be sent"),
        (0, 0, 1, "1 workroom change waiting to be sent"),
        (2, 0, 3, "2 time blocks and 3 workroom changes waiting to be sent"),
        (1, 1, 2, "1 time block, 1 screenshot and 2 workroom changes waiting to be sent"),
    ],
)
def test_the_sync_line_counts_each_kind_of_thing_waiting(blocks, screenshots, workroom, waiting):
    at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    outbox = OutboxSummary(blocks, screenshots, [], workroom)
    state = SyncProgress(at, "https://service.test", "ann@example.test", False, at, 1, None, "", outbox)
    assert sync_text(state, UTC) == f"Synced at 09:00 — {waiting}."


def test_the_engine_is_told_whether_the_window_shows_its_seconds(qtbot, workdiary):
    """Hidden (to the tray), the window's running seconds are not seen: the engine may rest while
    no input comes (ui/tracking_thread.py)."""
    worker = workdiary.service._worker
    qtbot.waitUntil(lambda: worker._watched)  # the fixture shows the window
    workdiary.window.hide()
    qtbot.waitUntil(lambda: not worker._watched)
    workdiary.open_window()
    qtbot.waitUntil(lambda: worker._watched)
