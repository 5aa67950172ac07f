"""The ledger: entries appended with gap-free invoice numbers; what the client paid on a contract,
and what the freelancer may still refund."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from common.states import TransactionStatus, TransactionType
from service.models import Transaction

NUMBERING_LOCK = 0x776F726B64696172  # "workdiar": the PostgreSQL advisory lock of invoice numbering
PAID_TO_FREELANCER = (TransactionType.HOURLY, TransactionType.MILESTONE, TransactionType.BONUS)
# An entry refunded (in part or whole) was paid all the same: its refunds are entries of their own.
PAID = (TransactionStatus.PAID, TransactionStatus.REFUNDED)


def refundable_cents(session: Session, contract_id: str) -> int:
    """What the client paid on the contract (invoices, milestones and bonuses paid) minus earlier refunds."""
    paid = case(
        (
            Transaction.type.in_(PAID_TO_FREELANCER) & Transaction.status.in_(PAID),
            Transaction.amount_cents,
        ),
        (Transaction.type == TransactionType.REFUND, -Transaction.amount_cents),
        else_=0,
    )
    total = session.scalar(
        select(func.coalesce(func.sum(paid), 0)).where(Transaction.contract_id == contract_id)
    )
    return int(total or 0)


def add_transaction(session: Session, transaction: Transaction) -> Transaction:
    """Append an entry to the ledger with the next invoice number: numbers have no gaps, because
    they are taken one writer at a time (SQLite's writers are one at a time already; PostgreSQL's
    wait for a lock held until their transaction ends, so a rolled-back one frees its number)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(NUMBERING_LOCK)))
    transaction.number = (session.scalar(select(func.max(Transaction.number))) or 0) + 1
    session.add(transaction)
    session.flush()
    return transaction
