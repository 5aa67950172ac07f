"""Hourly billing follows the work week: once a week's editable window closes (the week's end plus
the contract's grace, ``common.rules.locked_at``), its invoice is issued from the service's own
blocks; the client may dispute it until Friday 23:59:59 UTC of the week it is issued in, after which
it is paid. A disputed invoice stays disputed: the parties settle it between them.

Issuing is idempotent under concurrency: the ledger's unique (contract, week) makes a second
invoice for a week impossible, and an issuer that loses the race to another (a second service
worker, the command line) rolls back to its savepoint and goes on, numbers untouched.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import BigInteger, func, select, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from common.money import billed_cents, money_text
from common.rules import ContractTerms, locked_at
from common.states import ContractKind, ContractStatus, EventKind, TransactionStatus, TransactionType
from common.timetext import hm, local_text
from common.timeutil import WEEK, from_epoch, week_of_date, week_start
from service.models import Block, Contract, InvoiceLine, Transaction
from service.workroom.access import hold_free_contracts
from service.workroom.events import record_event
from service.workroom.hours import BILLABLE, SECONDS
from service.workroom.ledger import add_transaction
from service.workroom.terms import terms_of_week

DAY_SECONDS = 86400
# Contracts whose weeks are invoiced: live ones, and ended ones for their last weeks.
INVOICED_STATUSES = (ContractStatus.ACTIVE, ContractStatus.PAUSED, ContractStatus.ENDED)
REVIEW = timedelta(days=5) - timedelta(seconds=1)  # from the issuing week's Monday to Friday 23:59:59


def hours_text(seconds: int) -> str:
    """Hours and whole minutes: 12:30 hrs."""
    return f"{hm(seconds)} hrs"


def review_until(issued_at: datetime) -> datetime:
    """Friday 23:59:59 UTC of the week the invoice is issued in: the last moment it may be disputed.
    An invoice issued after that Friday (a long grace, a service that was down over the weekend)
    gets the next Friday: no invoice is ever issued with its review already over."""
    friday = week_start(issued_at) + REVIEW
    return friday if issued_at <= friday else friday + WEEK


def due_invoices(session: Session, now: datetime) -> dict[str, list[datetime]]:
    """The work weeks to invoice now, per contract id: those whose window has closed by ``now``, with
    billable time and no invoice yet, oldest first. Weeks are invoiced in order, so the weeks before a
    contract's last invoiced one were all looked at already: only those after it are read."""
    last_invoiced = dict(
        session.execute(
            select(Transaction.contract_id, func.max(Transaction.week_start))
            .where(Transaction.type == TransactionType.HOURLY)
            .group_by(Transaction.contract_id)
        ).all()
    )
    contracts = session.scalars(
        select(Contract).where(Contract.kind == ContractKind.HOURLY, Contract.status.in_(INVOICED_STATUSES))
    )
    due = {}
    for contract in contracts:
        last = last_invoiced.get(contract.id)
        first = week_start(contract.started_at) if last is None else last + WEEK
        terms = ContractTerms.of(contract)
        end = first
        while locked_at(terms, end) <= now:
            end += WEEK
        if end > first and (days := billable_days(session, contract.id, first, end)):
            due[contract.id] = sorted({week_of_date(day) for day in days})
    return due


def billable_days(session: Session, contract_id: str, since: datetime, until: datetime) -> dict[date, int]:
    """The billable seconds of each UTC day from ``since`` to ``until``: tracked and manual time, not
    deleted, not over the weekly limit (each block lies in one 10-minute slot, hence in one day)."""
    start = type_coerce(Block.start, BigInteger)
    day = start - start % DAY_SECONDS
    rows = session.execute(
        select(day, func.sum(SECONDS))
        .where(Block.contract_id == contract_id, Block.start >= since, Block.start < until, BILLABLE)
        .group_by(day)
    )
    # int(): PostgreSQL sums big integers as numeric.
    return {from_epoch(int(epoch)).date(): int(total) for epoch, total in rows if total}


