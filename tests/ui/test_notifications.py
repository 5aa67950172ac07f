"""The workrooms' news in the app, against the real service on a loopback port: each told once in
a notification (never again after a restart) whose click opens the right tab; the unread counts in
the tray's menu and on the main window's button, cleared by reading the thread; workdiary:// links,
from the command line and from a second start; offers accepted or declined. And, in a GNOME Wayland
session, what GNOME will ask at the first screenshot, told when tracking starts."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC

import pytest
import requests
from PySide6.QtWidgets import QInputDialog, QMessageBox, QPushButton

from sync import credentials
from tests.helpers.rows import change_contract
from tests.sync.conftest import Account
from tests.sync.test_workroom import Client, offer
from tests.ui import test_sync as app_sync_tests
from tests.ui.test_sync import CLIENT, FREELANCER, sign_in, sync_line, sync_now
from tracker.capture import portal
from tracker.capture.session import WAYLAND, Session
from tracker.settings import load_settings
from ui import app as app_module
from ui.app import Workdiary
from ui.notifier import WorkroomTab
from ui.single_instance import SingleInstance
from ui.sync_thread import SyncService
from ui.theme import APP_NAME

service_contract = app_sync_tests.service_contract
proxy = app_sync_tests.proxy


def record_notifications(workdiary) -> list[tuple[str, str, object]]:
    """What the app's notifications show from now on: (title, text, what a click opens)."""
    shown = []
    workdiary.tray.notify = lambda title, text, target=None, warning=False: shown.append(
        (title, text, target)
    )
    return shown


def signed_in_and_synced(qtbot, workdiary, url: str) -> None:
    """Signed in, and the window shows the first pass done (Sync now works again)."""
    sign_in(qtbot, workdiary, url)
    qtbot.waitUntil(lambda: sync_line(workdiary).startswith("Synced at"))


def settled(qtbot, workdiary) -> None:
    """Wait until the app's reads asked for so far are shown."""
    with qtbot.waitCallback() as done:
        workdiary.operations.after_those_asked(workdiary, done)


@pytest.fixture
def client(service, service_contract) -> Client:
    return Client(Account(service, service_contract, ""))


@pytest.fixture
def shop(service, service_contract, client) -> tuple[str, str]:
    """A fixed-price contract with a funded milestone: (contract, milestone)."""
    contract_id = service.add_contract("Shop", FREELANCER, CLIENT, kind="fixed", hourly_rate_cents=0)
    milestone_id = str(uuid.uuid4())
    client.call(
        "PUT", f"/contracts/{contract_id}/milestones/{milestone_id}", title="Design", amount_cents=30000
    )
    client.call("POST", f"/contracts/{contract_id}/milestones/{milestone_id}/fund")
    return contract_id, milestone_id


