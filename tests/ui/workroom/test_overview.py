"""The Overview's files, against the real service on a loopback port: a recent file opened and
saved with its bytes, files uploaded as a message, and work submitted for payment with files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog

from tests.sync import conftest as sync_fixtures
from tests.sync import test_workroom as sync_workroom
from tests.sync.test_workroom import synced
from tests.ui.workroom import test_messages as messages_tests
from tests.ui.workroom import test_window as window_tests
from tests.ui.workroom.test_window import texts
from ui.workroom import WAITING
from ui.workroom.dialogs import SubmissionDialog

account = sync_fixtures.account
client = sync_workroom.client
fixed = sync_workroom.fixed
operations = window_tests.operations
open_window = window_tests.open_window
online_window = messages_tests.online_window
opened = messages_tests.opened


def test_a_recent_file_opens_and_saves_with_its_bytes(
    database, account, client, clock, online_window, opened, qtbot, tmp_path
):
    client.send_file(account.contract_id, "Brief.pdf", b"%PDF-1.4 the brief")
    synced(database, account, clock)
    window = online_window(account.contract_id)
    overview = window.overview
    assert texts(overview.file_list) == ["Brief.pdf"]

    overview.open_file_button.click()
    qtbot.waitUntil(lambda: bool(opened))
    overview.save_file(tmp_path / "saved.pdf")
    qtbot.waitUntil(lambda: (tmp_path / "saved.pdf").exists())

    assert Path(opened[0].toLocalFile()).read_bytes() == b"%PDF-1.4 the brief"
    assert (tmp_path / "saved.pdf").read_bytes() == b"%PDF-1.4 the brief"


def test_files_uploaded_from_the_overview_go_as_a_message(
    database, account, client, clock, open_window, qtbot, tmp_path, monkeypatch
):
    (tmp_path / "logo.svg").write_text("<svg/>")
    syncer = synced(database, account, clock)
    window = open_window(account.contract_id)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *asked: ([str(tmp_path / "logo.svg")], ""))

    window.overview.upload_button.click()
    qtbot.waitUntil(lambda: bool(texts(window.messages.thread_list)))
    waiting = texts(window.messages.thread_list)[-1]
    assert syncer.run_once().error is None
    window.refresh()
    qtbot.waitUntil(lambda: texts(window.overview.file_list) == ["logo.svg"])

    assert WAITING in waiting and waiting.endswith("\n📎 logo.svg")
    [sent] = client.thread(account.contract_id)
    assert sent["body"] == "" and [file["name"] for file in sent["attachments"]] == ["logo.svg"]
    assert client.call("GET", sent["attachments"][0]["download"].removeprefix("/api/v1")).content == b"<svg/>"


def test_work_submitted_with_files_reaches_the_milestone(
    database, account, client, fixed, clock, open_window, qtbot, tmp_path, monkeypatch
):
    contract_id, milestone_id = fixed
    (tmp_path / "design.pdf").write_bytes(b"%PDF-1.4 design")
    syncer = synced(database, account, clock)
    window = open_window(contract_id)

    def fill_in(dialog: SubmissionDialog) -> QDialog.DialogCode:
        dialog.text_edit.setPlainText("Design done.")
        dialog.files.add([tmp_path / "design.pdf"])
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(SubmissionDialog, "exec", fill_in)
    window.overview.submit_button.click()
    qtbot.waitUntil(lambda: WAITING in texts(window.overview.milestone_list)[0])
    waiting = texts(window.messages.thread_list)[-1]
    assert syncer.run_once().error is None
    window.refresh()
    qtbot.waitUntil(lambda: texts(window.overview.milestone_list) == ["Design · submitted · 300.00 USD"])

    assert WAITING in waiting and waiting.endswith("\nDesign done.\n📎 design.pdf")
    [submission] = [m for m in client.thread(contract_id) if m["kind"] == "submission"]
    assert submission["body"] == "Design done."
    assert [file["name"] for file in submission["attachments"]] == ["design.pdf"]
    milestones = client.call("GET", f"/contracts/{contract_id}/milestones").json()
    assert [(m["id"], m["status"]) for m in milestones] == [(milestone_id, "submitted")]
