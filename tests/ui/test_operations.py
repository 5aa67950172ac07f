"""The UI's one write path: operations run off the GUI thread, every view hears of an edit once,
the view that asked gets the result or the refusal; a screenshot deleted from the Work Diary goes
the way it goes from the main window (a block being tracked is cut, tracking goes on)."""

from __future__ import annotations

import threading
import weakref

import pytest
import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from tracker.engine import ScreenshotTaken
from ui.diary.dialogs import BlockDialog
from ui.operations import Operations


@pytest.fixture
def operations(diary, clock):
    operations = Operations(diary, clock.now)
    yield operations
    operations.shutdown()


def test_an_edit_runs_off_the_gui_thread_and_every_view_hears_once_before_the_asker(
    qtbot, operations, diary, clock
):
    owner = QObject()
    heard: list[str] = []
    operations.changed.connect(lambda: heard.append("changed"))

    def add(context):
        heard.append("gui thread" if threading.current_thread() is threading.main_thread() else "worker")
        return context.diary.add_contract("Logo", now=context.now).id

    with qtbot.waitSignal(operations.changed):
        operations.edit(owner, add, lambda contract_id: heard.append(contract_id))
    assert heard == ["worker", "changed", diary.contracts()[-1].id]


def test_a_refusal_goes_to_the_view_that_asked_and_changes_nothing(qtbot, operations, clock):
    owner = QObject()
    refused: list[str] = []
    changed: list[bool] = []
    operations.changed.connect(lambda: changed.append(True))
    operations.edit(
        owner, lambda context: context.diary.remove_time(["no such block"], context.now), None, refused.append
    )
    qtbot.waitUntil(lambda: refused == ["There is no time block 'no such block'."])
    assert changed == []


def test_a_view_closed_meanwhile_is_not_called_back(qtbot, operations):
    owner = QObject()
    called: list[object] = []
    with qtbot.waitSignal(operations.changed):
        operations.edit(
            owner, lambda context: context.diary.add_contract("Logo", now=context.now), called.append
        )
        shiboken6.delete(owner)  # the dialog that asked was closed
    assert called == []


def test_what_an_operation_held_is_let_go_in_the_gui_thread(qtbot, operations):
    """Not on the worker thread, which holds each operation until the next one comes: a window
    destroyed there could hang the app (ui/operations.hand_back)."""
    window = QObject()  # owned by Python, held only by the operation's callback once "closed"
    let_go_in: list[str] = []
    weakref.finalize(window, lambda: let_go_in.append(threading.current_thread().name))
    done: list[object] = []
    operations.read(window, lambda context: None, lambda _nothing, window=window: done.append(window))
    del window
    qtbot.waitUntil(lambda: len(done) == 1)
    done.clear()
    with qtbot.waitSignal(operations.changed):  # the worker thread drops the first operation now
        operations.edit(QObject(), lambda context: None)
    assert let_go_in == [threading.main_thread().name]


def test_deleting_the_screenshot_of_the_block_being_tracked_from_the_work_diary_cuts_it(
    qtbot, workdiary, drive, diary
):
    with drive.status_where(lambda status: status.tracking):
        qtbot.mouseClick(workdiary.window.start_button, Qt.MouseButton.LeftButton)
    taken = drive.tick_until(ScreenshotTaken)
    deleted_at = drive.clock.now()
    workdiary.open_diary()
    window = workdiary.dialogs.diary_window
    qtbot.waitUntil(lambda: window.day_model.block_count() > 0)  # read off the GUI thread
    (cell,) = [cell for _, cell in window.day_model.cells() if cell.screenshot_id == taken.screenshot_id]
    dialog = window.open_block(cell)
    assert dialog.delete_button.isEnabled()
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.findChild(QMessageBox, "confirm-delete") is not None)
    box = dialog.findChild(QMessageBox, "confirm-delete")
    with qtbot.waitSignal(workdiary.operations.changed):
        qtbot.mouseClick(box.findChild(QPushButton, "confirm-button"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.findChild(BlockDialog) is None)
    drive.tick(30)
    (block,) = diary.day_blocks(deleted_at.date())
    assert (block.start, block.seconds, block.screenshot_id) == (deleted_at, 30, None)
    assert workdiary.status.tracking
