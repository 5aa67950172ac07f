"""The workroom's Details tab, on a copy filled by the real sync from the real service on a loopback
port: the contract's summary, job post, proposal, the freelancer's profile line and the recent
activity; feedback left from the tab, waiting, then shown as the service's rules say; an agency
member's details with no money."""

from __future__ import annotations

import uuid

import requests

from tests.helpers.service import bearer
from tests.sync.conftest import CLIENT, Account
from tests.sync.test_workroom import synced
from tests.ui.workroom import test_window
from tests.ui.workroom.test_window import AGENCY_MEMBER, money_shown, texts
from ui.workroom import WAITING

account = test_window.account
client = test_window.client
operations = test_window.operations
open_window = test_window.open_window


def test_the_details_show_the_contract_as_the_service_holds_it(database, account, client, clock, open_window):
    account.service.update_contract(
        account.contract_id,
        hourly_rate_cents=4000,
        weekly_limit_minutes=40 * 60,
        manual_time_allowed=False,
        description="Rebuild the shop's website.",
        proposal="I have built ten of these.",
    )
    requests.put(
        f"{account.service.api}/me",
        json={"title": "Python developer", "time_zone": "Europe/Paris"},
        headers=bearer(account.token),
        timeout=10,
    ).raise_for_status()
    client.call("POST", f"/contracts/{account.contract_id}/pause")
    synced(database, account, clock)

    details = open_window(account.contract_id).details

    assert details.summary_label.text() == "\n".join(
        [
            "Website rebuild — hourly, paused",
            "Client: Bob · Freelancer: Ann",
            "Started: 25 Aug 2026",
            "Rate: 40.00 USD/hr",
            "Weekly limit: 40:00 hrs",
            "Manual time: not allowed",
        ]
    )
    assert details.profile_label.text() == "Ann — Python developer (Europe/Paris)"
    assert details.description_label.text() == "Rebuild the shop's website."
    assert details.proposal_label.text() == "I have built ten of these."
    assert texts(details.activity_list) == ["Bob paused the contract. — Mon 23 Nov 09:00"]
    assert details.feedback_heading.isHidden() and details.written_list.isHidden()
    assert money_shown(details) == [details.summary_label.text()]


def test_feedback_left_from_the_details_waits_then_shows_both_sides(
    database, account, client, clock, open_window, qtbot
):
    client.call("POST", f"/contracts/{account.contract_id}/end")
    client.call("PUT", f"/contracts/{account.contract_id}/feedback", rating=5, comment="Great work.")
    syncer = synced(database, account, clock)
    window = open_window(account.contract_id)
    details = window.details
    assert {"Ended: 23 Nov 2026", "Feedback may be left until Mon 07 Dec 09:00"} <= set(
        details.summary_label.text().split("\n")
    )
    assert [line.split(" — ")[0] for line in texts(details.activity_list)] == [
        "Bob left feedback.",
        "Bob ended the contract.",
    ]
    assert details.feedback_label.isHidden()  # the client's shows once both left theirs

    details.feedback_button.click()
    dialog = window.actions.dialog
    assert dialog.windowTitle() == "Leave feedback"
    assert dialog.what_label.text().startswith("Bob sees your feedback when both of you have left yours")
    dialog.fields["Rating"].setValue(4)
    dialog.fields["Comment"].setPlainText("A clear brief.")
    dialog.confirm_button.click()

    qtbot.waitUntil(lambda: details.feedback_label.text() == f"Your feedback — {WAITING}")
    assert details.feedback_button.isHidden() and window.tabs.currentWidget() is details
    assert syncer.run_once().error is None
    window.refresh()
    qtbot.waitUntil(lambda: "The freelancer" in details.feedback_label.text())
    assert sorted(details.feedback_label.text().split("\n")) == [
        "The client: ★★★★★ (5 of 5) Great work.",
        "The freelancer: ★★★★☆ (4 of 5) A clear brief.",
    ]  # left at the same moment: in either order
    on_service = client.call("GET", f"/contracts/{account.contract_id}/details").json()["feedback"]
    assert sorted((left["author_role"], left["rating"]) for left in on_service) == [
        ("client", 5),
        ("freelancer", 4),
    ]


def test_an_agency_members_details_show_no_money(database, account, clock, open_window, make_tracker, qtbot):
    window = test_window.agency_members_window(database, account, clock, open_window, make_tracker)
    contract_id = window.contract_id
    bonus = f"{account.service.api}/contracts/{contract_id}/bonuses/{uuid.uuid4()}"
    given = requests.put(
        bonus, json={"amount_cents": 2500}, headers=bearer(account.service.sign_in(CLIENT)), timeout=10
    )
    given.raise_for_status()
    synced(database, Account(account.service, contract_id, account.service.sign_in(AGENCY_MEMBER)), clock)
    window.refresh()
    with qtbot.waitCallback() as shown:
        window.operations.after_those_asked(window, shown)
    assert texts(window.details.activity_list) == ["Nothing yet."]  # the bonus is money: not theirs to see

    for tab in (window.overview, window.messages, window.timesheet, window.details):
        window.tabs.setCurrentWidget(tab)
        assert money_shown(tab) == [], tab
    assert window.details.summary_label.text().startswith("Agency work — hourly, ")
    assert not any("rate" in label.lower() for label in window.actions.labels())
