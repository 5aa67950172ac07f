"""The ledger through the API: bonuses by the client, refunds by the freelancer up to what was paid,
the last 30 days, gap-free numbers, replays, every refusal; agency members see no money at all."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from common.money import money_text
from common.states import EventKind
from service.local import LocalService
from service.models import Message, Transaction, User
from service.workroom.events import events_after
from service.workroom.ledger import refundable_cents
from tests.service.conftest import ANN, CARA, World, make_world, uid

AGENT = "dan@example.test"


def bonus(
    world: World,
    cents: int,
    name: str = "bonus",
    token: str | None = None,
    contract: str | None = None,
    note: str = "Thanks!",
):
    return world.call(
        "PUT",
        f"/contracts/{contract or world.website}/bonuses/{uid(name)}",
        token or world.cara,
        json={"amount_cents": cents, "note": note},
    )


def refund(
    world: World,
    cents: int,
    name: str = "refund",
    token: str | None = None,
    contract: str | None = None,
    note: str = "",
):
    return world.call(
        "PUT",
        f"/contracts/{contract or world.website}/refunds/{uid(name)}",
        token or world.ann,
        json={"amount_cents": cents, "note": note},
    )


def ledger(world: World, token: str | None = None, contract: str | None = None, **params: str):
    return world.call(
        "GET", f"/contracts/{contract or world.website}/transactions", token or world.ann, params=params
    )


def test_a_bonus_is_paid_at_once_and_told_in_the_thread(world: World) -> None:
    given_ = bonus(world, 5000)

    assert given_.status_code == 200, given_.text
    entry = given_.json()
    assert (entry["type"], entry["status"], entry["amount_cents"], entry["currency"]) == (
        "bonus",
        "paid",
        5000,
        "USD",
    )
    assert entry["number"] == 1
    assert entry["note"] == "Thanks!"
    assert entry["paid_at"] == "2026-11-23T09:00:00Z"
    assert entry["description"] == "Bonus from Cara"
    assert [item["id"] for item in ledger(world).json()] == [uid("bonus")]
    with world.service.app.state.service.database.reading() as session:
        assert session.scalars(select(Message.body)).all() == ["Cara gave a bonus of $50.00: “Thanks!”"]


def test_only_an_hourly_invoice_is_disputed(world: World) -> None:
    bonus(world, 5000)
    answer = world.call(
        "POST",
        f"/contracts/{world.website}/transactions/{uid('bonus')}/dispute",
        world.cara,
        json={"reason": "No"},
    )
    assert answer.status_code == 409
    assert answer.json()["detail"] == (
        "Invoice #1 cannot be disputed: only an hourly invoice in its review period can, "
        "and this one is paid."
    )


def test_a_replayed_bonus_answers_the_same_and_a_reused_id_is_refused(world: World) -> None:
    first = bonus(world, 5000)
    again = bonus(world, 5000)
    other = bonus(world, 6000)

    assert again.status_code == 200
    assert again.json() == first.json()
    assert other.status_code == 409
    assert "taken" in other.json()["detail"]
    assert len(ledger(world).json()) == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [("ann", 403), ("bob", 404)],
)
def test_only_the_client_gives_a_bonus(world: World, who: str, status: int) -> None:
    assert bonus(world, 5000, token=getattr(world, who)).status_code == status
    assert ledger(world).json() == []


def test_no_bonus_on_an_ended_contract_nor_of_nothing(world: World) -> None:
    world.service.update_contract(world.website, status="ended", ended_at=datetime(2026, 11, 20, tzinfo=UTC))
    ended = bonus(world, 5000)
    assert ended.status_code == 409
    assert ended.json()["detail"] == "“Website” is ended: it takes no bonus now."
    assert bonus(world, 0, contract=world.logo).status_code == 422
    assert bonus(world, -5, contract=world.logo).status_code == 422


def test_a_refund_goes_up_to_what_was_paid_minus_earlier_refunds(world: World) -> None:
    bonus(world, 5000)

    first = refund(world, 3000, "first", note="Sorry for the delay")
    too_much = refund(world, 2001, "second")
    rest = refund(world, 2000, "second")
    nothing_left = refund(world, 1, "third")

    assert first.status_code == 200, first.text
    assert (first.json()["type"], first.json()["status"], first.json()["amount_cents"]) == (
        "refund",
        "refunded",
        3000,
    )
    assert too_much.status_code == 409
    assert too_much.json()["detail"] == (
        "You can refund at most $20.00 on “Website”: what the client paid minus earlier refunds, not $20.01."
    )
    assert rest.status_code == 200
    assert nothing_left.status_code == 409
    assert "Nothing is left to refund" in nothing_left.json()["detail"]
    assert [entry["number"] for entry in ledger(world).json()] == [1, 2, 3]


def test_a_refund_may_follow_the_end_and_replays_answer_the_same(world: World) -> None:
    bonus(world, 5000)
    world.service.update_contract(world.website, status="ended", ended_at=datetime(2026, 11, 20, tzinfo=UTC))
    first = refund(world, 1000)
    again = refund(world, 1000)
    assert first.status_code == 200
    assert again.json() == first.json()
    assert refund(world, 1500).status_code == 409  # the id is taken


@pytest.mark.parametrize(("who", "status"), [("cara", 403), ("bob", 404)])
def test_only_the_freelancer_refunds(world: World, who: str, status: int) -> None:
    bonus(world, 5000)
    assert refund(world, 1000, token=getattr(world, who)).status_code == status


def test_nothing_paid_nothing_to_refund(world: World) -> None:
    answer = refund(world, 100)
    assert answer.status_code == 409
    assert answer.json()["detail"] == (
        "Nothing is left to refund on “Website”: the client paid nothing not refunded yet."
    )


def test_the_ledger_shows_the_last_30_days_by_default_and_filters(world: World) -> None:
    bonus(world, 1000, "old")
    world.service.clock.advance(timedelta(days=31).total_seconds())  # type: ignore[attr-defined]
    world.ann, world.cara = world.service.sign_in(ANN), world.service.sign_in(CARA)  # tokens last 30 days
    bonus(world, 2000, "new")
    refund(world, 500)

    recent = ledger(world).json()
    everything = ledger(world, since="2026-11-01").json()
    refunds = ledger(world, since="2026-11-01", type="refund").json()
    until_then = ledger(world, since="2026-11-01", until="2026-11-23").json()

    assert [entry["amount_cents"] for entry in recent] == [2000, 500]
    assert [entry["amount_cents"] for entry in everything] == [1000, 2000, 500]
    assert [entry["type"] for entry in refunds] == ["refund"]
    assert [entry["amount_cents"] for entry in until_then] == [1000]
    assert ledger(world, type="wages").status_code == 422


@pytest.fixture
def agency(world: World) -> tuple[str, str]:
    """A contract Cara has with Dan, an agency member: its token and id."""
    world.service.add_user(AGENT, "agency_member")
    contract = world.service.add_contract("Agency work", AGENT, CARA, agency_member=True)
    return world.service.sign_in(AGENT), contract


def test_an_agency_member_gets_no_money_at_all(world: World, agency: tuple[str, str]) -> None:
    token, contract = agency
    assert bonus(world, 5000, contract=contract).status_code == 200  # the client pays the agency

    assert ledger(world, token, contract).status_code == 403
    assert ledger(world, token, contract).json()["detail"].startswith("An agency member sees no money")
    assert refund(world, 100, token=token, contract=contract).status_code == 403
    assert bonus(world, 100, "x", token=token, contract=contract).status_code == 403
    assert world.call("GET", "/transactions/report", token).status_code == 403
    entry = f"/contracts/{contract}/transactions/{uid('bonus')}"
    assert world.call("GET", f"{entry}/invoice.pdf", token).status_code == 403
    assert world.call("POST", f"{entry}/dispute", token, json={"reason": "x"}).status_code == 403
    assert world.call("GET", f"{entry}/invoice.pdf", world.cara).status_code == 200
    with world.service.app.state.service.database.reading() as session:
        dan = session.scalars(select(User).where(User.email == AGENT)).one()
        assert [event.kind for event in events_after(session, dan, 0)] == []
        cara = session.scalars(select(User).where(User.email == CARA)).one()
        assert EventKind.BONUS_GIVEN in [event.kind for event in events_after(session, cara, 0)]

    # The line telling of money is in the thread for the client, never for the agency member.
    def lines(viewer: str) -> list[str]:
        return [
            m["body"] for m in world.call("GET", f"/contracts/{contract}/messages", viewer).json()["messages"]
        ]

    assert lines(token) == []
    assert lines(world.cara) == ["Cara gave a bonus of $50.00: “Thanks!”"]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["bonus", "refund"]), st.integers(1, 10_000)), min_size=1, max_size=8
    )
)
def test_refunds_never_exceed_what_was_paid_and_totals_are_the_sum_of_entries(
    world: World, steps: list[tuple[str, int]]
) -> None:
    contract = world.service.add_contract(f"Property {uid(str(steps))}", ANN, CARA)
    paid = refunded = 0
    for index, (kind, cents) in enumerate(steps):
        name = f"{contract} {index}"
        if kind == "bonus":
            assert bonus(world, cents, name, contract=contract).status_code == 200
            paid += cents
        else:
            answer = refund(world, cents, name, contract=contract)
            if cents <= paid - refunded:
                assert answer.status_code == 200, answer.text
                refunded += cents
            else:
                assert answer.status_code == 409
                assert money_text(paid - refunded, "USD") in answer.json()["detail"] or paid == refunded
    with world.service.app.state.service.database.reading() as session:
        assert refundable_cents(session, contract) == paid - refunded >= 0
        amounts = session.scalars(
            select(Transaction.amount_cents).where(Transaction.contract_id == contract)
        ).all()
    report = world.call("GET", "/transactions/report", world.cara, params={"contract": contract}).json()
    totals = {total["type"]: total["amount_cents"] for total in report["totals"]}
    assert totals.get("bonus", 0) == paid
    assert totals.get("refund", 0) == refunded
    assert (
        sum(totals.values()) == sum(amounts) == sum(entry["amount_cents"] for entry in report["transactions"])
    )
    with world.service.app.state.service.database.reading() as session:
        numbers = session.scalars(select(Transaction.number).order_by(Transaction.number)).all()
    assert numbers == list(range(1, len(numbers) + 1))  # refused refunds took no number


def at_once(*calls: Callable[[], requests.Response]) -> list[int]:
    """The calls made at the same moment from threads of their own; their statuses in order."""
    barrier = threading.Barrier(len(calls))
    statuses: list[int] = [0] * len(calls)

    def call(index: int) -> None:
        barrier.wait()
        statuses[index] = calls[index]().status_code

    threads = [threading.Thread(target=call, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses


def test_on_postgresql_racing_refunds_never_pass_what_was_paid_and_racing_replays_give_once(
    postgres_service: LocalService,
) -> None:
    world = make_world(postgres_service)
    assert bonus(world, 5000).status_code == 200

    refunds = at_once(*(lambda name=name: refund(world, 4000, name) for name in ("first", "second")))
    replays = at_once(*(lambda: bonus(world, 700, "again") for _ in range(2)))

    assert sorted(refunds) == [200, 409]
    assert replays == [200, 200]
    with postgres_service.app.state.service.database.reading() as session:
        assert refundable_cents(session, world.website) == 5000 - 4000 + 700
        assert session.scalars(select(Transaction.number).order_by(Transaction.number)).all() == [1, 2, 3]