def freelancer_call(service, method: str, path: str, **body: object) -> dict:
    answer = requests.request(
        method,
        f"{service.api}{path}",
        headers={"Authorization": f"Bearer {service.sign_in(FREELANCER)}"},
        json=body or None,
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_news_is_told_once_and_a_click_opens_the_right_tab_even_after_a_restart(
    qtbot, workdiary, service, client, shop, memory_keyring, database, clock, make_tracker_service
):
    contract_id, milestone_id = shop
    client.say(contract_id, "History, not news.")
    signed_in_and_synced(qtbot, workdiary, service.url)
    shown = record_notifications(workdiary)
    submission = {"message_id": str(uuid.uuid4()), "text": "Design done.", "files": []}
    freelancer_call(
        service, "POST", f"/contracts/{contract_id}/milestones/{milestone_id}/submit", **submission
    )
    client.call("POST", f"/contracts/{contract_id}/milestones/{milestone_id}/approve")
    client.say(contract_id, "Thanks! Lovely work.")

    sync_now(qtbot, workdiary)
    qtbot.waitUntil(lambda: len(shown) == 2)
    sync_now(qtbot, workdiary)
    settled(qtbot, workdiary)

    assert shown == [
        (
            "Milestone approved: Shop",
            "Bob approved “Design”: its payment is released.",
            WorkroomTab(contract_id, "Overview"),
        ),
        ("New message: Shop", "Bob: Thanks! Lovely work.", WorkroomTab(contract_id, "Messages")),
    ]
    workdiary.tray.message_clicked.emit(shown[1][2])
    window = workdiary.dialogs.workrooms[contract_id]
    assert window.isVisible() and window.tabs.currentWidget() is window.messages
    workdiary.tray.message_clicked.emit(shown[0][2])
    assert window.tabs.currentWidget() is window.overview

    workdiary.shutdown()
    sync = SyncService(database, clock, load_settings(database), tokens=credentials, automatic=False)
    again = Workdiary(
        database, make_tracker_service(), sync, clock, UTC, load_settings(database), quit_app=lambda: None
    )
    try:
        told_again = record_notifications(again)
        again.start()
        qtbot.waitUntil(again.window.sync_button.isEnabled)  # signed in with the kept token
        sync_now(qtbot, again)
        settled(qtbot, again)
        assert told_again == []
    finally:
        again.shutdown()


def test_many_news_at_once_are_told_in_one_notification(
    qtbot, workdiary, service, service_contract, client, memory_keyring
):
    signed_in_and_synced(qtbot, workdiary, service.url)
    shown = record_notifications(workdiary)
    for number in range(5):
        client.say(service_contract, f"Message {number}")

    sync_now(qtbot, workdiary)
    qtbot.waitUntil(lambda: bool(shown))
    settled(qtbot, workdiary)

    assert shown == [
        (
            "5 updates in your workrooms",
            "New message: Website for Bob\n" * 3 + "and 2 more",
            WorkroomTab(service_contract, "Messages"),
        )
    ]


def test_no_notification_when_the_settings_say_so(
    qtbot, workdiary, service, service_contract, client, memory_keyring
):
    signed_in_and_synced(qtbot, workdiary, service.url)
    workdiary.settings = replace(workdiary.settings, notifications=False)
    shown = record_notifications(workdiary)
    client.say(service_contract, "Quietly.")

    sync_now(qtbot, workdiary)
    settled(qtbot, workdiary)

    assert shown == []


def test_the_unread_count_shows_in_the_tray_and_on_the_button_until_the_thread_is_read(
    qtbot, workdiary, service, service_contract, client, memory_keyring
):
    signed_in_and_synced(qtbot, workdiary, service.url)
    client.say(service_contract, "One")
    client.say(service_contract, "Two")
    sync_now(qtbot, workdiary)
    workdiary.window.select_contract(service_contract)

    qtbot.waitUntil(
        lambda: (
            [action.text() for action in workdiary.tray.workroom_menu.actions()]
            == ["Website for Bob (2 unread)"]
        )
    )
    assert workdiary.window.workroom_button.text() == "Open W&orkroom (2 unread)"
    workdiary.tray.workroom_menu.actions()[0].trigger()
    window = workdiary.dialogs.workrooms[service_contract]
    qtbot.waitUntil(lambda: window.windowTitle() == "Workroom — Website for Bob")
    assert window.tabs.currentWidget() is window.overview  # not read yet
    assert workdiary.window.workroom_button.text() == "Open W&orkroom (2 unread)"

    window.show_tab("Messages")
    qtbot.waitUntil(lambda: workdiary.window.workroom_button.text() == "Open W&orkroom")
    assert [action.text() for action in workdiary.tray.workroom_menu.actions()] == ["Website for Bob"]
    sync_now(qtbot, workdiary)

    unread = freelancer_call(service, "GET", f"/contracts/{service_contract}/messages/unread")
    assert unread["unread"] == 0
    assert workdiary.window.workroom_button.text() == "Open W&orkroom"


def test_the_work_diary_opens_the_chosen_contracts_workroom(
    qtbot, workdiary, service, service_contract, memory_keyring, contract
):
    signed_in_and_synced(qtbot, workdiary, service.url)
    workdiary.dialogs.open_diary(contract.id)
    diary = workdiary.dialogs.diary_window
    qtbot.waitUntil(lambda: diary.contract_combo.findData(service_contract) >= 0)
    assert not diary.workroom_button.isEnabled()  # a local contract has no workroom

    diary.set_contract(service_contract)
    diary.workroom_button.click()

    assert list(workdiary.dialogs.workrooms) == [service_contract]


def test_a_workdiary_link_opens_its_workroom_and_an_unknown_one_says_so(
    qtbot, workdiary, service, service_contract, memory_keyring
):
    sign_in(qtbot, workdiary, service.url)
    qtbot.waitUntil(lambda: workdiary.window.contract_box.findData(service_contract) >= 0)
    link = f"workdiary://contract/{service_contract}"
    assert app_module.build_parser().parse_args([link]).link == link

    workdiary.open_link(link)
    assert list(workdiary.dialogs.workrooms) == [service_contract]
    workdiary.open_link("workdiary://contract/not-here")

    box = workdiary.window.findChild(QMessageBox, "unknown-link")
    assert box is not None and box.isVisible()
    assert box.text().startswith("The contract not-here is not on this computer.")
    assert list(workdiary.dialogs.workrooms) == [service_contract]


def test_a_second_start_with_a_link_hands_it_to_the_first(qtbot, tmp_path):
    first = SingleInstance(tmp_path)
    first.claim()
    link = "workdiary://contract/0d1c2b3a-0000-4000-8000-000000000001"

    with qtbot.waitSignal(first.link_opened) as handed:
        assert app_module.main(["--data-dir", str(tmp_path), link]) == 0

    assert handed.args == [link]


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_an_offer_is_told_then_accepted_or_declined_on_the_service(
    qtbot, workdiary, service, service_contract, client, memory_keyring, monkeypatch, answer
):
    offered = offer(client, "Logo design")
    shown = record_notifications(workdiary)
    signed_in_and_synced(qtbot, workdiary, service.url)
    settled(qtbot, workdiary)
    panel = workdiary.window.offers
    assert list(panel.rows) == [offered]
    assert shown == [("New offer: Logo design", "From Bob: hourly, $40.00 an hour", None)]
    assert panel.isVisible()
    row = panel.rows[offered]

    if answer == "accept":
        monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *asked: ("I'd love to.", True))
        row.accept_button.click()
    else:
        row.decline_button.click()
        box = panel.findChild(QMessageBox, "confirm")
        assert box.text() == "Decline “Logo design” from Bob?"
        assert box.informativeText() == "Bob is told, and the offer cannot be accepted afterwards."
        box.findChild(QPushButton, "confirm-button").click()

    answered = {"accept": "accepted", "decline": "declined"}[answer]
    qtbot.waitUntil(lambda: panel.answer_label.text() == f"You {answered} “Logo design”.")
    qtbot.waitUntil(lambda: panel.rows == {})
    on_service = client.call("GET", f"/contracts/{offered}").json()
    assert on_service["status"] == {"accept": "active", "decline": "declined"}[answer]
    assert (workdiary.window.contract_box.findData(offered) >= 0) == (answer == "accept")


