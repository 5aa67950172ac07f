"""The transaction report: a user's ledger entries across their contracts over a date range, with
totals per type, as rows for CSV; and an invoice as a PDF."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from fpdf import FPDF
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from common.money import money_text
from common.states import Role, TransactionType
from common.timeutil import WEEK
from service.errors import Forbidden
from service.models import Contract, Transaction, User
from service.workroom.invoices import hours_text

CSV_COLUMNS = ("number", "date", "contract", "type", "description", "note", "amount", "currency", "status")
CSV_BATCH = 1000  # rows read and written at a time


def money_contracts(session: Session, user: User) -> list[Contract]:
    """The contracts whose money the user sees: theirs as client, and as freelancer those no agency
    bills. An agency member is refused: they see no money at all."""
    if user.role == Role.AGENCY_MEMBER:
        raise Forbidden("An agency member sees no money: the agency keeps the transactions.")
    return list(
        session.scalars(
            select(Contract)
            .where(
                or_(
                    Contract.client_id == user.id,
                    (Contract.freelancer_id == user.id) & Contract.agency_member.is_(False),
                )
            )
            .order_by(Contract.title, Contract.id)
        )
    )


def day_range(since: date, until: date) -> tuple[datetime, datetime]:
    """The UTC instants from ``since``'s start to ``until``'s end."""
    start = datetime(since.year, since.month, since.day, tzinfo=UTC)
    end = datetime(until.year, until.month, until.day, tzinfo=UTC) + timedelta(days=1)
    return start, end


def entries_query(
    contract_ids: Sequence[str], since: date, until: date, kind: TransactionType | None
) -> Select[Transaction]:
    """The entries of these contracts made from ``since`` to ``until`` (UTC dates, both included), of
    one type or all, in the ledger's order."""
    start, end = day_range(since, until)
    query = select(Transaction).where(
        Transaction.contract_id.in_(contract_ids),
        Transaction.created_at >= start,
        Transaction.created_at < end,
    )
    if kind is not None:
        query = query.where(Transaction.type == kind)
    return query.order_by(Transaction.number)


@dataclass(frozen=True)
class Total:
    type: TransactionType
    currency: str
    count: int
    amount_cents: int


def totals(session: Session, query: Select[Transaction]) -> list[Total]:
    """The count and sum of the query's entries per type and currency (contracts may differ in it)."""
    entries = query.order_by(None).subquery()
    rows = session.execute(
        select(entries.c.type, entries.c.currency, func.count(), func.sum(entries.c.amount_cents))
        .group_by(entries.c.type, entries.c.currency)
        .order_by(entries.c.type, entries.c.currency)
    )
    return [
        Total(TransactionType(kind), currency, count, int(cents)) for kind, currency, count, cents in rows
    ]


def amount_figure(cents: int) -> str:
    """An amount in the currency's units for a spreadsheet: "1234.50"."""
    return f"{Decimal(cents) / 100:.2f}"


def csv_lines(session: Session, query: Select[Transaction], titles: dict[str, str]) -> Iterator[str]:
    """The report as CSV text, a header and then a few rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for entry in session.scalars(query.execution_options(yield_per=CSV_BATCH)):
        writer.writerow(
            (
                entry.number,
                entry.created_at.date().isoformat(),
                titles[entry.contract_id],
                entry.type,
                entry.description,
                entry.note,
                amount_figure(entry.amount_cents),
                entry.currency,
                entry.status,
            )
        )
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def invoice_pdf(entry: Transaction, contract: Contract) -> bytes:
    """One ledger entry as a PDF: its number and dates, the parties, a line per day with its hours
    and the rate (hourly invoices), and the total in the contract's currency."""
    pdf = _Document()
    pdf.add_page()
    pdf.set_font("helvetica", "B", 18)
    title = "Invoice" if entry.type == TransactionType.HOURLY else f"{entry.type.capitalize()} receipt"
    pdf.text_line(f"{title} #{entry.number}", 12)
    pdf.set_font("helvetica", size=11)
    pdf.text_line(f"Contract: {contract.title}")
    pdf.text_line(f"From: {contract.freelancer.name} <{contract.freelancer.email}>")
    pdf.text_line(f"To: {contract.client.name} <{contract.client.email}>")
    pdf.text_line(f"Date: {entry.created_at:%d %b %Y} (UTC)")
    if entry.week_start is not None:
        sunday = entry.week_start + WEEK - timedelta(days=1)
        pdf.text_line(f"Work week: {entry.week_start:%a %d %b} – {sunday:%a %d %b %Y} (UTC)")
    if entry.review_until is not None:
        pdf.text_line(f"Disputable until: {entry.review_until:%a %d %b %Y %H:%M} UTC")
    pdf.text_line(f"Status: {entry.status}")
    pdf.text_line(entry.description)
    if entry.note:
        pdf.text_line(f"Note: {entry.note}")
    if entry.dispute_reason:
        pdf.text_line(f"Disputed: {entry.dispute_reason}")
    pdf.ln(4)
    if entry.lines and entry.hourly_rate_cents is not None:
        rate = money_text(entry.hourly_rate_cents, entry.currency)
        pdf.set_font("helvetica", "B", 11)
        pdf.row("Day", "Hours", "Rate", "")
        pdf.set_font("helvetica", size=11)
        for line in entry.lines:
            pdf.row(f"{line.day:%a %d %b %Y}", hours_text(line.seconds), f"{rate}/hr", "")
        pdf.row("Week", hours_text(entry.seconds or 0), f"{rate}/hr", "")
        pdf.ln(2)
    pdf.set_font("helvetica", "B", 12)
    pdf.row("Total", "", "", money_text(entry.amount_cents, entry.currency))
    return bytes(pdf.output())


class _Document(FPDF):
    """A PDF in the core fonts, which hold Windows-1252's characters (— “ ” €): any other is shown as "?"."""

    def __init__(self) -> None:
        super().__init__()
        self.core_fonts_encoding = "cp1252"
        self.set_title("Workdiary invoice")

    def text_line(self, text: str, height: float = 7) -> None:
        self.multi_cell(0, height, _printable(text), new_x="LMARGIN", new_y="NEXT")

    def row(self, *cells: str) -> None:
        for width, text in zip((60, 40, 40, 50), cells, strict=True):
            self.cell(width, 7, _printable(text))
        self.ln(7)


def _printable(text: str) -> str:
    return text.encode("cp1252", "replace").decode("cp1252")
