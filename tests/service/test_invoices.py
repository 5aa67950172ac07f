"""Weekly invoices of hourly contracts, on the service's fake clock: issued once a week's window
closes (its end plus the grace), from billable time alone, at that week's rate; disputable until
Friday 23:59:59 UTC of the issuing week, then paid."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import func, select

from common.money import billed_cents
from common.states import EventKind, MessageKind
from common.timeutil import week_start
from service.config import ServiceConfig
from service.database import Database
from service.models import Block, Contract, ContractEvent, Message, Transaction, User
from service.scheduled import run_due_work
from service.workroom.invoices import issue_week_invoice
from service.workroom.terms import next_week, record_terms
from tests.service.conftest import ANN, CARA, World, block_body, uid

WEEK_OF_23_NOV = datetime(2026, 11, 23, tzinfo=UTC)
LOCK = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # the week's end plus the default 12 hours' grace


def database(world: World) -> Database:
    return world.service.app.state.service.database


def run(world: World):
    return run_due_work(database(world), world.service.clock.now())


def at(world: World, moment: datetime) -> None:
    world.service.clock.set_wall(moment)  # type: ignore[attr-defined]  # a SimulatedClock


def put(world: World, contract: str, start: datetime, minutes: int = 10, **fields: object) -> None:
    answer = world.put_block(
        world.ann, uid(f"block {contract} {start}"), block_body(contract, start, minutes, **fields)
    )
    assert answer.status_code == 200, answer.text


def invoices(world: World, token: str | None = None, contract: str | None = None) -> list[dict]:
    answer = world.call(
        "GET",
        f"/contracts/{contract or world.website}/transactions",
        token or world.cara,
        params={"since": "2026-01-01"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def work_in_week_of_23_nov(world: World) -> None:
    """1 h 10 min on Monday, 30 min on Wednesday (20 of them manual)."""
    at(world, datetime(2026, 11, 25, 18, 0, tzinfo=UTC))
    for minutes in range(0, 70, 10):
        put(world, world.website, datetime(2026, 11, 23, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes))
    put(world, world.website, datetime(2026, 11, 25, 14, 0, tzinfo=UTC))
    for start in (datetime(2026, 11, 25, 15, 0, tzinfo=UTC), datetime(2026, 11, 25, 15, 10, tzinfo=UTC)):
        put(world, world.website, start, source="manual")


def dispute_path_of_the_week_s_invoice(world: World) -> str:
    """The week of 23 Nov worked and invoiced: its invoice's dispute path."""
    work_in_week_of_23_nov(world)
    at(world, LOCK)
    run(world)
    [invoice] = invoices(world)
    return f"/contracts/{world.website}/transactions/{invoice['id']}/dispute"


def test_the_invoice_is_issued_when_the_week_locks_and_not_a_minute_before(world: World) -> None:
    work_in_week_of_23_nov(world)
    at(world, LOCK - timedelta(minutes=1))
    assert run(world).issued == []
    assert invoices(world) == []

    at(world, LOCK)
    issued = run(world).issued

    assert [invoice.week_start for invoice in issued] == [WEEK_OF_23_NOV]
    [invoice] = invoices(world)
    assert invoice["type"] == "hourly"
    assert invoice["status"] == "pending"
    assert invoice["number"] == 1
    assert invoice["seconds"] == 100 * 60
    assert invoice["amount_cents"] == 7500  # 1 h 40 min at $45.00
    assert invoice["currency"] == "USD"
    assert invoice["description"] == "Week of 23 Nov 2026 — 1:40 hrs at $45.00/hr"
    assert [(line["day"], line["seconds"]) for line in invoice["lines"]] == [
        ("2026-11-23", 70 * 60),
        ("2026-11-25", 30 * 60),
    ]
    assert invoice["review_until"] == "2026-12-04T23:59:59Z"
    assert invoice["actions"] == ["dispute_invoice"]
    assert invoices(world, world.ann)[0]["actions"] == []  # the freelancer disputes nothing
    assert run(world).issued == []  # issued once


