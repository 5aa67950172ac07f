"""The facts a contract's menu is made of (``actions.ContractFacts``), read once per answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.states import Role
from service.models import Contract, Feedback, User
from service.workroom.access import sees_money
from service.workroom.actions import ContractFacts
from service.workroom.ledger import refundable_cents


def facts_for(session: Session, contract: Contract, role: Role, user: User, now: datetime) -> ContractFacts:
    feedback_left = session.scalar(
        select(Feedback.author_id).where(Feedback.contract_id == contract.id, Feedback.author_id == user.id)
    )
    return ContractFacts(
        role=role,
        status=contract.status,
        kind=contract.kind,
        offered_by_viewer=contract.offered_by_id == user.id,
        ended_at=contract.ended_at,
        now=now,
        feedback_left=feedback_left is not None,
        refundable_cents=refundable_cents(session, contract.id) if sees_money(role) else 0,
    )
