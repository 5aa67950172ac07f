"""The workroom window, on a local copy filled by the real sync from the real service on a loopback
port: its tabs show the copy; what is written in it offline shows "waiting to be sent", then goes
out when sync is back; an agency member sees no money."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget

from tests.helpers.faultproxy import FaultProxy
from tests.sync import conftest as sync_fixtures
from tests.sync.conftest import CLIENT, Account
from tests.sync.test_workroom import Client, synced
from ui.operations import Operations
from ui.workroom import WAITING, WorkroomWindow

account = sync_fixtures.account


@pytest.fixture
def client(account) -> Client:
    return Client(account)


@pytest.fixture
def operations(diary, clock):
    operations = Operations(diary, clock.now)
    yield operations
    operations.shutdown()


@pytest.fixture
def open_window(qtbot, operations, clock):
    def open_for(contract_id: str) -> WorkroomWindow:
        window = WorkroomWindow(contract_id, operations, clock.now)
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: window.fresh_label.text().startswith("Fresh as of"))
        return window

    return open_for


def texts(widget: QListWidget) -> list[str]:
    return [widget.item(row).text() for row in range(widget.count())]


def test_the_tabs_show_the_copy(database, account, client, clock, open_window):
    client.say(account.contract_id, "Welcome aboard!")
    client.call("PUT", f"/contracts/{account.contract_id}/todos/{uuid.uuid4()}", text="Mock-ups")
    synced(database, account, clock)

    window = open_window(account.contract_id)

    assert texts(window.todo_list) == ["Mock-ups"]
    assert window.todo_list.item(0).checkState() == Qt.CheckState.Unchecked
    assert texts(window.thread_list)[-1].endswith("\nWelcome aboard!")
    assert texts(window.thread_list)[-1].startswith("Bob, ")
    assert window.windowTitle() == "Workroom — Website rebuild"
    assert window.hours_label.text() == "This week: 0:00"
    assert not window.earnings_label.isHidden()
    assert not window.older_button.isEnabled()


def test_a_to_do_added_offline_waits_then_goes_out(database, account, client, clock, open_window, qtbot):
    with FaultProxy(account.service.url) as proxy:
        syncer = synced(database, account, clock, proxy.url)
        window = open_window(account.contract_id)
        proxy.set_fault("down")

        window.todo_edit.setText("Pick the colours")
        window.add_todo_button.click()
        qtbot.waitUntil(lambda: texts(window.todo_list) == [f"Pick the colours — {WAITING}"])
        assert syncer.run_once().error
        window.refresh()
        with qtbot.waitCallback() as shown:
            window.operations.after_those_asked(window, shown)
        assert texts(window.todo_list) == [f"Pick the colours — {WAITING}"]
        proxy.set_fault(None)
        assert syncer.run_once().error is None

    window.refresh()
    qtbot.waitUntil(lambda: texts(window.todo_list) == ["Pick the colours"])
    on_service = client.call("GET", f"/contracts/{account.contract_id}/todos").json()
    assert [todo["text"] for todo in on_service] == ["Pick the colours"]


def test_a_message_sent_shows_in_the_thread_and_reaches_the_service(
    database, account, client, clock, open_window, qtbot
):
    syncer = synced(database, account, clock)
    window = open_window(account.contract_id)

    window.message_edit.setText("Starting today.")
    window.send_button.click()
    qtbot.waitUntil(lambda: bool(texts(window.thread_list)))
    assert texts(window.thread_list)[-1].startswith("You, ")
    assert WAITING in texts(window.thread_list)[-1]
    assert syncer.run_once().error is None

    window.refresh()
    qtbot.waitUntil(lambda: WAITING not in texts(window.thread_list)[-1])
    assert texts(window.thread_list)[-1].endswith("\nStarting today.")
    assert [message["body"] for message in client.thread(account.contract_id)] == ["Starting today."]


def test_an_agency_member_sees_hours_and_no_money(database, account, clock, open_window):
    account.service.add_user("cara@example.test", "agency_member")
    contract_id = account.service.add_contract("Agency work", "cara@example.test", CLIENT, agency_member=True)
    synced(
        database, Account(account.service, contract_id, account.service.sign_in("cara@example.test")), clock
    )

    window = open_window(contract_id)

    assert window.hours_label.text() == "This week: 0:00"
    assert window.earnings_label.isHidden()
