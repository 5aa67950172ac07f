"""The tray icon under a real tray host (trayer) on the session's X display: its state icon, its
menu, its tooltip and its notifications."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, timedelta

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QPushButton, QWidget

from common.errors import EnvironmentProblem
from tests.helpers.fakes import FakeCapturer
from tests.ui.conftest import Driver
from tracker.engine import (
    CaptureFailed,
    IdleStarted,
    ScreenshotSkipped,
    ScreenshotTaken,
    TrackingStarted,
    TrackingStopped,
)
from tracker.simulation import SimulatedInput
from ui.shots import screenshot_facts
from ui.theme import ERROR, IDLE, tray_icon
from ui.tracking_thread import TrackerService


@pytest.fixture
def tray_app(qtbot, tray_host, workdiary):
    qtbot.waitUntil(workdiary.tray.icon.isVisible)
    yield workdiary
    close_popups()


def close_popups() -> None:
    """A menu left open grabs the next click (it closes instead of the icon getting it)."""
    while (popup := QApplication.activePopupWidget()) is not None:
        popup.close()


def top_level(class_name: str) -> list[QWidget]:
    return [
        widget
        for widget in QApplication.topLevelWidgets()
        if widget.metaObject().className() == class_name and widget.isVisible()
    ]


def balloon_text(balloon: QWidget) -> str:
    return "\n".join(label.text() for label in balloon.findChildren(QLabel))


def icon_key(tray) -> int:
    return tray.icon.icon().cacheKey()


def open_menu(qtbot, tray):
    """Right-click the icon in the tray, as a user does. A popup needs the X pointer grab, which
    the server may still hold for the popup just closed: then the menu closes at once, as it
    would under a user's hand, and the click is repeated."""
    close_popups()
    (docked,) = top_level("QSystemTrayIconSys")
    centre = QPoint(docked.width() // 2, docked.height() // 2)
    for _ in range(3):
        qtbot.mouseClick(docked, Qt.MouseButton.RightButton, pos=centre)
        try:
            qtbot.waitUntil(tray.menu.isVisible, timeout=2000)
            return tray.menu
        except qtbot.TimeoutError:
            continue
    raise AssertionError("the tray menu did not open on a right click")


def click_item(qtbot, menu, action):
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())


def test_the_icon_is_docked_and_shows_the_state(qtbot, tray_app, drive):
    tray = tray_app.tray
    (docked,) = top_level("QSystemTrayIconSys")
    assert not tray.icon.geometry().isEmpty()
    assert docked.width() >= 16
    assert icon_key(tray) == tray_icon(IDLE, False).cacheKey()
    with drive.status_where(lambda status: status.tracking):
        tray.start_action.trigger()
    assert icon_key(tray) == tray_icon(IDLE, True).cacheKey()


def test_the_tooltip_has_the_running_time_and_today_and_this_week(
    qtbot, tray_app, drive, diary, database, clock
):
    tray = tray_app.tray
    logo = diary.add_contract("Logo", now=clock.now())
    monday = clock.now().replace(hour=7)
    diary.add_manual_time(logo.id, monday, monday + timedelta(hours=1), "", clock.now(), database.device_id())
    tray_app.service.refresh()  # as the app does after any change of its blocks
    drive.tick(1)
    assert tray.icon.toolTip() == (
        "Workdiary — Not tracking\n"
        "Today 0:00 on “Website rebuild”, 1:00 on all contracts\n"
        "This week 0:00 on “Website rebuild”, 1:00 on all contracts"
    )
    with drive.status_where(lambda status: status.tracking):
        tray.start_action.trigger()
    drive.tick(125)
    assert tray.icon.toolTip() == (
        "Workdiary — Tracking “Website rebuild” · 0:02:05\n"
        "Today 0:02 on “Website rebuild”, 1:02 on all contracts\n"
        "This week 0:02 on “Website rebuild”, 1:02 on all contracts"
    )