def test_an_answer_to_an_offer_offline_says_it_was_not_sent(
    qtbot, workdiary, service, service_contract, client, memory_keyring, proxy
):
    offered = offer(client, "Logo design")
    sign_in(qtbot, workdiary, proxy.url)
    panel = workdiary.window.offers
    qtbot.waitUntil(lambda: list(panel.rows) == [offered])
    proxy.set_fault("down")

    panel.decline_requested.emit(offered)

    qtbot.waitUntil(lambda: panel.answer_label.text().startswith("The answer was not sent: "))
    assert panel.answer_label.text().endswith("The offer still waits for it.")
    assert list(panel.rows) == [offered]
    assert client.call("GET", f"/contracts/{offered}").json()["status"] == "offered"


class PermissionStore:
    """Stands in for the portal's permission store: its ``answer``, and how often it was asked. The
    store itself is asked for real in tests/tracker/capture/test_portal.py."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.asked = 0

    def screenshot_permission(self) -> str:
        self.asked += 1
        return self.answer


@pytest.fixture
def store(monkeypatch) -> PermissionStore:
    """The app runs as in a GNOME Wayland session (Qt stays on the test's X display) whose
    permission store has not asked about screenshots yet."""
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "GNOME")
    store = PermissionStore(portal.WILL_ASK)
    monkeypatch.setattr(portal, "screenshot_permission", store.screenshot_permission)
    return store


def start_tracking(qtbot, workdiary, drive) -> None:
    with drive.status_where(lambda status: status.tracking):
        workdiary.window.start_button.click()
    settled(qtbot, workdiary)


def test_on_gnome_the_question_before_the_first_screenshot_is_explained_once_when_tracking_starts(
    qtbot, workdiary, drive, store
):
    shown = record_notifications(workdiary)

    start_tracking(qtbot, workdiary, drive)

    assert shown == [(APP_NAME, portal.GNOME_WILL_ASK, None)]
    assert "Allow Applications to Take Screenshots?" in portal.GNOME_WILL_ASK
    with drive.status_where(lambda status: not status.tracking):
        workdiary.window.start_button.click()
    start_tracking(qtbot, workdiary, drive)
    assert (store.asked, len(shown)) == (1, 1)  # once a run


@pytest.mark.parametrize(
    ("permission", "told"),
    [
        (portal.REFUSED, f"No screenshots: {portal.not_allowed_note(Session(WAYLAND, ('gnome',)))}"),
        (portal.GIVEN, ""),
        (portal.UNKNOWN, ""),
    ],
    ids=["refused", "given", "no store"],
)
def test_on_gnome_a_refusal_is_told_instead_and_a_permission_given_is_not(
    qtbot, workdiary, drive, store, permission, told
):
    shown = record_notifications(workdiary)
    store.answer = permission

    start_tracking(qtbot, workdiary, drive)

    assert store.asked == 1
    assert shown == ([(APP_NAME, told, None)] if told else [])


def test_without_the_tray_the_explanation_shows_in_the_window(qtbot, workdiary, drive, store):
    workdiary.tray.notify = lambda title, text, target=None, warning=False: False  # no tray host

    start_tracking(qtbot, workdiary, drive)

    assert portal.GNOME_WILL_ASK in workdiary.window.environment_bar.label.text()


def test_a_contract_without_screenshots_is_tracked_without_asking_the_store(
    qtbot, workdiary, drive, database, contract, store
):
    change_contract(database, contract.id, screenshots_enabled=False)
    workdiary.reload_contracts(contract.id)
    shown = record_notifications(workdiary)

    start_tracking(qtbot, workdiary, drive)

    assert (store.asked, shown) == (0, [])