def test_deleted_and_over_limit_time_is_not_billed_and_an_empty_week_gets_no_invoice(world: World) -> None:
    world.service.update_contract(world.website, weekly_limit_minutes=20)
    at(world, datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    for minutes in (0, 10, 20):  # the third is over the limit
        put(world, world.website, datetime(2026, 11, 23, 9, minutes, tzinfo=UTC))
    gone = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    put(world, world.logo, gone)
    answer = world.put_block(
        world.ann,
        uid(f"block {world.logo} {gone}"),
        block_body(world.logo, gone, deleted=True, updated_at=gone + timedelta(hours=1)),
    )
    assert answer.status_code == 200, answer.text

    at(world, LOCK)
    issued = run(world).issued

    assert [(invoice.contract_id, invoice.seconds) for invoice in issued] == [(world.website, 20 * 60)]
    assert invoices(world, contract=world.logo) == []  # only deleted time: no invoice
    assert invoices(world, contract=world.bobs) == []  # no time at all: no invoice


def test_the_client_may_dispute_until_friday_23_59_59_and_the_freelancer_reads_why(world: World) -> None:
    path = dispute_path_of_the_week_s_invoice(world)

    at(world, datetime(2026, 12, 4, 23, 59, 59, tzinfo=UTC))
    disputed = world.call("POST", path, world.cara, json={"reason": "Wednesday was a holiday."})
    replayed = world.call("POST", path, world.cara, json={"reason": "Wednesday was a holiday."})

    assert disputed.status_code == 200, disputed.text
    assert disputed.json()["status"] == "disputed"
    assert disputed.json()["actions"] == []
    assert replayed.json() == disputed.json()
    assert invoices(world, world.ann)[0]["dispute_reason"] == "Wednesday was a holiday."
    at(world, datetime(2026, 12, 12, tzinfo=UTC))
    assert run(world).paid == []  # a disputed invoice stays disputed
    assert invoices(world)[0]["status"] == "disputed"


def test_past_friday_the_invoice_cannot_be_disputed_and_becomes_paid(world: World) -> None:
    path = dispute_path_of_the_week_s_invoice(world)

    at(world, datetime(2026, 12, 4, 23, 59, 59, tzinfo=UTC))
    assert run(world).paid == []  # still in review
    at(world, datetime(2026, 12, 5, tzinfo=UTC))
    assert invoices(world)[0]["actions"] == []
    late = world.call("POST", path, world.cara, json={"reason": "Too late?"})
    paid = run(world).paid

    assert late.status_code == 409
    assert "review ended Fri 04 Dec 2026 23:59 UTC" in late.json()["detail"]
    assert [entry.number for entry in paid] == [1]
    assert invoices(world)[0]["status"] == "paid"
    assert invoices(world)[0]["paid_at"] == "2026-12-05T00:00:00Z"
    assert world.call("POST", path, world.cara, json={"reason": "Now?"}).status_code == 409
    assert run(world).paid == []


def test_the_freelancer_cannot_dispute_and_nobody_else_sees_the_invoice(world: World) -> None:
    path = dispute_path_of_the_week_s_invoice(world)

    assert world.call("POST", path, world.ann, json={"reason": "x"}).status_code == 403
    assert world.call("POST", path, world.bob, json={"reason": "x"}).status_code == 404
    elsewhere = path.replace(world.website, world.logo)
    assert world.call("POST", elsewhere, world.cara, json={"reason": "x"}).status_code == 404
    assert world.call("POST", path, world.cara, json={"reason": ""}).status_code == 422


def test_issuing_records_a_money_event_and_a_line_in_the_thread(world: World) -> None:
    work_in_week_of_23_nov(world)
    at(world, LOCK)
    run(world)

    with database(world).reading() as session:
        events = list(
            session.scalars(select(ContractEvent).where(ContractEvent.kind == EventKind.INVOICE_ISSUED))
        )
        lines = list(session.scalars(select(Message.body).where(Message.kind == MessageKind.SYSTEM)))
    assert [(event.contract_id, event.money) for event in events] == [(world.website, True)]
    assert lines == [
        "Invoice #1 issued: Week of 23 Nov 2026 — 1:40 hrs at $45.00/hr, $75.00; "
        "it may be disputed until Fri 04 Dec 23:59 UTC."
    ]


def test_a_change_of_rate_bills_from_the_next_week_and_the_week_before_keeps_its_rate(world: World) -> None:
    at(world, datetime(2026, 11, 25, 18, 0, tzinfo=UTC))
    put(world, world.website, datetime(2026, 11, 25, 9, 0, tzinfo=UTC), minutes=10)
    with database(world).writing() as session:
        contract = session.get_one(Contract, world.website)
        client = session.scalars(select(User).where(User.email == CARA)).one()
        record_terms(
            session,
            contract,
            next_week(world.service.clock.now()),
            client,
            world.service.clock.now(),
            hourly_rate_cents=6000,
        )
    at(world, datetime(2026, 12, 2, 18, 0, tzinfo=UTC))
    put(world, world.website, datetime(2026, 12, 2, 9, 0, tzinfo=UTC), minutes=10)

    at(world, datetime(2026, 12, 7, 12, 0, tzinfo=UTC))  # both weeks locked, issued at once
    done = run(world)

    assert done.terms_applied == [world.website]
    assert [(invoice.hourly_rate_cents, invoice.amount_cents) for invoice in done.issued] == [
        (4500, 750),
        (6000, 1000),
    ]
    assert [invoice.number for invoice in done.issued] == [1, 2]
    assert [invoice["description"] for invoice in invoices(world)] == [
        "Week of 23 Nov 2026 — 0:10 hrs at $45.00/hr",
        "Week of 30 Nov 2026 — 0:10 hrs at $60.00/hr",
    ]


def test_an_ended_contract_gets_its_last_week_invoiced(world: World) -> None:
    work_in_week_of_23_nov(world)
    world.service.update_contract(world.website, status="ended", ended_at=datetime(2026, 11, 26, tzinfo=UTC))
    at(world, LOCK)
    assert [invoice.contract_id for invoice in run(world).issued] == [world.website]


def test_a_contract_of_another_grace_locks_and_is_invoiced_at_its_own_time(world: World) -> None:
    world.service.update_contract(world.website, grace_hours=36)
    work_in_week_of_23_nov(world)
    at(world, datetime(2026, 12, 1, 11, 59, 59, tzinfo=UTC))
    assert run(world).issued == []
    at(world, datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    [invoice] = run(world).issued
    assert invoice.review_until == datetime(2026, 12, 4, 23, 59, 59, tzinfo=UTC)


def test_an_invoice_issued_after_friday_may_be_disputed_until_the_next(world: World) -> None:
    world.service.update_contract(world.website, grace_hours=5 * 24 + 14)  # locks on Saturday 14:00
    work_in_week_of_23_nov(world)
    at(world, datetime(2026, 12, 5, 14, 0, tzinfo=UTC))
    [invoice] = run(world).issued
    assert invoice.review_until == datetime(2026, 12, 11, 23, 59, 59, tzinfo=UTC)
    assert run(world).paid == []  # not paid at once: the client has its week to look


def test_weeks_are_utc_weeks_whatever_the_zone_across_a_dst_change(world: World) -> None:
    """The answers carry UTC alone: a viewer in Paris or New York sees the same UTC week, days and
    review end across the change of 25 Oct (Paris) and 1 Nov 2026 (New York)."""
    late_sunday = datetime(2026, 10, 25, 23, 30, tzinfo=UTC)  # Monday 00:30 in Paris, after its change
    at(world, late_sunday + timedelta(hours=1))
    put(world, world.website, late_sunday)
    early_monday = datetime(2026, 10, 26, 3, 0, tzinfo=UTC)  # still Sunday 25 Oct in New York
    at(world, early_monday + timedelta(hours=1))
    put(world, world.website, early_monday)

    at(world, datetime(2026, 10, 26, 11, 59, 59, tzinfo=UTC))
    assert run(world).issued == []
    at(world, datetime(2026, 10, 26, 12, 0, tzinfo=UTC))
    [invoice] = run(world).issued
    assert invoice.week_start == datetime(2026, 10, 19, tzinfo=UTC)
    assert [(line.day.isoformat(), line.seconds) for line in invoice.lines] == [("2026-10-25", 600)]
    assert late_sunday.astimezone(ZoneInfo("Europe/Paris")).date().isoformat() == "2026-10-26"

    at(world, datetime(2026, 11, 2, 12, 0, tzinfo=UTC))  # New York changed on Sunday 1 Nov
    [following] = run(world).issued
    assert following.week_start == datetime(2026, 10, 26, tzinfo=UTC)
    assert early_monday.astimezone(ZoneInfo("America/New_York")).date().isoformat() == "2026-10-25"
    assert following.review_until == datetime(2026, 11, 6, 23, 59, 59, tzinfo=UTC)


def test_a_second_issuer_of_the_same_week_issues_nothing(world: World) -> None:
    work_in_week_of_23_nov(world)
    at(world, LOCK)
    issued, counted = [], []
    for _issuer in range(2):
        with database(world).writing() as session:
            contract = session.get_one(Contract, world.website)
            issued.append(issue_week_invoice(session, contract, WEEK_OF_23_NOV, LOCK))
            # The unit of work goes on after the second's refusal.
            counted.append(session.scalar(select(func.count()).select_from(Transaction)))
    assert issued[0] is not None
    assert issued[1] is None
    assert counted == [1, 1]
    assert run(world).issued == []
    assert [invoice["number"] for invoice in invoices(world)] == [1]


@pytest.mark.parametrize(
    ("seconds", "rate", "cents"), [(30, 4500, 38), (90, 4500, 112), (600, 3333, 556), (1, 1800, 0)]
)
def test_half_cents_round_to_the_even_cent(seconds: int, rate: int, cents: int) -> None:
    # 30 s at $45.00 = 37.5 ¢ → 38; 90 s = 112.5 ¢ → 112; 600 s at $33.33 = 555.5 ¢ → 556; 0.5 ¢ → 0
    assert billed_cents(seconds, rate) == cents


@given(seconds=st.integers(0, 168 * 3600), rate=st.integers(0, 10_000_00))
def test_the_amount_is_the_exact_product_rounded_half_even_once(seconds: int, rate: int) -> None:
    exact = Fraction(seconds * rate, 3600)
    assert billed_cents(seconds, rate) == round(exact)  # Python's round() of a Fraction is half-even
    assert abs(billed_cents(seconds, rate) - exact) <= Fraction(1, 2)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    blocks=st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 143), st.integers(1, 600)),
        min_size=1,
        max_size=30,
        unique_by=lambda block: block[:2],
    ),
    rate=st.integers(1, 500_00),
)
def test_an_invoice_bills_the_sum_of_its_blocks_times_the_rate_rounded_once(
    world: World, blocks: list[tuple[int, int, int]], rate: int
) -> None:
    contract_id = world.service.add_contract(
        f"Property {uid(str(blocks))}", ANN, CARA, hourly_rate_cents=rate
    )
    week = datetime(2026, 11, 2, tzinfo=UTC)
    with database(world).writing() as session:
        contract = session.get_one(Contract, contract_id)
        for day, slot, seconds in blocks:
            start = week + timedelta(days=day, minutes=10 * slot)
            session.add(
                Block(
                    id=uid(f"{contract_id} {start}"),
                    contract_id=contract_id,
                    freelancer_id=contract.freelancer_id,
                    device_id="d",
                    start=start,
                    end=start + timedelta(seconds=seconds),
                    activity=[],
                    memo="",
                    source="tracked",
                    over_limit=False,
                    deleted=False,
                    updated_at=start,
                )
            )
        session.flush()
        invoice = issue_week_invoice(session, contract, week, week + timedelta(days=8))
        assert invoice is not None
        total = sum(seconds for _day, _slot, seconds in blocks)
        assert invoice.seconds == total == sum(line.seconds for line in invoice.lines)
        assert invoice.amount_cents == round(Fraction(total * rate, 3600))
        assert len(invoice.lines) == len({day for day, _slot, _seconds in blocks})
        assert week_start(invoice.created_at) == week + timedelta(days=7)