def test_the_context_menu_starts_switches_and_stops(qtbot, tray_app, drive, diary, clock, contract):
    other = diary.add_contract("Mobile app", now=clock.now())
    tray_app.reload_contracts(contract.id)
    tray = tray_app.tray
    menu = open_menu(qtbot, tray)
    assert tray.start_action.text() == "&Start tracking on “Website rebuild”"
    with drive.event(TrackingStarted, lambda e: e.contract_id == contract.id):
        click_item(qtbot, menu, tray.start_action)
    drive.tick(60)

    menu = open_menu(qtbot, tray)
    click_item(qtbot, menu, tray.contract_menu.menuAction())
    qtbot.waitUntil(tray.contract_menu.isVisible)
    (mobile,) = [a for a in tray.contract_menu.actions() if a.data() == other.id]
    with drive.event(TrackingStarted, lambda e: e.contract_id == other.id):
        click_item(qtbot, tray.contract_menu, mobile)
    assert tray_app.window.selected_contract_id() == other.id
    drive.tick(30)

    menu = open_menu(qtbot, tray)
    assert tray.start_action.text() == "S&top tracking"
    with drive.event(TrackingStopped):
        click_item(qtbot, menu, tray.start_action)
    blocks = diary.day_blocks(clock.now().date())
    assert [(b.contract_id, b.seconds) for b in blocks] == [(contract.id, 60), (other.id, 30)]


def test_choosing_a_contract_while_not_tracking_selects_it_for_the_next_start(
    qtbot, tray_app, drive, diary, clock
):
    other = diary.add_contract("Mobile app", now=clock.now())
    tray_app.reload_contracts()
    tray = tray_app.tray
    (mobile,) = [a for a in tray.contract_menu.actions() if a.data() == other.id]
    mobile.trigger()
    assert drive.tick(1).tracking is False
    assert tray_app.window.selected_contract_id() == other.id
    assert tray.start_action.text() == "&Start tracking on “Mobile app”"
    with drive.event(TrackingStarted, lambda e: e.contract_id == other.id):
        tray.start_action.trigger()


def test_contracts_read_again_unchanged_keep_the_menu_as_it_is(qtbot, tray_app, diary, clock):
    """Every sync pass reads the contracts again: the menu is rebuilt only when they changed."""
    before = tray_app.tray.contract_group.actions()
    texts = [action.text() for action in before]
    tray_app.reload_contracts()
    assert tray_app.tray.contract_group.actions() == before
    diary.add_contract("Second & last", now=clock.now())
    tray_app.reload_contracts()
    assert [action.text() for action in tray_app.tray.contract_group.actions()] == [
        "Second && last",  # by title
        *texts,
    ]


def test_quit_from_the_tray_stops_and_saves(qtbot, tray_app, drive, diary, clock):
    with drive.status_where(lambda status: status.tracking):
        tray_app.tray.start_action.trigger()
    drive.tick(42)
    menu = open_menu(qtbot, tray_app.tray)
    click_item(qtbot, menu, tray_app.tray.quit_action)
    assert tray_app.quits == [True]
    (block,) = diary.day_blocks(clock.now().date())
    assert block.seconds == 42
    assert diary.contracts_being_tracked() == set()  # closed, not left open
    assert not tray_app.tray.icon.isVisible()


def test_sync_now_waits_for_a_sign_in_and_says_so(qtbot, tray_app):
    action = tray_app.tray.sync_action
    assert not action.isEnabled()
    assert action.toolTip() == "Sign in to a contract service in Settings to sync."


def test_the_memo_and_window_items(qtbot, tray_app):
    tray_app.window.hide()
    tray_app.tray.window_action.trigger()
    qtbot.waitUntil(tray_app.window.isVisible)
    tray_app.tray.memo_action.trigger()
    qtbot.waitUntil(
        lambda: tray_app.dialogs.memo_dialog is not None and tray_app.dialogs.memo_dialog.isVisible()
    )
    tray_app.dialogs.memo_dialog.reject()


