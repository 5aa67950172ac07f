"""The workroom window, on a local copy filled by the real sync from the real service on a loopback
port: its tabs show the copy; what is written in it offline shows "waiting to be sent", then goes
out when sync is back; an agency member sees no money."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QInputDialog, QLabel, QListWidget, QWidget

from sync.outbox import summary
from sync.workroom import THREAD_PAGE, WorkroomSync
from tests.helpers.faultproxy import FaultProxy
from tests.sync import conftest as sync_fixtures
from tests.sync import test_workroom as sync_workroom
from tests.sync.conftest import CLIENT, HOLD, Account, track_days
from tests.sync.test_workroom import Client, synced
from tests.ui import test_sync as app_sync_tests
from tests.ui.test_sync import sign_in, sync_now
from tracker import workroom
from ui.operations import Operations
from ui.workroom import WAITING, WorkroomWindow

account = sync_fixtures.account
client = sync_workroom.client
fixed = sync_workroom.fixed
service_contract = app_sync_tests.service_contract


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


def test_the_tabs_show_the_copy_and_this_weeks_time(
    database, account, client, clock, open_window, make_tracker
):
    account.service.update_contract(account.contract_id, hourly_rate_cents=4000)
    client.send_file(account.contract_id, "brief.pdf", b"%PDF-1.4 the brief")
    client.say(account.contract_id, "Welcome aboard!")
    client.call("PUT", f"/contracts/{account.contract_id}/todos/{uuid.uuid4()}", text="Mock-ups")
    synced(database, account, clock)
    track_days(make_tracker(), clock, account.contract_id, days=1, minutes=90)

    window = open_window(account.contract_id)

    assert texts(window.overview.todo_list) == ["Mock-ups"]
    assert texts(window.overview.file_list) == ["brief.pdf"]
    assert texts(window.messages.thread_list)[0].endswith("\n📎 brief.pdf")
    assert window.overview.todo_list.item(0).checkState() == Qt.CheckState.Unchecked
    assert texts(window.messages.thread_list)[-1].endswith("\nWelcome aboard!")
    assert texts(window.messages.thread_list)[-1].startswith("Bob, ")
    assert window.windowTitle() == "Workroom — Website rebuild"
    assert window.overview.hours_label.text() == "This week: 1:30"
    assert window.overview.earnings_label.text() == "Earned this week: 60.00 USD"
    assert not window.overview.earnings_label.isHidden()
    assert window.overview.milestone_list.isHidden() and window.overview.milestones_label.isHidden()
    assert not window.messages.older_button.isEnabled()


def test_a_to_do_added_offline_waits_then_goes_out(database, account, client, clock, open_window, qtbot):
    with FaultProxy(account.service.url) as proxy:
        syncer = synced(database, account, clock, proxy.url)
        window = open_window(account.contract_id)
        proxy.set_fault("down")

        window.overview.todo_edit.setText("Pick the colours")
        window.overview.add_todo_button.click()
        qtbot.waitUntil(lambda: texts(window.overview.todo_list) == [f"Pick the colours — {WAITING}"])
        assert syncer.run_once().error
        window.refresh()
        with qtbot.waitCallback() as shown:
            window.operations.after_those_asked(window, shown)
        assert texts(window.overview.todo_list) == [f"Pick the colours — {WAITING}"]
        assert summary(database, clock.now(), HOLD).pending_workroom == 1
        proxy.set_fault(None)
        assert syncer.run_once().error is None
        assert summary(database, clock.now(), HOLD).pending_workroom == 0

    window.refresh()
    qtbot.waitUntil(lambda: texts(window.overview.todo_list) == ["Pick the colours"])
    on_service = client.call("GET", f"/contracts/{account.contract_id}/todos").json()
    assert [todo["text"] for todo in on_service] == ["Pick the colours"]


def test_a_message_sent_shows_in_the_thread_and_reaches_the_service(
    database, account, client, clock, open_window, qtbot
):
    syncer = synced(database, account, clock)
    window = open_window(account.contract_id)

    window.messages.message_edit.setText("Starting today.")
    window.messages.send_button.click()
    qtbot.waitUntil(lambda: bool(texts(window.messages.thread_list)))
    assert texts(window.messages.thread_list)[-1].startswith("You, ")
    assert WAITING in texts(window.messages.thread_list)[-1]
    assert syncer.run_once().error is None

    window.refresh()
    qtbot.waitUntil(lambda: WAITING not in texts(window.messages.thread_list)[-1])
    assert texts(window.messages.thread_list)[-1].endswith("\nStarting today.")
    assert [message["body"] for message in client.thread(account.contract_id)] == ["Starting today."]


AGENCY_MEMBER = "cara@example.test"


def agency_members_window(database, account, clock, open_window, make_tracker) -> WorkroomWindow:
    """The workroom of an agency member's contract, with 30 minutes tracked this week."""
    account.service.add_user(AGENCY_MEMBER, "agency_member")
    contract_id = account.service.add_contract("Agency work", AGENCY_MEMBER, CLIENT, agency_member=True)
    synced(database, Account(account.service, contract_id, account.service.sign_in(AGENCY_MEMBER)), clock)
    track_days(make_tracker(), clock, contract_id, days=1, minutes=30)
    return open_window(contract_id)


