"""What the client paid on a contract, and what the freelancer may still refund."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from common.states import TransactionStatus, TransactionType
from service.models import Transaction

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