def test_a_screenshot_notification_opens_the_review_to_redact_an_area(qtbot, tray_app, drive, diary):
    with drive.status_where(lambda status: status.tracking):
        tray_app.tray.start_action.trigger()
    shot = drive.tick_until(ScreenshotTaken)
    qtbot.waitUntil(lambda: len(top_level("QBalloonTip")) == 1)
    (balloon,) = top_level("QBalloonTip")
    assert "Screenshot taken" in balloon_text(balloon)
    assert "Click to review it" in balloon_text(balloon)
    qtbot.mouseClick(balloon, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    qtbot.waitUntil(
        lambda: tray_app.dialogs.review_dialog is not None and tray_app.dialogs.review_dialog.isVisible()
    )
    review = tray_app.dialogs.review_dialog
    assert review.screenshot_id == shot.screenshot_id

    # once its block has ended, drag across the fake screen's black square and redact that area
    drive.tick_to_next_slot()
    qtbot.waitUntil(review.delete_button.isEnabled)
    (image,) = screenshot_facts(diary, shot.screenshot_id).images
    assert QImage(str(image.path)).pixelColor(30, 18).lightness() < 60
    (view,) = review.views
    factor = view.scale()
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=QPoint(int(24 * factor), int(12 * factor)))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=QPoint(int(40 * factor), int(26 * factor)))
    qtbot.mouseClick(review.redact_area_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: review.findChild(QMessageBox, "confirm-redact") is not None)
    box = review.findChild(QMessageBox, "confirm-redact")
    qtbot.mouseClick(box.findChild(QPushButton, "confirm-button"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screenshot_facts(diary, shot.screenshot_id).redacted)
    redacted = QImage(str(image.path))
    assert redacted.pixelColor(30, 18).lightness() > 150  # blurred away
    assert redacted.pixelColor(150, 80).lightness() > 240  # the rest untouched


def test_no_notifications_when_they_are_off(qtbot, tray_app, drive):
    from dataclasses import replace

    tray_app.apply_settings(replace(tray_app.settings, notifications=False))
    with drive.status_where(lambda status: status.tracking):
        tray_app.tray.start_action.trigger()
    drive.tick_until(ScreenshotTaken)
    drive.tick(1)
    assert top_level("QBalloonTip") == []


def test_tracking_that_stops_by_itself_is_notified(qtbot, tray_app, drive):
    with drive.status_where(lambda status: status.tracking):
        tray_app.tray.start_action.trigger()
    drive.tick(30)
    with drive.event(IdleStarted):
        drive.tick(5 * 60, keys=0)
    drive.tick(1)  # input returns: the question is asked and left unanswered
    with drive.event(TrackingStopped, lambda e: e.reason == "idle"):
        drive.tick(5 * 60)
    qtbot.waitUntil(
        lambda: any("idle question was not answered" in balloon_text(b) for b in top_level("QBalloonTip"))
    )
    assert tray_app.tray.icon.toolTip().startswith("Workdiary — Not tracking")


@pytest.fixture
def app_capturing_with(qtbot, tray_host, database, clock, contract, app_settings, sync_service, xdg_config):
    """Workdiary tracking on `contract` with the given capturer, until `ends` is seen; yields the
    app, then shuts it down."""
    from ui.app import Workdiary

    @contextmanager
    def tracking(capturer, ends: type):
        inputs = SimulatedInput()
        service = TrackerService(
            database,
            clock,
            app_settings,
            UTC,
            make_input=lambda: inputs,
            make_capturer=lambda settings: capturer,
            tick_ms=None,
        )
        app = Workdiary(database, service, sync_service, clock, UTC, app_settings, quit_app=lambda: None)
        try:
            with qtbot.waitSignal(service.status):
                app.start()
            qtbot.addWidget(app.window)
            qtbot.waitUntil(app.tray.icon.isVisible)
            with qtbot.waitSignal(service.event, check_params_cb=lambda e: isinstance(e, TrackingStarted)):
                app.tray.start_action.trigger()
            Driver(qtbot, service, clock, inputs).tick_until(ends)
            yield app
        finally:
            app.shutdown()

    return tracking


def test_a_failed_capture_turns_the_icon_to_error(qtbot, app_capturing_with):
    problem = EnvironmentProblem("Screenshots cannot be taken: no X display.", "Run it in a desktop.")
    with app_capturing_with(FakeCapturer(problem=problem), CaptureFailed) as app:
        qtbot.waitUntil(lambda: app.tray.state == ERROR)
        assert app.tray.icon.icon().cacheKey() == tray_icon(ERROR, True).cacheKey()
        assert "Something went wrong" in app.tray.icon.toolTip()
        assert "Screenshots cannot be taken" in app.window.message_bar.label.text()
        qtbot.mouseClick(app.window.message_bar.close_button, Qt.MouseButton.LeftButton)
        assert app.tray.state == IDLE  # the user has seen it


def test_a_screenshot_skipped_for_a_private_app_is_told_and_is_no_error(qtbot, app_capturing_with):
    with app_capturing_with(FakeCapturer(private_app="KeePassXC"), ScreenshotSkipped) as app:
        expected = "No screenshot this time: KeePassXC was on screen (a private app)."
        qtbot.waitUntil(lambda: any(expected in balloon_text(b) for b in top_level("QBalloonTip")))
        assert app.tray.state != ERROR
        assert app.window.message_bar.isHidden()
