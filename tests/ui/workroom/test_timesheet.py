"""The workroom's Timesheet tab, on a copy filled by the real sync from the real service on a
loopback port: the hours summary from the local diary, the last 30 days' transactions, the Work
Diary on this contract, and the transaction report asked of the service through the app's signed-in
sync (its CSV and PDF saved where the user chose), which says so when the service is out of reach."""

from __future__ import annotations

import csv
import uuid
from datetime import UTC

import pytest

from sync import credentials
from tests.helpers.faultproxy import FaultProxy
from tests.sync.conftest import FREELANCER, Account, track_days
from tests.sync.test_workroom import Client, synced
from tests.ui.workroom import test_window
from tests.ui.workroom.test_window import texts
from tracker.settings import Settings
from ui.app_dialogs import Dialogs
from ui.sync_thread import SyncService
from ui.workroom import WorkroomWindow

account = test_window.account
client = test_window.client
operations = test_window.operations
open_window = test_window.open_window


def give_bonus(client: Client, contract_id: str, cents: int) -> None:
    client.call("PUT", f"/contracts/{contract_id}/bonuses/{uuid.uuid4()}", amount_cents=cents, note="Thanks")


@pytest.fixture
def signed_in(database, clock, memory_keyring):
    """The app's sync, signed in to a service as the freelancer (automatic passes off)."""
    made = []

    def sign_in(account: Account, url: str = "") -> SyncService:
        url = url or account.service.url
        memory_keyring.set_password("Workdiary", url, account.token)
        settings = Settings(service_url=url, account_email=FREELANCER)
        service = SyncService(database, clock, settings, tokens=credentials, automatic=False)
        made.append(service)
        return service

    yield sign_in
    for service in made:
        service.shutdown()


@pytest.fixture
def report_window(qtbot, operations, clock):
    def open_for(contract_id: str, service: SyncService) -> WorkroomWindow:
        qtbot.waitUntil(lambda: service.current.signed_in)
        window = WorkroomWindow(contract_id, operations, clock.now, service=service)
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: window.fresh_label.text().startswith("Fresh as of"))
        window.timesheet.report_button.click()
        return window

    return open_for


def test_the_hours_summary_earnings_and_the_last_30_days(
    database, account, client, clock, open_window, make_tracker, qtbot
):
    account.service.update_contract(account.contract_id, hourly_rate_cents=4000)
    give_bonus(client, account.contract_id, 2500)
    synced(database, account, clock)
    tracker = make_tracker()
    track_days(tracker, clock, account.contract_id, days=1, minutes=60)
    clock.advance(6 * 24 * 3600)  # the next Monday
    track_days(tracker, clock, account.contract_id, days=1, minutes=30)

    window = open_window(account.contract_id)
    timesheet = window.timesheet

    assert timesheet.hours_label.text() == "This week: 0:30   Last week: 1:00   Since start: 1:30"
    assert timesheet.earnings_label.text() == "Earned this week: 20.00 USD"
    assert not timesheet.earnings_label.isHidden() and not timesheet.money.isHidden()
    assert "Earned this week: 20.00 USD" in test_window.money_shown(timesheet)
    (line,) = texts(timesheet.transaction_list)
    assert line.startswith("23 Nov 2026 · Bonus · ") and line.endswith(" · 25.00 USD · paid · #1")
    with qtbot.waitSignal(window.diary_requested) as asked:
        timesheet.diary_button.click()
    assert asked.args == [account.contract_id]


def test_the_report_shows_totals_and_saves_its_csv_and_an_invoice_pdf(
    database, account, client, clock, signed_in, report_window, qtbot, tmp_path
):
    give_bonus(client, account.contract_id, 2500)
    give_bonus(client, account.contract_id, 1050)
    synced(database, account, clock)
    window = report_window(account.contract_id, signed_in(account))
    report = window.timesheet.report_dialog
    assert report.query() == {"from": "2026-10-24", "until": "2026-11-23", "contract": account.contract_id}

    report.type_box.setCurrentIndex(report.type_box.findData("bonus"))
    report.show_button.click()

    qtbot.waitUntil(lambda: report.entry_list.count() == 2)
    assert report.status_label.text() == "2 transactions from 2026-10-24 to 2026-11-23."
    assert report.totals_label.text() == "Bonus: 2 · 35.50 USD"
    report.save_csv(tmp_path / "report.csv")
    qtbot.waitUntil(lambda: report.status_label.text().startswith("Saved"))
    with (tmp_path / "report.csv").open(newline="") as saved:
        rows = list(csv.reader(saved))
    assert rows[0][:4] == ["number", "date", "contract", "type"]
    assert [(row[0], row[3], row[6], row[7]) for row in rows[1:]] == [
        ("1", "bonus", "25.00", "USD"),
        ("2", "bonus", "10.50", "USD"),
    ]
    report.entry_list.setCurrentRow(1)
    report.save_pdf(tmp_path / "invoice.pdf")
    qtbot.waitUntil(lambda: report.status_label.text() == f"Saved {tmp_path / 'invoice.pdf'}.")
    assert (tmp_path / "invoice.pdf").read_bytes().startswith(b"%PDF")


def test_the_report_offline_says_it_needs_the_service(
    database, account, clock, signed_in, report_window, qtbot
):
    with FaultProxy(account.service.url) as proxy:
        synced(database, account, clock, proxy.url)
        window = report_window(account.contract_id, signed_in(account, proxy.url))
        report = window.timesheet.report_dialog
        proxy.set_fault("down")

        report.show_button.click()

        qtbot.waitUntil(lambda: "did not answer" in report.status_label.text())
    assert report.status_label.text().startswith("The report needs the contract service: ")
    assert report.entry_list.count() == 0 and not report.csv_button.isEnabled()


def test_an_agency_members_timesheet_shows_hours_and_no_money(
    database, account, clock, open_window, make_tracker
):
    window = test_window.agency_members_window(database, account, clock, open_window, make_tracker)
    timesheet = window.timesheet

    assert timesheet.hours_label.text().startswith("This week: 0:30")
    assert timesheet.earnings_label.isHidden() and timesheet.earnings_label.text() == ""
    assert timesheet.money.isHidden()
    assert test_window.money_shown(window.timesheet) == []


def test_the_work_diary_opens_on_this_contract(database, account, clock, diary, operations, qtbot):
    synced(database, account, clock)
    dialogs = Dialogs(diary, operations, clock.now, UTC, Settings)
    dialogs.open_workroom(account.contract_id)
    window = dialogs.workrooms[account.contract_id]
    qtbot.waitUntil(lambda: window.fresh_label.text().startswith("Fresh as of"))

    window.timesheet.diary_button.click()

    assert dialogs.diary_window is not None and dialogs.diary_window.isVisible()
    qtbot.waitUntil(lambda: dialogs.diary_window.contract_combo.currentData() == account.contract_id)
    dialogs.close_all()
