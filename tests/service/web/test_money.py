"""Money in the web workroom: a contract's transactions (and the Timesheet tab's partial of the last
30 days), an invoice disputed with a reason, each entry as a PDF, the transaction report with its
totals, filters and CSV; amounts typed into forms read as exact cents; and no money at all for an
agency member or anyone but the parties."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from fastapi.exceptions import RequestValidationError
from sqlalchemy import select

from service.models import User
from service.web.money import parse_cents, recent_transactions
from service.workroom.access import party_contract
from tests.service.conftest import BOB, CARA, World, uid
from tests.service.test_invoices import dispute_path_of_the_week_s_invoice
from tests.service.web.conftest import PHONE, sign_in
from tests.service.web.test_actions import MIA, act
from tests.service.web.test_sessions import browser_signed_in, csrf_of
from tests.service.web.test_workroom import page, send


def invoiced_week(world: World) -> str:
    """The week of 23 Nov worked and invoiced (1:40 hrs at $45.00, $75.00): the invoice's id; the
    clock at Monday 30 Nov 12:00, in its review period."""
    return dispute_path_of_the_week_s_invoice(world).split("/")[-2]


def bonus(world: World, contract: str, cents: int, name: str) -> None:
    answer = world.call(
        "PUT",
        f"/contracts/{contract}/bonuses/{uid(name)}",
        world.service.sign_in(CARA),  # a token of now, whatever the clock did
        json={"amount_cents": cents, "note": name},
    )
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("1200", 120000),
        ("1,200.50", 120050),
        ("0.1", 10),
        (" 45 ", 4500),
        ("1,000,000", 100000000),
        ("000000000000000000045", 4500),
    ],
)
def test_typed_amounts_are_exact_cents(typed: str, cents: int) -> None:
    assert parse_cents(typed, "amount", "USD") == cents


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("1.005", "at most 2 decimals"),
        ("-1", "cannot be negative"),
        ("1,20", "in digits"),
        ("", "in digits"),
        ("0.00", "at least $0.01"),
        ("99999999999999999999", "at most $100,000,000.00"),
        ("9" * 5000, "at most $100,000,000.00"),
        ("00000000000000000000.00", "at least $0.01"),
    ],
)
def test_malformed_amounts_are_refused_with_a_reason(typed: str, why: str) -> None:
    with pytest.raises(RequestValidationError) as refused:
        parse_cents(typed, "amount", "USD")
    assert why in str(refused.value.errors())


def test_the_client_sees_the_invoice_and_disputes_it_with_a_reason_once(world: World) -> None:
    invoice = invoiced_week(world)
    cara = browser_signed_in(world, CARA)
    money = page(world, cara, f"/contracts/{world.website}/transactions").text
    assert "#1" in money and "$75.00" in money and "Pending" in money and "Hourly" in money
    assert f"/transactions/{invoice}/invoice.pdf" in money
    assert f'href="/contracts/{world.website}/actions/dispute_invoice?target={invoice}"' in money
    confirmation = page(world, cara, f"/contracts/{world.website}/actions/dispute_invoice?target={invoice}")
    assert "Ann reads your reason" in confirmation.text

    no_reason = act(world, cara, world.website, "dispute_invoice", {"reason": " "}, invoice)
    for _ in range(2):
        disputed = send(
            world,
            cara,
            f"/contracts/{world.website}/actions/dispute_invoice",
            {"target": invoice, "reason": "Friday was off."},
            csrf_of(confirmation),
        )
        assert disputed.headers["Location"] == f"/contracts/{world.website}/transactions?done=dispute_invoice"

    assert no_reason.status_code == 422 and "reason" in no_reason.text
    after = page(world, cara, disputed.headers["Location"]).text
    assert "The invoice is disputed." in after and "Disputed: Friday was off." in after
    assert "/actions/dispute_invoice?target=" not in after
    [entry] = world.call("GET", f"/contracts/{world.website}/transactions", world.ann).json()
    assert (entry["status"], entry["dispute_reason"]) == ("disputed", "Friday was off.")


def test_the_freelancer_sees_the_invoice_without_a_dispute_and_nobody_else_sees_it(world: World) -> None:
    invoice = invoiced_week(world)
    ann = browser_signed_in(world)
    money = page(world, ann, f"/contracts/{world.website}/transactions").text
    assert "$75.00" in money and "dispute_invoice" not in money
    refused = page(world, ann, f"/contracts/{world.website}/actions/dispute_invoice")
    assert refused.status_code == 403 and "A freelancer cannot dispute invoice." in refused.text
    bob = browser_signed_in(world, BOB)
    for path in ("/transactions", f"/transactions/{invoice}/invoice.pdf"):
        assert page(world, bob, f"/contracts/{world.website}{path}").status_code == 404


def test_an_invoice_downloads_as_a_pdf_with_the_session_cookie(world: World) -> None:
    invoice = invoiced_week(world)
    cara = browser_signed_in(world, CARA)

    pdf = page(world, cara, f"/contracts/{world.website}/transactions/{invoice}/invoice.pdf")

    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert (
        pdf.content.startswith(b"%PDF") and 'filename="workdiary-1.pdf"' in pdf.headers["content-disposition"]
    )


def test_the_report_totals_filters_and_csv(world: World) -> None:
    invoiced_week(world)
    bonus(world, world.website, 10_000, "Launch")
    bonus(world, world.logo, 2_550, "Logo")
    bonus(world, world.bobs, 700, "Bob")
    cara = browser_signed_in(world, CARA)

    everything = page(world, cara, "/report?from=2026-11-01&until=2026-11-30").text
    bonuses = page(world, cara, f"/report?from=2026-11-01&until=2026-11-30&type=bonus&contract={world.logo}")
    listing = page(world, cara, "/report?from=2026-11-01&until=2026-11-30&type=bonus").text
    csv_link = re.search(r'href="(/report\.csv\?[^"]+)"', listing).group(1).replace("&amp;", "&")
    download = page(world, cara, csv_link)

    totals = re.search(r'<table class="totals">(.*?)</table>', everything, re.S).group(1)
    rows = re.findall(
        r'<th scope="row">(\w+)</th><td class="number">(\d+)</td>\s*<td class="number"><data[^>]*>([^<]+)<',
        totals,
    )
    assert rows == [("Hourly", "1", "$75.00"), ("Bonus", "3", "$132.50")] or rows == [
        ("Bonus", "3", "$132.50"),
        ("Hourly", "1", "$75.00"),
    ]
    assert bonuses.status_code == 200 and "$25.50" in bonuses.text and "$100.00" not in bonuses.text
    assert download.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(download.text)))
    assert sorted((line["contract"], line["amount"]) for line in lines) == [
        ("Bob's app", "7.00"),
        ("Logo", "25.50"),
        ("Website", "100.00"),
    ]
    assert page(world, cara, "/report.csv?from=2026-12-01&until=2026-12-31").text.count("\n") == 1


def test_the_report_is_the_viewers_own(world: World) -> None:
    bonus(world, world.bobs, 700, "Bob")
    world.service.add_user(MIA, "agency_member")
    ann, mia = browser_signed_in(world), browser_signed_in(world, MIA)

    assert "Bob&#39;s app" not in page(world, ann, "/report").text
    assert page(world, ann, f"/report?contract={world.bobs}").status_code == 404
    assert page(world, mia, "/report").status_code == 403
    assert page(world, mia, "/report.csv").status_code == 403


def test_the_timesheets_partial_holds_30_days_and_nothing_for_an_agency_member(world: World) -> None:
    bonus(world, world.website, 1_000, "Old")
    world.service.clock.set_wall(datetime(2026, 12, 24, 9, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    bonus(world, world.website, 2_000, "New")
    world.service.add_user(MIA, "agency_member")
    agency = world.service.add_contract("Agency work", MIA, CARA, agency_member=True)
    database = world.service.app.state.service.database
    now = world.service.clock.now()

    with database.reading() as session:
        cara = session.scalars(select(User).where(User.email == CARA)).one()
        mia = session.scalars(select(User).where(User.email == MIA)).one()
        website, role = party_contract(session, cara, world.website)
        recent = recent_transactions(session, cara, website, role, now)
        agency_contract, member = party_contract(session, mia, agency)
        hidden = recent_transactions(session, mia, agency_contract, member, now)

    assert [entry.note for entry in recent or []] == ["New"]
    assert hidden is None


def test_the_money_pages_fit_a_phone(world: World, browser) -> None:
    invoiced_week(world)
    tab = sign_in(browser, world, CARA, f"/contracts/{world.website}/transactions")
    tab.set_viewport_size(PHONE)
    for path in (f"/contracts/{world.website}/transactions", "/report?from=2026-11-01"):
        tab.goto(f"{world.service.url}{path}")
        assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path


def test_a_dispute_without_its_token_changes_nothing(world: World) -> None:
    invoice = invoiced_week(world)
    cara = browser_signed_in(world, CARA)
    confirmation = page(world, cara, f"/contracts/{world.website}/actions/dispute_invoice?target={invoice}")
    assert csrf_of(confirmation)

    answer = send(
        world,
        cara,
        f"/contracts/{world.website}/actions/dispute_invoice",
        {"target": invoice, "reason": "No."},
        None,
    )

    assert answer.status_code == 403
    [entry] = world.call("GET", f"/contracts/{world.website}/transactions", world.cara).json()
    assert entry["status"] == "pending"
