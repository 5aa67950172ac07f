"""The workroom's "…" menu, on a copy filled by the real sync from the real service on a loopback
port: exactly the freelancer's allowed actions for the contract's kind and status; each confirmed
in words, written in the outbox (shown waiting on the Details tab) and found on the service after
the next sync."""

from __future__ import annotations

import pytest

from common.states import Action
from tests.sync import test_workroom as sync_workroom
from tests.sync.test_workroom import paid_milestone, synced
from tests.ui.workroom import test_window
from tests.ui.workroom.test_window import texts
from tracker import workroom
from ui.workroom import WAITING

account = test_window.account
client = test_window.client
fixed = sync_workroom.fixed
operations = test_window.operations
open_window = test_window.open_window


def confirm(window, action: Action, **typed: str | int | bool) -> None:
    """Open the action's confirmation, fill its fields by name and confirm it."""
    window.actions.open_dialog(action)
    dialog = window.actions.dialog
    for name, value in typed.items():
        field = dialog.fields[name]
        if isinstance(value, bool):
            field.setChecked(value)
        elif isinstance(value, int):
            field.setValue(value)
        elif hasattr(field, "setPlainText"):
            field.setPlainText(value)
        elif hasattr(field, "findText"):
            field.setCurrentIndex(field.findText(value))
        else:
            field.setText(value)
    dialog.confirm_button.click()


def test_an_active_hourly_contracts_menu(database, account, clock, open_window):
    synced(database, account, clock)

    window = open_window(account.contract_id)

    assert window.actions.labels() == ["Propose a new contract…", "End the contract…"]
    assert not window.actions.isHidden()


def test_an_active_fixed_price_contracts_menu(database, account, fixed, clock, open_window):
    synced(database, account, clock)

    window = open_window(fixed[0])

    assert window.actions.labels() == [
        "Propose a new contract…",
        "Submit work for payment…",
        "Request a milestone or a change…",
        "End the contract…",
    ]


def test_an_ended_contracts_menu(database, account, client, fixed, clock, open_window):
    contract_id = paid_milestone(database, account, client, fixed, clock)
    client.call("POST", f"/contracts/{contract_id}/end")
    synced(database, account, clock)

    window = open_window(contract_id)

    assert window.actions.labels() == ["Propose a new contract…", "Give a refund…", "Leave feedback…"]


