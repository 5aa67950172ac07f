"""The Messages tab's files, meetings and search, against the real service on a loopback port: a
message with files (attached or dropped) written offline goes out once; the client's files open and
save with their bytes, from this computer once downloaded; a meeting is scheduled with its start in
both zones, joined and its invitation saved; the thread is searched on the service, or in the copy
offline."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialog

from common.wire import MAX_FILE_BYTES
from sync import credentials
from tests.helpers.faultproxy import FaultProxy
from tests.sync import conftest as sync_fixtures
from tests.sync import test_workroom as sync_workroom
from tests.sync.conftest import FREELANCER
from tests.sync.test_workroom import synced
from tests.ui.workroom import test_window as window_tests
from tests.ui.workroom.test_window import texts
from tracker import workroom
from tracker.settings import Settings
from ui.sync_thread import SyncService
from ui.workroom import WAITING, WorkroomWindow
from ui.workroom.dialogs import MeetingDialog
from ui.workroom.messages import OFFLINE_SEARCH

account = sync_fixtures.account
client = sync_workroom.client
operations = window_tests.operations
open_window = window_tests.open_window


@pytest.fixture
def online_window(qtbot, database, account, clock, operations, memory_keyring):
    """A window whose questions go to the service at ``url`` through the app's sync thread, signed
    in as the freelancer."""
    services: list[SyncService] = []

    def open_for(contract_id: str, url: str = "", zone=None) -> WorkroomWindow:
        url = url or account.service.url
        memory_keyring.set_password("Workdiary", url, account.token)
        settings = Settings(service_url=url, account_email=FREELANCER)
        sync = SyncService(database, clock, settings, tokens=credentials, automatic=False)
        services.append(sync)
        qtbot.waitUntil(lambda: sync.current.signed_in)
        window = WorkroomWindow(contract_id, operations, clock.now, zone, sync)
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: window.fresh_label.text().startswith("Fresh as of"))
        return window

    yield open_for
    for sync in services:
        sync.shutdown()


@pytest.fixture
def opened(monkeypatch) -> list[QUrl]:
    """What the desktop was asked to open."""
    urls: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url) or True)
    return urls


def drop_files(widget, paths: list[Path]) -> None:
    """Drag files from a file manager and drop them on ``widget``."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    actions, button, keys = (
        Qt.DropAction.CopyAction,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter = QDragEnterEvent(QPoint(5, 5), actions, mime, button, keys)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(widget, QDropEvent(QPointF(5, 5), actions, mime, button, keys))


def select_message(window: WorkroomWindow, ending: str) -> None:
    thread = window.messages.thread_list
    [row] = [row for row, text in enumerate(texts(thread)) if text.endswith(ending)]
    thread.setCurrentRow(row)


def test_files_dropped_on_a_message_written_offline_reach_the_service_once(
    database, account, client, clock, open_window, qtbot, tmp_path
):
    mock_ups, notes = tmp_path / "mock-ups.png", tmp_path / "notes.txt"
    mock_ups.write_bytes(b"\x89PNG the mock-ups")
    notes.write_text("notes")
    with FaultProxy(account.service.url) as proxy:
        syncer = synced(database, account, clock, proxy.url)
        window = open_window(account.contract_id)
        proxy.set_fault("down")
        tab = window.messages

        drop_files(tab, [mock_ups, notes])
        assert texts(tab.files.file_list) == ["mock-ups.png", "notes.txt"]
        tab.files.file_list.setCurrentRow(1)
        tab.files.remove_button.click()
        tab.message_edit.setText("The mock-ups.")
        tab.send_button.click()
        qtbot.waitUntil(lambda: bool(texts(tab.thread_list)))
        mock_ups.unlink()  # moved away after sending: the copy made with the message goes
        assert texts(tab.files.file_list) == [] and tab.files.file_list.isHidden()
        [waiting] = texts(tab.thread_list)
        assert WAITING in waiting and waiting.endswith("\nThe mock-ups.\n📎 mock-ups.png")
        assert syncer.run_once().error
        proxy.set_fault(None)
        assert syncer.run_once().error is None

    window.refresh()
    qtbot.waitUntil(lambda: WAITING not in texts(tab.thread_list)[-1])
    [sent] = client.thread(account.contract_id)
    assert [file["name"] for file in sent["attachments"]] == ["mock-ups.png"]
    download = sent["attachments"][0]["download"].removeprefix("/api/v1")
    assert client.call("GET", download).content == b"\x89PNG the mock-ups"


