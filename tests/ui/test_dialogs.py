"""The idle question, the screenshot review (redact a dragged area, redact all, delete) and the
settings, driven as a user would against the real database and the tracker service."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QMessageBox, QPushButton

from tests.helpers.rows import row_by_id
from tracker.capture.windows import DEFAULT_PRIVATE_APPS
from tracker.engine import (
    IdleQuestion,
    IdleResolved,
    IdleStarted,
    ScreenshotTaken,
    TrackingStarted,
    TrackingStopped,
)
from tracker.settings import load_settings
from tracker.tables import screenshots
from ui import autostart
from ui.shots import screenshot_facts


def start(qtbot, workdiary, drive):
    with drive.status_where(lambda status: status.tracking):
        qtbot.mouseClick(workdiary.window.start_button, Qt.MouseButton.LeftButton)


def go_idle_and_return(qtbot, workdiary, drive):
    """60 s of work, then 5 min without input (the idle threshold), then input again."""
    start(qtbot, workdiary, drive)
    drive.tick(60)
    with drive.event(IdleStarted):
        drive.tick(5 * 60, keys=0)
    with drive.event(IdleQuestion) as question:
        drive.tick(1)
    qtbot.waitUntil(
        lambda: workdiary.dialogs.idle_dialog is not None and workdiary.dialogs.idle_dialog.isVisible()
    )
    return question.args[0]


def confirm(qtbot, parent, name):
    def box():
        found = parent.findChild(QMessageBox, name)
        return found if found is not None and found.isVisible() else None

    qtbot.waitUntil(lambda: box() is not None)
    found = box()
    text = found.text() + "\n" + found.informativeText()
    qtbot.mouseClick(found.findChild(QPushButton, "confirm-button"), Qt.MouseButton.LeftButton)
    return text


# ----- the idle question


def test_the_idle_dialog_tells_the_span_in_local_time(qtbot, workdiary, drive):
    question = go_idle_and_return(qtbot, workdiary, drive)
    dialog = workdiary.dialogs.idle_dialog
    assert dialog.span_text == "You were away from 09:01 to 09:06 (5 min)."
    assert (question.since.minute, question.returned_at.minute) == (1, 6)
    assert dialog.discard_button.isDefault()
    assert workdiary.window.session_label.text() == "Idle since 09:01"


@pytest.mark.parametrize(
    ("button", "tracking", "today"),
    [
        ("keep_button", True, 60 + 5 * 60 + 1 + 10),  # the idle time counts
        ("discard_button", True, 60 + 10),  # only the time before and after it
        ("stop_button", False, 60),  # and tracking stopped where the idle time began
    ],
)
def test_each_idle_answer_ends_in_its_engine_state(
    qtbot, workdiary, drive, diary, clock, button, tracking, today
):
    go_idle_and_return(qtbot, workdiary, drive)
    dialog = workdiary.dialogs.idle_dialog
    with drive.event(IdleResolved) as resolved:
        qtbot.mouseClick(getattr(dialog, button), Qt.MouseButton.LeftButton)
    assert (
        resolved.args[0].decision
        == {
            "keep_button": "keep",
            "discard_button": "discard",
            "stop_button": "discard_and_stop",
        }[button]
    )
    qtbot.waitUntil(lambda: workdiary.dialogs.idle_dialog is None)
    status = drive.tick(10)
    assert status.tracking is tracking
    assert status.idle_since is None
    assert status.today_seconds == today
    if not tracking:
        assert sum(block.seconds for block in diary.day_blocks(clock.now().date())) == 60


def test_enter_answers_discard(qtbot, workdiary, drive):
    go_idle_and_return(qtbot, workdiary, drive)
    with drive.event(IdleResolved, lambda e: e.decision == "discard"):
        qtbot.keyClick(workdiary.dialogs.idle_dialog, Qt.Key.Key_Return)


def test_closing_the_idle_dialog_leaves_it_to_the_engine(qtbot, workdiary, drive):
    go_idle_and_return(qtbot, workdiary, drive)
    qtbot.keyClick(workdiary.dialogs.idle_dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: workdiary.dialogs.idle_dialog is None)
    assert drive.tick(60).idle_since is not None  # nothing was answered
    with drive.event(TrackingStopped, lambda e: e.reason == "idle"):
        drive.tick(5 * 60)  # the unanswered question times out: discard and stop
    assert drive.tick(1).tracking is False


def test_an_unanswered_dialog_closes_when_the_engine_decides(qtbot, workdiary, drive):
    go_idle_and_return(qtbot, workdiary, drive)
    with drive.event(TrackingStopped, lambda e: e.reason == "idle"):
        drive.tick(5 * 60)
    qtbot.waitUntil(lambda: workdiary.dialogs.idle_dialog is None)


# ----- the screenshot review


def screenshot_in_closed_block(qtbot, workdiary, drive):
    start(qtbot, workdiary, drive)
    taken = drive.tick_until(ScreenshotTaken)
    drive.tick_to_next_slot()
    workdiary.open_review(taken.screenshot_id)
    qtbot.waitUntil(
        lambda: workdiary.dialogs.review_dialog is not None and workdiary.dialogs.review_dialog.isVisible()
    )
    return taken.screenshot_id, workdiary.dialogs.review_dialog


def test_dragging_a_region_and_redacting_it_blurs_those_pixels_only(qtbot, workdiary, drive, diary):
    shot_id, review = screenshot_in_closed_block(qtbot, workdiary, drive)
    (image,) = screenshot_facts(diary, shot_id).images
    before = QImage(str(image.path))
    assert before.pixelColor(30, 18).lightness() < 60  # the fake screen's black square
    (view,) = review.views
    factor = view.scale()
    assert not review.redact_area_button.isEnabled()
    # drag across the black square (image pixels 28–34 × 16–22) with some margin
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=QPoint(int(20 * factor), int(10 * factor)))
    qtbot.mouseMove(view, QPoint(int(30 * factor), int(20 * factor)))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=QPoint(int(44 * factor), int(28 * factor)))
    monitor, (x, y, w, h) = review.selected_area()
    assert monitor == 1 and x <= 28 and y <= 16 and x + w >= 34 and y + h >= 22 and w < 40
    qtbot.mouseClick(review.redact_area_button, Qt.MouseButton.LeftButton)
    text = confirm(qtbot, review, "confirm-redact")
    assert "cannot be undone" in text
    qtbot.waitUntil(lambda: "(redacted)" in review.heading.text())  # once the edit is handed back
    assert screenshot_facts(diary, shot_id).redacted
    after = QImage(str(image.path))
    assert after.pixelColor(30, 18).lightness() > 150  # the black square is averaged away
    assert after.pixelColor(150, 80).lightness() > 240  # outside the region: still white
    block = next(b for b in diary.week_blocks(drive.clock.now().date()) if b.screenshot_id == shot_id)
    assert block.redacted and block.seconds == 600  # the time stays


def test_redact_all_blurs_every_monitor(qtbot, workdiary, drive, diary):
    shot_id, review = screenshot_in_closed_block(qtbot, workdiary, drive)
    (image,) = screenshot_facts(diary, shot_id).images
    assert [label.text() for label in review.findChildren(QLabel, "image-details")] == [
        "Monitor 1 · 64×36 · WebP, 1 KB"
    ]
    qtbot.mouseClick(review.redact_all_button, Qt.MouseButton.LeftButton)
    confirm(qtbot, review, "confirm-redact")
    qtbot.waitUntil(lambda: screenshot_facts(diary, shot_id).redacted)
    assert QImage(str(image.path)).pixelColor(30, 18).lightness() > 150


def test_delete_warns_that_the_time_goes_too_and_removes_it(
    qtbot, workdiary, drive, diary, contract, database
):
    shot_id, review = screenshot_in_closed_block(qtbot, workdiary, drive)
    (image,) = screenshot_facts(diary, shot_id).images
    now = drive.clock.now()
    before = diary.totals(contract.id, now).this_week
    with qtbot.waitSignal(workdiary.operations.changed):
        qtbot.mouseClick(review.delete_button, Qt.MouseButton.LeftButton)
        text = confirm(qtbot, review, "confirm-delete")
    assert "also removes its time block (09:00–09:10, 10 min)" in text
    assert diary.totals(contract.id, now).this_week == before - 600
    assert not image.path.exists()
    assert row_by_id(database, screenshots, shot_id).deleted
    qtbot.waitUntil(lambda: workdiary.dialogs.review_dialog is None)


def test_the_review_says_whether_the_hold_period_is_over(qtbot, workdiary, drive):
    start(qtbot, workdiary, drive)
    shot_id = drive.tick_until(ScreenshotTaken).screenshot_id  # the hold (10 min) runs from now
    workdiary.open_review(shot_id)
    qtbot.waitUntil(
        lambda: workdiary.dialogs.review_dialog is not None and workdiary.dialogs.review_dialog.isVisible()
    )
    review = workdiary.dialogs.review_dialog
    assert review.hold_label.text().startswith("Held for your review until 09:")
    drive.tick(10 * 60 + 1)
    workdiary.open_review(shot_id)
    qtbot.waitUntil(
        lambda: workdiary.dialogs.review_dialog is not None and workdiary.dialogs.review_dialog is not review
    )
    assert workdiary.dialogs.review_dialog.hold_label.text().startswith("The hold period ended at 09:")
    assert (
        workdiary.dialogs.review_dialog.redact_all_button.isEnabled()
    )  # the editable window still allows it


def test_a_screenshot_of_the_block_being_tracked_is_deleted_at_once(qtbot, workdiary, drive, diary, contract):
    """The hold period's point: a screenshot just taken can go before anyone sees it. Its block's
    time so far goes with it, and tracking carries on in a new block."""
    start(qtbot, workdiary, drive)
    taken = drive.tick_until(ScreenshotTaken)
    deleted_at = drive.clock.now()
    workdiary.open_review(taken.screenshot_id)
    review = workdiary.dialogs.review_dialog
    assert "being tracked: deleting it removes the block's time so far" in review.note_label.text()
    assert review.redact_all_button.isEnabled() and review.delete_button.isEnabled()
    with qtbot.waitSignal(workdiary.operations.changed):
        qtbot.mouseClick(review.delete_button, Qt.MouseButton.LeftButton)
        confirm(qtbot, review, "confirm-delete")
    drive.tick(30)
    (block,) = diary.day_blocks(deleted_at.date())
    assert (block.start, block.seconds, block.screenshot_id) == (deleted_at, 30, None)
    assert workdiary.status.tracking


# ----- settings


def open_settings(qtbot, workdiary):
    qtbot.mouseClick(workdiary.window.settings_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            workdiary.dialogs.settings_dialog is not None and workdiary.dialogs.settings_dialog.isVisible()
        )
    )
    return workdiary.dialogs.settings_dialog


def toggle(qtbot, check):
    """Click a check box or radio button where its indicator is."""
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton, pos=QPoint(8, check.height() // 2))


def save(qtbot, dialog):
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)


def test_settings_are_saved_applied_and_start_at_login_writes_the_entry(
    qtbot, workdiary, drive, database, xdg_config
):
    dialog = open_settings(qtbot, workdiary)
    assert dialog.idle_spin.value() == 5
    dialog.idle_spin.selectAll()
    qtbot.keyClicks(dialog.idle_spin, "7")
    dialog.over_limit_check.setFocus()
    qtbot.keyClick(dialog.over_limit_check, Qt.Key.Key_Space)
    assert dialog.format_box.currentData() == "webp"  # the default
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("jpeg"))
    assert dialog.private_edit.text() == ", ".join(DEFAULT_PRIVATE_APPS)
    dialog.private_edit.selectAll()
    qtbot.keyClicks(dialog.private_edit, " KeePassXC,, My Bank , keepassxc,My Bank")
    toggle(qtbot, dialog.autostart_check)
    toggle(qtbot, dialog.notify_check)
    save(qtbot, dialog)
    qtbot.waitUntil(lambda: workdiary.dialogs.settings_dialog is None)

    saved = load_settings(database)
    assert (saved.idle_minutes, saved.keep_tracking_over_limit, saved.screenshot_format) == (7, True, "jpeg")
    assert saved.private_apps == ("KeePassXC", "My Bank")
    assert (saved.start_at_login, saved.notifications) == (True, False)
    assert workdiary.settings == saved
    entry = xdg_config / "autostart" / "workdiary.desktop"
    assert entry.is_file()
    text = entry.read_text()
    assert "\nExec=" in text and text.split("\nExec=")[1].split("\n")[0].endswith("--minimized")

    # the tracker uses the new idle threshold: 5 idle minutes are no longer idle, 7 are
    start(qtbot, workdiary, drive)
    drive.tick(1)
    assert drive.tick(5 * 60, keys=0).idle_since is None
    with drive.event(IdleStarted):
        drive.tick(2 * 60, keys=0)

    dialog = open_settings(qtbot, workdiary)
    assert dialog.autostart_check.isChecked()
    toggle(qtbot, dialog.autostart_check)
    save(qtbot, dialog)
    qtbot.waitUntil(lambda: workdiary.dialogs.settings_dialog is None)
    assert not entry.exists()
    assert load_settings(database).start_at_login is False


def test_settings_choose_monitors_from_the_real_screen(qtbot, workdiary, database):
    dialog = open_settings(qtbot, workdiary)
    assert dialog.monitor_list.count() >= 1  # listed with mss from the session's X display
    assert dialog.all_monitors.isChecked() and not dialog.monitor_list.isEnabled()
    toggle(qtbot, dialog.chosen_monitors)
    save(qtbot, dialog)
    assert "Choose at least one monitor" in dialog.error_label.text()  # nothing chosen yet
    dialog.monitor_list.item(0).setCheckState(Qt.CheckState.Checked)
    save(qtbot, dialog)
    qtbot.waitUntil(lambda: workdiary.dialogs.settings_dialog is None)
    assert load_settings(database).screenshot_monitors == (1,)


def test_only_in_a_wayland_session_the_settings_offer_counts_from_the_input_devices(
    qtbot, workdiary, database, monkeypatch
):
    """This machine has no /dev/input: ticking the box says so at once, and what to do."""
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
    dialog = open_settings(qtbot, workdiary)
    assert not dialog.devices_check.isVisible()  # on X11 keys and clicks are counted anyway
    dialog.reject()
    qtbot.waitUntil(lambda: workdiary.dialogs.settings_dialog is None)

    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-1")
    dialog = open_settings(qtbot, workdiary)
    assert dialog.devices_check.isVisible() and not dialog.devices_check.isChecked()
    assert not dialog.devices_problem.isVisible()
    hint = dialog.devices_check.parentWidget().findChildren(QLabel)[0].text()
    assert "never keeps which keys" in hint and "sudo usermod -aG input $USER" in hint
    assert "lets every program you run read every key you type" in hint
    toggle(qtbot, dialog.devices_check)
    assert dialog.devices_problem.isVisible()
    assert dialog.devices_problem.text() == (
        "Keys and clicks cannot be counted: no keyboard or mouse found in /dev/input. Connect a keyboard "
        "or mouse, or turn off “Count keys and clicks from the input devices” in Settings. Until then, "
        "activity comes from the idle time."
    )
    save(qtbot, dialog)
    qtbot.waitUntil(lambda: workdiary.dialogs.settings_dialog is None)
    assert load_settings(database).count_input_devices is True

    dialog = open_settings(qtbot, workdiary)
    assert dialog.devices_check.isChecked() and dialog.devices_problem.isVisible()
    toggle(qtbot, dialog.devices_check)
    assert not dialog.devices_problem.isVisible()


def test_a_failing_autostart_write_is_shown_and_nothing_is_saved(qtbot, workdiary, database, xdg_config):
    xdg_config.mkdir(parents=True)
    (xdg_config / "autostart").write_text("a file where the folder should be")
    dialog = open_settings(qtbot, workdiary)
    toggle(qtbot, dialog.autostart_check)
    save(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.error_label.text().startswith("Could not write")
    assert load_settings(database).start_at_login is False
    assert not autostart.is_enabled()


# ----- the memo from the tray


def test_the_memo_dialog_sets_the_memo_while_tracking(qtbot, workdiary, drive):
    start(qtbot, workdiary, drive)
    workdiary.edit_memo()
    dialog = workdiary.dialogs.memo_dialog
    qtbot.waitUntil(dialog.isVisible)
    qtbot.keyClicks(dialog.edit, "Invoices")
    with drive.status_where(lambda status: status.memo == "Invoices"):
        qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    assert workdiary.window.memo_edit.text() == "Invoices"


def test_switching_from_the_window_keeps_the_memo(qtbot, workdiary, drive, diary, clock, contract):
    other = diary.add_contract("Mobile app", now=clock.now())
    workdiary.reload_contracts(contract.id)
    qtbot.keyClicks(workdiary.window.memo_edit, "Design")
    start(qtbot, workdiary, drive)
    with drive.event(TrackingStarted, lambda e: e.contract_id == other.id):
        workdiary.tray.contract_group.actions()[0].trigger()
    assert drive.tick(1).memo == "Design"