def test_each_action_confirmed_reaches_the_service(
    database, account, client, fixed, clock, open_window, qtbot
):
    contract_id = paid_milestone(database, account, client, fixed, clock)
    syncer = synced(database, account, clock)
    window = open_window(contract_id)
    written = window.details.written_list

    window.actions.menu().actions()[1].trigger()  # "Give a refund…"
    refund = window.actions.dialog
    assert refund.windowTitle() == "Give a refund"
    assert refund.what_label.text() == "A refund is paid back to Bob at once: at most 300.00 USD."
    confirm(window, Action.GIVE_REFUND, **{"Amount (USD)": "50", "Note": "Sorry for the delay."})
    qtbot.waitUntil(lambda: texts(written) == [f"A refund of 50.00 USD — {WAITING}"])
    assert window.tabs.currentWidget() is window.details and not refund.isVisible()
    confirm(
        window,
        Action.REQUEST_MILESTONE,
        **{
            "Title": "Logo",
            "Amount (USD)": "1,200.50",
            "It has a due date": True,
            "Note to the client": "Next?",
        },
    )
    confirm(
        window,
        Action.PROPOSE_CONTRACT,
        **{
            "Title": "Next shop",
            "Kind": "Fixed-price",
            "First milestone": "Catalogue",
            "Its amount (USD)": "800",
        },
    )
    confirm(window, Action.END_CONTRACT, **{"Reason (optional, posted in Messages)": "All delivered."})
    qtbot.waitUntil(lambda: len(texts(written)) == 4)
    assert texts(written)[1:] == [
        f"A new milestone asked for: “Logo”, 1,200.50 USD — {WAITING}",
        f"A new contract proposed: “Next shop” — {WAITING}",
        f"The contract ended — {WAITING}",
    ]
    assert "End the contract…" not in window.actions.labels()  # not twice
    assert syncer.run_once().error is None

    window.refresh()
    qtbot.waitUntil(lambda: written.isHidden())
    assert "Leave feedback…" in window.actions.labels()
    confirm(window, Action.LEAVE_FEEDBACK, Rating=3, Comment="Slow payments.")
    qtbot.waitUntil(lambda: window.details.feedback_label.text() == f"Your feedback — {WAITING}")
    assert syncer.run_once().error is None
    window.refresh()
    qtbot.waitUntil(
        lambda: window.details.feedback_label.text() == "The freelancer: ★★★☆☆ (3 of 5) Slow payments."
    )
    assert "Leave feedback…" not in window.actions.labels()  # the service holds the freelancer's

    money = client.call("GET", f"/contracts/{contract_id}/transactions").json()
    assert [(entry["amount_cents"], entry["note"]) for entry in money if entry["type"] == "refund"] == [
        (5000, "Sorry for the delay.")
    ]
    (request,) = client.call("GET", f"/contracts/{contract_id}/milestone-requests").json()
    assert (request["title"], request["amount_cents"], request["due_date"], request["note"]) == (
        "Logo",
        120050,
        "2026-11-23",
        "Next?",
    )
    offers = [made for made in client.call("GET", "/contracts").json() if made["title"] == "Next shop"]
    assert [(made["status"], made["kind"], made["budget_cents"]) for made in offers] == [
        ("offered", "fixed", 80000)
    ]
    details = client.call("GET", f"/contracts/{contract_id}/details").json()
    assert details["contract"]["status"] == "ended"
    assert [message["body"] for message in client.thread(contract_id)].count("All delivered.") == 1


@pytest.mark.parametrize(
    ("typed", "wrong"),
    [
        ("300.01", "Amount (USD): the amount can be at most $300.00"),
        ("12.345", "Amount (USD): an amount has at most 2 decimals (cents)"),
        ("ten", "Amount (USD): type an amount in digits, such as 1200 or 1,200.50"),
    ],
)
def test_a_refund_the_service_would_refuse_is_corrected_in_the_dialog(
    database, account, client, fixed, clock, open_window, typed, wrong
):
    contract_id = paid_milestone(database, account, client, fixed, clock)
    synced(database, account, clock)
    window = open_window(contract_id)

    confirm(window, Action.GIVE_REFUND, **{"Amount (USD)": typed})

    dialog = window.actions.dialog
    assert dialog.isVisible() and dialog.error_label.text() == wrong
    assert texts(window.details.written_list) == []


def test_work_submitted_from_the_menu_reaches_the_service(
    database, account, client, fixed, clock, open_window, qtbot
):
    contract_id, milestone_id = fixed
    syncer = synced(database, account, clock)
    window = open_window(contract_id)

    confirm(window, Action.SUBMIT_WORK, **{"Milestone": "Design", "Message with the work": "Design done."})
    qtbot.waitUntil(lambda: "Submit work for payment…" not in window.actions.labels())
    assert syncer.run_once().error is None

    (milestone,) = client.call("GET", f"/contracts/{contract_id}/milestones").json()
    assert (milestone["id"], milestone["status"]) == (milestone_id, "submitted")
    assert "Design done." in [message["body"] for message in client.thread(contract_id)]


def test_a_refused_action_says_so_on_the_details(database, account, client, fixed, clock, open_window):
    contract_id = paid_milestone(database, account, client, fixed, clock)
    syncer = synced(database, account, clock)
    workroom.give_refund(database, contract_id, 30001, "", clock.now())  # the client paid 300.00
    assert syncer.run_once().rejected

    window = open_window(contract_id)

    (line,) = texts(window.details.written_list)
    assert line.startswith("A refund of 300.01 USD — refused: ") and "300.00" in line
    assert not window.details.written_list.isHidden()