def issue_week_invoice(
    session: Session, contract: Contract, week: datetime, now: datetime
) -> Transaction | None:
    """Issue the invoice of the work week starting ``week`` (its window closed): None when the week
    has no billable time or has its invoice already, whoever issued it, even at the same moment."""
    days = billable_days(session, contract.id, week, week + WEEK)
    seconds = sum(days.values())
    if seconds == 0:
        return None
    terms = terms_of_week(session, contract.id, week)
    rate = terms.hourly_rate_cents if terms is not None else contract.hourly_rate_cents
    currency = contract.currency
    rate_text = f"{money_text(rate, currency)}/hr"
    disputable_until = review_until(now)
    invoice = Transaction(
        id=_invoice_id(contract, week),
        contract_id=contract.id,
        type=TransactionType.HOURLY,
        status=TransactionStatus.PENDING,
        description=f"Week of {week.day} {week:%b %Y} — {hours_text(seconds)} at {rate_text}",
        amount_cents=billed_cents(seconds, rate),
        currency=currency,
        created_at=now,
        created_by_id=None,
        week_start=week,
        seconds=seconds,
        hourly_rate_cents=rate,
        review_until=disputable_until,
        lines=[InvoiceLine(day=day, seconds=day_seconds) for day, day_seconds in sorted(days.items())],
    )
    try:
        with session.begin_nested():
            add_transaction(session, invoice)
    except IntegrityError:
        return None  # the week has its invoice: issued before, or by another issuer just now
    amount = money_text(invoice.amount_cents, invoice.currency)
    record_event(
        session,
        contract,
        None,
        EventKind.INVOICE_ISSUED,
        now,
        f"Invoice #{invoice.number} issued: {invoice.description}, {amount}; "
        f"it may be disputed until {local_text(disputable_until, UTC)} UTC.",
        money=True,
        transaction_id=invoice.id,
        number=invoice.number,
        amount_cents=invoice.amount_cents,
    )
    return invoice


def _invoice_id(contract: Contract, week: datetime) -> str:
    """The same id for the same week, whoever issues it: two issuers' rows collide on the key too."""
    return str(uuid.uuid5(uuid.UUID(contract.id), f"invoice {week:%Y-%m-%d}"))


def settle_reviewed_invoices(
    session: Session, now: datetime, fee_percent: Decimal | None = None
) -> list[Transaction]:
    """Pay every invoice whose review ended undisputed, and enter the operator's fee of each
    (``fee_percent`` of it, half-even to the cent) where there is one; the invoices paid here."""
    reviewed = (
        Transaction.type == TransactionType.HOURLY,
        Transaction.status == TransactionStatus.PENDING,
        Transaction.review_until < now,
    )
    # A contract another unit of work holds (a dispute under way) is paid next time.
    contracts = {
        contract.id: contract
        for contract in hold_free_contracts(session, select(Transaction.contract_id).where(*reviewed))
    }
    invoices = list(
        session.scalars(
            select(Transaction)
            .where(*reviewed, Transaction.contract_id.in_(contracts))
            .order_by(Transaction.number)
            .with_for_update()
        )
    )
    for invoice in invoices:
        invoice.status = TransactionStatus.PAID
        invoice.paid_at = now
        contract = contracts[invoice.contract_id]
        line = f"Invoice #{invoice.number} paid: {money_text(invoice.amount_cents, invoice.currency)}"
        fee = None if fee_percent is None else _fee(session, invoice, fee_percent, now)
        if fee is not None:
            line += f"; {fee.description}, {money_text(fee.amount_cents, fee.currency)}"
        record_event(
            session,
            contract,
            None,
            EventKind.INVOICE_PAID,
            now,
            line + ".",
            money=True,
            transaction_id=invoice.id,
            number=invoice.number,
            **({"fee_transaction_id": fee.id} if fee is not None else {}),
        )
    return invoices


def _fee(session: Session, invoice: Transaction, percent: Decimal, now: datetime) -> Transaction | None:
    """The operator's fee of a paid invoice, entered in the ledger; None when it rounds to nothing."""
    cents = int(
        (Decimal(invoice.amount_cents) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    )
    if cents == 0:
        return None
    return add_transaction(
        session,
        Transaction(
            id=str(uuid.uuid5(uuid.UUID(invoice.id), "fee")),
            contract_id=invoice.contract_id,
            type=TransactionType.FEE,
            status=TransactionStatus.PAID,
            description=f"Service fee: {percent.normalize():f}% of invoice #{invoice.number}",
            amount_cents=cents,
            currency=invoice.currency,
            created_at=now,
            created_by_id=None,
            paid_at=now,
        ),
    )