def test_a_file_over_the_limit_is_refused_when_attached(database, account, clock, open_window, tmp_path):
    synced(database, account, clock)
    window = open_window(account.contract_id)
    video = tmp_path / "video.mp4"
    with video.open("wb") as sparse:
        sparse.truncate(MAX_FILE_BYTES + 1)

    window.messages.files.add([video])

    assert window.messages.files.paths == []
    assert window.error_label.text() == "“video.mp4” is too big to send: a file may be at most 25 MB."
    assert not window.error_label.isHidden()


def test_a_file_whose_copy_went_before_sending_is_refused_on_its_message(
    database, account, client, clock, open_window, qtbot, tmp_path
):
    syncer = synced(database, account, clock)
    window = open_window(account.contract_id)
    for name in ("lost.txt", "kept.txt"):
        (tmp_path / name).write_text(name)
        window.messages.files.add([tmp_path / name])
        window.messages.send_message()
        qtbot.waitUntil(lambda name=name: any(t.endswith(name) for t in texts(window.messages.thread_list)))
    [copy] = (database.data_dir / workroom.OUTGOING_FOLDER).rglob("lost.txt")
    copy.unlink()

    assert len(syncer.run_once().rejected) == 1
    window.refresh()

    qtbot.waitUntil(lambda: "refused" in texts(window.messages.thread_list)[-1])
    kept, lost = texts(window.messages.thread_list)
    assert " — refused: “lost.txt” could not be read to be sent" in lost and lost.endswith("📎 lost.txt")
    assert kept.startswith("Ann, ") and kept.endswith("📎 kept.txt")
    assert [[f["name"] for f in m["attachments"]] for m in client.thread(account.contract_id)] == [
        ["kept.txt"]
    ]


def test_the_clients_file_opens_and_saves_with_its_bytes_and_offline_from_this_computer(
    database, account, client, clock, online_window, opened, qtbot, tmp_path
):
    client.send_file(account.contract_id, "Brief.pdf", b"%PDF-1.4 the brief")
    client.send_file(account.contract_id, "Terms.pdf", b"%PDF-1.4 the terms")
    with FaultProxy(account.service.url) as proxy:
        synced(database, account, clock, proxy.url)
        window = online_window(account.contract_id, proxy.url)
        tab = window.messages
        select_message(window, "📎 Brief.pdf")
        assert texts(tab.chosen.attachment_list) == ["Brief.pdf"] and tab.chosen.open_button.isEnabled()

        tab.chosen.open_attachment()
        qtbot.waitUntil(lambda: bool(opened))
        proxy.set_fault("down")
        tab.chosen.save_attachment(tmp_path / "brief copy.pdf")
        qtbot.waitUntil(lambda: (tmp_path / "brief copy.pdf").exists())
        select_message(window, "📎 Terms.pdf")
        tab.chosen.save_attachment(tmp_path / "terms.pdf")
        qtbot.waitUntil(lambda: not window.error_label.isHidden())

    [url] = opened
    sha256 = hashlib.sha256(b"%PDF-1.4 the brief").hexdigest()
    assert Path(url.toLocalFile()) == database.data_dir / workroom.DOWNLOADED_FOLDER / sha256 / "Brief.pdf"
    assert Path(url.toLocalFile()).read_bytes() == b"%PDF-1.4 the brief"
    assert (tmp_path / "brief copy.pdf").read_bytes() == b"%PDF-1.4 the brief"
    assert window.error_label.text().startswith(
        "“Terms.pdf” is not on this computer yet, and downloading it needs the contract service."
    )
    assert not (tmp_path / "terms.pdf").exists()