def test_an_operator_s_fee_is_entered_when_an_invoice_is_paid(world: World) -> None:
    work_in_week_of_23_nov(world)
    at(world, LOCK)
    run(world)
    at(world, datetime(2026, 12, 5, tzinfo=UTC))

    paid = run_due_work(database(world), world.service.clock.now(), Decimal("12.5"))

    assert [invoice.number for invoice in paid.paid] == [1]
    [invoice, fee] = invoices(world)
    assert invoice["status"] == "paid"
    assert (fee["type"], fee["status"], fee["number"]) == ("fee", "paid", 2)
    assert fee["amount_cents"] == 938  # 12.5 % of $75.00 = 937.5 ¢, to the even cent
    assert fee["description"] == "Service fee: 12.5% of invoice #1"
    with database(world).reading() as session:
        line = session.scalars(select(Message.body).order_by(Message.number.desc()).limit(1)).one()
    assert line == "Invoice #1 paid: $75.00; Service fee: 12.5% of invoice #1, $9.38."


def test_the_fee_is_the_operator_s_to_set_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKDIARY_SERVICE_SERVICE_FEE_PERCENT", "10")
    assert ServiceConfig().service_fee_percent == Decimal(10)
    monkeypatch.setenv("WORKDIARY_SERVICE_SERVICE_FEE_PERCENT", "150")
    with pytest.raises(ValidationError):
        ServiceConfig()
    monkeypatch.delenv("WORKDIARY_SERVICE_SERVICE_FEE_PERCENT")
    assert ServiceConfig().service_fee_percent is None
