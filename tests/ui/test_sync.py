"""The sync in the app, against the real contract service on a loopback port: signing in and out
from Settings, the sync line of the main window, "Sync now", the tray while offline, and what the
service set aside."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
import requests
from keyring.backends import fail
from PySide6.QtCore import Qt

from sync import credentials
from tests.helpers.faultproxy import FaultProxy
from tests.helpers.service import PASSWORD, bearer
from tracker.settings import Settings, load_settings
from ui.sync_thread import SyncService
from ui.theme import IDLE, UNSYNCED

FREELANCER, CLIENT = "ann@example.test", "bob@example.test"
LAPTOP_BLOCK = "6c0d6e1e-4c1a-4f7e-9b59-0d2cb5a1e001"
LAPTOP = "6c0d6e1e-4c1a-4f7e-9b59-0d2cb5a1e0aa"  # the other computer's device id


@pytest.fixture
def service_contract(service):
    service.add_user(FREELANCER, "freelancer")
    service.add_user(CLIENT, "client")
    return service.add_contract("Website for Bob", FREELANCER, CLIENT)


@pytest.fixture
def proxy(service):
    with FaultProxy(service.url) as proxy:
        yield proxy


def sign_in(qtbot, workdiary, url: str, email: str = FREELANCER, password: str = PASSWORD):
    workdiary.open_settings()
    dialog = workdiary.dialogs.settings_dialog
    qtbot.waitExposed(dialog)
    dialog.url_edit.setText(url)
    dialog.email_edit.setText(email)
    dialog.password_edit.setText(password)
    with qtbot.waitSignal(workdiary.sync.signed_in) as signed:
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    return dialog, signed.args[0]


def sync_line(workdiary) -> str:
    return workdiary.window.sync_label.text()


def sync_now(qtbot, workdiary):
    """Clicks "Sync now" and waits for the pass's outcome: the state after the pass's "syncing" one
    (states sent meanwhile for other reasons, such as a block closing, do not count)."""
    passing = []

    def after_the_pass(state) -> bool:
        passing.append(state.syncing)
        return not state.syncing and True in passing

    with qtbot.waitSignal(workdiary.sync.state, check_params_cb=after_the_pass):
        qtbot.mouseClick(workdiary.window.sync_button, Qt.MouseButton.LeftButton)


def track_one_block(qtbot, workdiary, drive, contract_id: str) -> None:
    """Tracks on a contract from 09:00 to 09:10: one block, closed."""
    workdiary.window.select_contract(contract_id)
    with drive.status_where(lambda status: status.tracking):
        qtbot.mouseClick(workdiary.window.start_button, Qt.MouseButton.LeftButton)
    drive.tick(600)
    with drive.status_where(lambda status: not status.tracking):
        qtbot.mouseClick(workdiary.window.start_button, Qt.MouseButton.LeftButton)


def test_signing_in_pulls_the_contracts_and_keeps_the_token_in_the_keyring(
    qtbot, workdiary, service, service_contract, memory_keyring, database
):
    assert sync_line(workdiary).endswith("Sign in to a contract service in Settings to sync.")
    assert not workdiary.tray.sync_action.isEnabled()
    dialog, result = sign_in(qtbot, workdiary, service.url)
    assert result.error == ""
    qtbot.waitUntil(lambda: dialog.signed_in_panel.isVisible())
    assert dialog.account_label.text() == f"Signed in as {FREELANCER}\nat {service.url}"
    assert memory_keyring.get_password("Workdiary", service.url)
    saved = load_settings(database)
    assert (saved.service_url, saved.account_email) == (service.url, FREELANCER)
    qtbot.waitUntil(lambda: sync_line(workdiary) == "Synced at 09:00 — nothing waiting to be sent.")
    assert workdiary.window.contract_box.findData(service_contract) >= 0
    assert workdiary.tray.sync_action.isEnabled() and workdiary.window.sync_button.isEnabled()


def test_a_wrong_password_is_said_in_the_dialog(qtbot, workdiary, service, service_contract, memory_keyring):
    dialog, result = sign_in(qtbot, workdiary, service.url, password="not it")
    assert result.error
    assert dialog.account_message.text() == result.error
    assert dialog.sign_in_panel.isVisible() and dialog.sign_in_button.isEnabled()
    assert dialog.password_edit.text() == ""
    assert memory_keyring.passwords == {}


def test_plain_http_is_only_for_a_service_on_this_computer(qtbot, workdiary, memory_keyring):
    workdiary.open_settings()
    dialog = workdiary.dialogs.settings_dialog
    dialog.url_edit.setText("http://workdiary.example.com")
    dialog.email_edit.setText(FREELANCER)
    dialog.password_edit.setText(PASSWORD)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.account_message.text().startswith("Use https:// for a service on another computer")
    assert workdiary.sync.current.signed_in is False


def test_a_closed_block_is_sent_with_sync_now(
    qtbot, workdiary, drive, service, service_contract, memory_keyring
):
    sign_in(qtbot, workdiary, service.url)
    qtbot.waitUntil(lambda: sync_line(workdiary).startswith("Synced at"))
    track_one_block(qtbot, workdiary, drive, service_contract)
    qtbot.waitUntil(lambda: "1 time block waiting to be sent" in sync_line(workdiary))
    sync_now(qtbot, workdiary)
    assert sync_line(workdiary).endswith("— nothing waiting to be sent.")
    (stored,) = service.stored_blocks(service_contract)
    assert (stored.start.minute, stored.end.minute) == (0, 10)


def test_offline_the_time_waits_and_the_tray_says_so(
    qtbot, workdiary, drive, proxy, service, service_contract, memory_keyring
):
    sign_in(qtbot, workdiary, proxy.url)
    qtbot.waitUntil(lambda: sync_line(workdiary).startswith("Synced at"))
    proxy.set_fault("down")
    track_one_block(qtbot, workdiary, drive, service_contract)
    sync_now(qtbot, workdiary)
    text = sync_line(workdiary)
    assert text.startswith(
        "Offline since 09:10 — 1 time block waiting to be sent, kept safe on this computer."
    )
    assert workdiary.tray.state == UNSYNCED
    assert service.stored_blocks(service_contract) == []
    proxy.set_fault(None)
    sync_now(qtbot, workdiary)
    assert sync_line(workdiary) == "Synced at 09:10 — nothing waiting to be sent."
    assert workdiary.tray.state == IDLE
    assert len(service.stored_blocks(service_contract)) == 1


def put_laptop_block(service, contract_id: str, block_id: str, start: str, end: str, memo: str) -> None:
    """A block from the freelancer's other computer, straight to the service."""
    laptop = service.sign_in(FREELANCER, device_name="laptop")
    answer = requests.put(
        f"{service.api}/blocks/{block_id}",
        json={
            "contract_id": contract_id,
            "device_id": LAPTOP,
            "start": start,
            "end": end,
            "activity": [],
            "memo": memo,
            "source": "tracked",
            "over_limit": False,
            "deleted": False,
            "updated_at": end,
        },
        headers=bearer(laptop),
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


def test_an_open_work_diary_is_read_again_only_after_a_pass_that_brought_something(
    qtbot, workdiary, service, service_contract, memory_keyring, monkeypatch
):
    sign_in(qtbot, workdiary, service.url)
    qtbot.waitUntil(lambda: workdiary.sync_state.receipts == 1)  # the contract came
    workdiary.open_diary()
    qtbot.waitExposed(workdiary.dialogs.diary_window)
    refreshes = []
    read_again = workdiary.dialogs.diary_window.refresh
    monkeypatch.setattr(
        workdiary.dialogs.diary_window, "refresh", lambda: refreshes.append(1) or read_again()
    )

    sync_now(qtbot, workdiary)  # nothing new
    assert refreshes == []
    put_laptop_block(
        service, service_contract, LAPTOP_BLOCK, "2026-11-23T08:02:00Z", "2026-11-23T08:05:00Z", "laptop"
    )
    sync_now(qtbot, workdiary)
    assert refreshes == [1]
    qtbot.waitUntil(lambda: workdiary.window.all_week_label.text() == "0:03:00")  # the totals too
    sync_now(qtbot, workdiary)  # the same block again: nothing changed here
    assert refreshes == [1]


def test_a_block_the_service_refuses_is_shown_with_its_reason(
    qtbot, workdiary, drive, service, service_contract, memory_keyring
):
    """The same time already logged from another computer: the service refuses this one."""
    put_laptop_block(
        service,
        service_contract,
        LAPTOP_BLOCK,
        "2026-11-23T09:02:00Z",
        "2026-11-23T09:05:00Z",
        "on the laptop",
    )
    sign_in(qtbot, workdiary, service.url)
    qtbot.waitUntil(lambda: sync_line(workdiary).startswith("Synced at"))
    qtbot.waitUntil(lambda: workdiary.window.all_week_label.text() == "0:03:00")  # the laptop's time
    track_one_block(qtbot, workdiary, drive, service_contract)
    sync_now(qtbot, workdiary)
    text = sync_line(workdiary)
    assert "1 item set aside by the service (the rest go on):" in text
    assert "\n• 09:00 on “Website for Bob”: This overlaps time already logged on another computer" in text
    assert workdiary.tray.state == UNSYNCED


def test_signing_out_revokes_the_token_and_forgets_it(
    qtbot, workdiary, service, service_contract, memory_keyring, database
):
    dialog, _ = sign_in(qtbot, workdiary, service.url)
    qtbot.waitUntil(lambda: dialog.signed_in_panel.isVisible())
    token = memory_keyring.get_password("Workdiary", service.url)
    with qtbot.waitSignal(workdiary.sync.state, check_params_cb=lambda state: not state.signed_in):
        qtbot.mouseClick(dialog.sign_out_button, Qt.MouseButton.LeftButton)
    assert dialog.sign_in_panel.isVisible()
    assert memory_keyring.passwords == {}
    assert requests.get(f"{service.api}/me", headers=bearer(token), timeout=10).status_code == 401
    assert load_settings(database).account_email == ""
    assert not workdiary.tray.sync_action.isEnabled()


def test_without_a_keyring_the_token_lives_only_in_memory(
    qtbot, workdiary, service, service_contract, database, monkeypatch
):
    monkeypatch.delenv("WORKDIARY_TOKEN", raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        dialog, result = sign_in(qtbot, workdiary, service.url)
        assert result.error == ""
        assert "There is no keyring on this computer" in dialog.account_message.text()
        assert "You are signed in until Workdiary quits." in dialog.account_message.text()
        qtbot.waitUntil(lambda: sync_line(workdiary).startswith("Synced at"))
        token = workdiary.sync._client.token
        for path in Path(database.data_dir).rglob("*"):
            if path.is_file():
                assert token.encode() not in path.read_bytes(), path
    finally:
        keyring.set_keyring(previous)


def test_a_saved_account_syncs_from_the_start(
    qtbot, database, clock, service, service_contract, memory_keyring
):
    memory_keyring.set_password("Workdiary", service.url, service.sign_in(FREELANCER))
    settings = Settings(service_url=service.url, account_email=FREELANCER)
    sync = SyncService(database, clock, settings, tokens=credentials, automatic=False)
    try:
        qtbot.waitUntil(lambda: sync.current.signed_in)
        with qtbot.waitSignal(sync.state, check_params_cb=lambda state: state.last_synced_at is not None):
            sync.sync_now()
        assert sync.current.problem == ""
    finally:
        sync.shutdown()


def test_a_question_to_the_service_is_answered_in_the_gui_thread_or_says_why_not(
    qtbot, workdiary, service, service_contract, memory_keyring, proxy
):
    answers, reasons = [], []
    owner = workdiary.window

    def ask() -> None:
        with qtbot.waitSignal(workdiary.sync._answered_from_thread):
            workdiary.sync.ask(
                owner, lambda online: online.client.me()["email"], answers.append, reasons.append
            )

    ask()
    assert reasons == ["Sign in to the contract service in Settings first."]
    sign_in(qtbot, workdiary, proxy.url)
    ask()
    assert answers == [FREELANCER]
    proxy.set_fault("down")
    ask()
    assert answers == [FREELANCER]
    assert reasons[1:] == [
        f"The contract service at {proxy.url} did not answer: no connection could be made, or it was cut"
    ]
