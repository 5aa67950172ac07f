"""The transaction report across a user's contracts (JSON and CSV), and each entry as a PDF."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pypdf

from service.scheduled import run_due_work
from tests.service.conftest import World, block_body, uid


def give(world: World) -> None:
    """A week's invoice on Website (paid), bonuses on Website and Logo, a refund on Logo."""
    world.service.clock.set_wall(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    for minutes in (0, 10, 20):
        start = datetime(2026, 11, 23, 9, minutes, tzinfo=UTC)
        assert (
            world.put_block(world.ann, uid(f"block {minutes}"), block_body(world.website, start)).status_code
            == 200
        )
    for contract, name, cents in ((world.website, "b1", 2500), (world.logo, "b2", 10000)):
        answer = world.call(
            "PUT",
            f"/contracts/{contract}/bonuses/{uid(name)}",
            world.cara,
            json={"amount_cents": cents, "note": "Merci, “bravo”"},
        )
        assert answer.status_code == 200, answer.text
    answer = world.call(
        "PUT", f"/contracts/{world.logo}/refunds/{uid('r1')}", world.ann, json={"amount_cents": 1234}
    )
    assert answer.status_code == 200, answer.text
    world.service.clock.set_wall(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    database = world.service.app.state.service.database
    [invoice] = run_due_work(database, world.service.clock.now()).issued
    assert invoice.amount_cents == 2250  # 30 min at $45.00
    world.service.clock.set_wall(datetime(2026, 12, 5, tzinfo=UTC))  # type: ignore[attr-defined]
    run_due_work(database, world.service.clock.now())


def report(world: World, token: str, **params: str):
    return world.call("GET", "/transactions/report", token, params={"from": "2026-11-01", **params})


def test_the_report_lists_every_contract_s_entries_with_totals_per_type(world: World) -> None:
    give(world)
    answer = report(world, world.ann)

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["since"], body["until"]) == ("2026-11-01", "2026-12-05")
    assert [(entry["number"], entry["type"], entry["status"]) for entry in body["transactions"]] == [
        (1, "bonus", "paid"),
        (2, "bonus", "paid"),
        (3, "refund", "refunded"),
        (4, "hourly", "paid"),
    ]
    assert body["totals"] == [
        {"type": "bonus", "currency": "USD", "count": 2, "amount_cents": 12500},
        {"type": "hourly", "currency": "USD", "count": 1, "amount_cents": 2250},
        {"type": "refund", "currency": "USD", "count": 1, "amount_cents": 1234},
    ]
    assert report(world, world.cara).json()["totals"] == body["totals"]  # the client's view of the same
    assert report(world, world.bob).json() == {
        "since": "2026-11-01",
        "until": "2026-12-05",
        "transactions": [],
        "totals": [],
    }


def test_the_report_filters_by_contract_type_and_dates(world: World) -> None:
    give(world)
    logo = report(world, world.cara, contract=world.logo).json()
    bonuses = report(world, world.cara, type="bonus").json()
    before = report(world, world.cara, until="2026-11-29").json()
    backwards = report(world, world.cara, until="2026-10-01").json()

    assert {entry["contract_id"] for entry in logo["transactions"]} == {world.logo}
    assert [total["type"] for total in bonuses["totals"]] == ["bonus"]
    assert [entry["type"] for entry in before["transactions"]] == ["bonus", "bonus", "refund"]
    assert backwards["transactions"] == []
    assert report(world, world.bob, contract=world.logo).status_code == 404
    assert report(world, world.cara, type="wages").status_code == 422


def test_the_report_as_csv_is_a_download_of_the_same_entries(world: World) -> None:
    give(world)
    answer = report(world, world.cara, format="csv")

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        answer.headers["content-disposition"]
        == 'attachment; filename="workdiary-transactions-2026-11-01-2026-12-05.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [
        (row["number"], row["contract"], row["type"], row["amount"], row["currency"], row["status"])
        for row in rows
    ] == [
        ("1", "Website", "bonus", "25.00", "USD", "paid"),
        ("2", "Logo", "bonus", "100.00", "USD", "paid"),
        ("3", "Logo", "refund", "12.34", "USD", "refunded"),
        ("4", "Website", "hourly", "22.50", "USD", "paid"),
    ]
    assert rows[0]["note"] == "Merci, “bravo”"
    assert rows[3]["date"] == "2026-11-30"
    assert rows[3]["description"] == "Week of 23 Nov 2026 — 0:30 hrs at $45.00/hr"


def test_an_invoice_as_a_pdf_reads_back_its_number_parties_days_and_total(world: World) -> None:
    give(world)
    [invoice] = report(world, world.cara, type="hourly").json()["transactions"]
    path = f"/contracts/{world.website}/transactions/{invoice['id']}/invoice.pdf"

    answer = world.call("GET", path, world.cara)

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == 'attachment; filename="workdiary-4.pdf"'
    text = pypdf.PdfReader(io.BytesIO(answer.content)).pages[0].extract_text()
    for expected in (
        "Invoice #4",
        "Contract: Website",
        "From: Ann <ann@example.test>",
        "To: Cara <cara@example.test>",
        "Date: 30 Nov 2026 (UTC)",
        "Work week: Mon 23 Nov – Sun 29 Nov 2026 (UTC)",
        "Week of 23 Nov 2026 — 0:30 hrs at $45.00/hr",
        "Mon 23 Nov 2026",
        "0:30 hrs",
        "$45.00/hr",
        "Total",
        "$22.50",
    ):
        assert expected in text
    assert world.call("GET", path, world.ann).status_code == 200
    assert world.call("GET", path, world.bob).status_code == 404
    assert (
        world.call(
            "GET", f"/contracts/{world.logo}/transactions/{invoice['id']}/invoice.pdf", world.cara
        ).status_code
        == 404
    )


def test_a_bonus_as_a_pdf_is_a_receipt_with_its_note(world: World) -> None:
    give(world)
    path = f"/contracts/{world.logo}/transactions/{uid('b2')}/invoice.pdf"
    text = pypdf.PdfReader(io.BytesIO(world.call("GET", path, world.ann).content)).pages[0].extract_text()
    assert "Bonus receipt #2" in text
    assert "Note: Merci, “bravo”" in text
    assert "$100.00" in text