def test_a_meeting_is_scheduled_in_both_zones_then_joined_and_its_invitation_saved(
    database, account, client, clock, online_window, opened, qtbot, tmp_path, monkeypatch
):
    client.call("PUT", "/me", time_zone="America/New_York")
    syncer = synced(database, account, clock)
    window = online_window(account.contract_id, zone=ZoneInfo("Europe/Paris"))
    start = (clock.now() + timedelta(days=2)).astimezone(ZoneInfo("Europe/Paris"))
    shown_zones = []

    def fill_in(dialog: MeetingDialog) -> QDialog.DialogCode:
        dialog.title_edit.setText("Kick-off")
        dialog.start_edit.setDateTime(start.replace(tzinfo=None))
        dialog.duration_box.setValue(45)
        dialog.link_edit.setText("https://meet.example.test/kick-off")
        shown_zones.append(dialog.zones_label.text())
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(MeetingDialog, "exec", fill_in)
    window.messages.meeting_button.click()
    qtbot.waitUntil(lambda: bool(texts(window.messages.thread_list)))
    waiting = texts(window.messages.thread_list)[-1]
    assert syncer.run_once().error is None
    window.refresh()
    qtbot.waitUntil(lambda: WAITING not in texts(window.messages.thread_list)[-1])
    select_message(window, "45 min")
    window.messages.chosen.join_button.click()
    window.messages.chosen.save_invitation(tmp_path / "kick-off.ics")
    qtbot.waitUntil(lambda: (tmp_path / "kick-off.ics").exists())

    assert shown_zones == [
        "Your time: Wed 25 Nov 10:00 (Europe/Paris)\nBob's time: Wed 25 Nov 04:00 (America/New_York)"
    ]
    assert WAITING in waiting and waiting.endswith("\n📅 Kick-off — Wed 25 Nov 10:00, 45 min")
    assert texts(window.messages.thread_list)[-1].endswith("\n📅 Kick-off — Wed 25 Nov 10:00, 45 min")
    [meeting] = [m["meeting"] for m in client.thread(account.contract_id) if m["meeting"]]
    assert (meeting["title"], meeting["duration_minutes"]) == ("Kick-off", 45)
    assert meeting["start"].startswith("2026-11-25T09:00:00")
    assert [url.toString() for url in opened] == ["https://meet.example.test/kick-off"]
    assert b"BEGIN:VCALENDAR" in (tmp_path / "kick-off.ics").read_bytes()


def test_search_asks_the_service_and_offline_the_copy(database, account, client, clock, online_window, qtbot):
    client.say(account.contract_id, "The logo draft is ready")
    for number in range(60):
        client.say(account.contract_id, f"Message {number}")
    client.send_file(account.contract_id, "Logo.pdf", b"%PDF-1.4 logo")
    with FaultProxy(account.service.url) as proxy:
        syncer = synced(database, account, clock, proxy.url)
        sync_workroom.WorkroomSync(database, syncer.client, clock).read_older(account.contract_id)
        window = online_window(account.contract_id, proxy.url)
        tab = window.messages

        tab.search("logo")
        qtbot.waitUntil(lambda: tab.found.hits.count() == 2)
        online_hits = texts(tab.found.hits)
        assert tab.found.note.isHidden()
        [draft_row] = [
            row for row, text in enumerate(online_hits) if text.endswith("The logo draft is ready")
        ]
        tab.found.hits.setCurrentRow(draft_row)  # held in the copy, on a page not shown yet
        qtbot.waitUntil(lambda: tab.thread_list.currentItem() is not None)
        chosen = tab.thread_list.currentItem().text()

        proxy.set_fault("down")
        tab.search("LOGO draft")
        qtbot.waitUntil(lambda: not tab.found.note.isHidden())

    assert any(hit.endswith("📎 Logo.pdf") for hit in online_hits)
    assert chosen.endswith("\nThe logo draft is ready")
    assert tab.found.note.text() == OFFLINE_SEARCH
    assert [text.split("\n")[1] for text in texts(tab.found.hits)] == ["The logo draft is ready"]