MONEY_WORDS = ("USD", "$", "/hr", "rate", "earn", "budget", "refund", "transaction", "invoice")


def money_shown(widget: QWidget) -> list[str]:
    """The texts of every label, list item and button shown under ``widget`` that speak of money."""
    shown = [label.text() for label in widget.findChildren(QLabel) if label.isVisibleTo(widget)]
    shown += [button.text() for button in widget.findChildren(QAbstractButton) if button.isVisibleTo(widget)]
    for listed in widget.findChildren(QListWidget):
        shown += texts(listed) if listed.isVisibleTo(widget) else []
    return [text for text in shown if any(word.lower() in text.lower() for word in MONEY_WORDS)]


def test_an_agency_member_sees_hours_and_no_money(database, account, clock, open_window, make_tracker):
    window = agency_members_window(database, account, clock, open_window, make_tracker)

    assert (
        window.overview.hours_label.text() == "This week: 0:30" and not window.overview.hours_label.isHidden()
    )
    assert window.overview.earnings_label.isHidden() and window.overview.earnings_label.text() == ""


def test_opened_from_the_main_window_once_per_contract_and_kept_current_by_the_sync(
    qtbot, workdiary, service, service_contract, memory_keyring, contract
):
    sign_in(qtbot, workdiary, service.url)
    qtbot.waitUntil(lambda: workdiary.window.contract_box.findData(service_contract) >= 0)
    workdiary.reload_contracts(contract.id)
    assert not workdiary.window.workroom_button.isEnabled()  # a local contract has no workroom

    workdiary.reload_contracts(service_contract)
    workdiary.window.workroom_button.click()
    workdiary.window.workroom_button.click()
    assert list(workdiary.dialogs.workrooms) == [service_contract]
    window = workdiary.dialogs.workrooms[service_contract]
    qtbot.waitUntil(lambda: window.windowTitle() == "Workroom — Website for Bob")
    assert window.isVisible()

    Client(Account(service, service_contract, "")).say(service_contract, "Any news?")
    sync_now(qtbot, workdiary)

    qtbot.waitUntil(lambda: any(text.endswith("\nAny news?") for text in texts(window.messages.thread_list)))


def test_to_dos_checked_off_edited_reordered_and_deleted_in_the_window_reach_the_service(
    database, account, client, clock, open_window, qtbot, monkeypatch
):
    ids = [str(uuid.uuid4()) for _ in range(3)]
    for todo_id, text in zip(ids, ("Wireframes", "Colours", "Old idea"), strict=True):
        client.call("PUT", f"/contracts/{account.contract_id}/todos/{todo_id}", text=text)
    syncer = synced(database, account, clock)
    window = open_window(account.contract_id)

    window.overview.todo_list.item(0).setCheckState(Qt.CheckState.Checked)
    qtbot.waitUntil(lambda: texts(window.overview.todo_list)[0] == f"Wireframes — {WAITING}")
    monkeypatch.setattr(QInputDialog, "getText", lambda *asked: ("Wireframes v2", True))
    window.overview.todo_list.setCurrentRow(0)
    window.overview.edit_todo_button.click()
    qtbot.waitUntil(lambda: texts(window.overview.todo_list)[0] == f"Wireframes v2 — {WAITING}")
    window.overview.todo_list.setCurrentRow(2)
    window.overview.delete_todo_button.click()
    qtbot.waitUntil(lambda: len(texts(window.overview.todo_list)) == 2)
    window.overview.todo_list.setCurrentRow(1)
    window.overview.up_button.click()
    qtbot.waitUntil(lambda: texts(window.overview.todo_list)[0] == "Colours")
    assert syncer.run_once().error is None

    window.refresh()
    qtbot.waitUntil(lambda: texts(window.overview.todo_list) == ["Colours", "Wireframes v2"])
    assert window.overview.todo_list.item(1).checkState() == Qt.CheckState.Checked
    on_service = client.call("GET", f"/contracts/{account.contract_id}/todos").json()
    assert [(todo["text"], todo["done"]) for todo in on_service] == [
        ("Colours", False),
        ("Wireframes v2", True),
    ]


def test_work_submitted_for_payment_waits_then_moves_the_milestone(
    database, account, client, fixed, clock, open_window, qtbot
):
    contract_id, _milestone = fixed
    syncer = synced(database, account, clock)
    window = open_window(contract_id)
    assert texts(window.overview.milestone_list) == ["Design · funded · 300.00 USD"]
    assert not window.overview.milestone_list.isHidden()
    assert window.overview.submit_button.isEnabled()
    assert (
        window.overview.hours_label.isHidden() and window.overview.earnings_label.isHidden()
    )  # no tracked time

    window.overview.submit_work("Design done.")
    qtbot.waitUntil(
        lambda: texts(window.overview.milestone_list) == [f"Design · funded · 300.00 USD — {WAITING}"]
    )
    assert not window.overview.submit_button.isEnabled()
    assert syncer.run_once().error is None

    window.refresh()
    qtbot.waitUntil(lambda: texts(window.overview.milestone_list) == ["Design · submitted · 300.00 USD"])
    assert "Ann, Mon 23 Nov 09:00\nDesign done." in texts(window.messages.thread_list)


def test_a_refused_write_says_so_on_its_item(database, account, client, fixed, clock, open_window):
    contract_id, milestone_id = fixed
    syncer = synced(database, account, clock)
    workroom.submit_work(database, contract_id, milestone_id, "Design done.", clock.now())
    assert syncer.run_once().error is None
    client.call("POST", f"/contracts/{contract_id}/milestones/{milestone_id}/approve")
    workroom.submit_work(database, contract_id, milestone_id, "One more change.", clock.now())
    assert syncer.run_once().rejected

    window = open_window(contract_id)

    (line,) = texts(window.overview.milestone_list)
    assert line.startswith("Design · paid · 300.00 USD — refused: ")
    assert " — refused: " in texts(window.messages.thread_list)[-1]
    assert texts(window.messages.thread_list)[-1].endswith("\nOne more change.")


def test_the_thread_opens_on_its_newest_page_and_shows_older_ones_from_the_copy(
    database, account, client, clock, open_window, qtbot
):
    for number in range(60):
        client.say(account.contract_id, f"Message {number}")
    syncer = synced(database, account, clock)
    WorkroomSync(database, syncer.client, clock).read_older(account.contract_id)
    window = open_window(account.contract_id)
    assert len(texts(window.messages.thread_list)) == THREAD_PAGE
    assert texts(window.messages.thread_list)[-1].endswith("\nMessage 59")

    window.messages.older_button.click()

    qtbot.waitUntil(lambda: len(texts(window.messages.thread_list)) == 60)
    assert [text.split("\n")[1] for text in texts(window.messages.thread_list)] == [
        f"Message {n}" for n in range(60)
    ]
    assert not window.messages.older_button.isEnabled()


def test_this_weeks_hours_and_earnings_count_the_running_block_to_the_second(
    qtbot, workdiary, drive, service, service_contract, memory_keyring
):
    service.update_contract(service_contract, hourly_rate_cents=6000)
    sign_in(qtbot, workdiary, service.url)
    qtbot.waitUntil(lambda: workdiary.window.contract_box.findData(service_contract) >= 0)
    workdiary.window.select_contract(service_contract)
    workdiary.dialogs.open_workroom(service_contract)
    window = workdiary.dialogs.workrooms[service_contract]
    qtbot.waitUntil(lambda: window.overview.hours_label.text() == "This week: 0:00")

    with drive.status_where(lambda status: status.tracking):
        workdiary.window.start_button.click()
    drive.tick(60)
    qtbot.waitUntil(lambda: window.overview.earnings_label.text() == "Earned this week: 1.00 USD")
    drive.tick(120)
    assert window.overview.hours_label.text() == "This week: 0:03"
    assert window.overview.earnings_label.text() == "Earned this week: 3.00 USD"
