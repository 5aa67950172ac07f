"""A contract's "…" menu for one viewer: the facts it depends on, read once, and the whole menu
(the contract's own actions and those of its milestones, requests and invoices)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.states import Action, Role, TransactionStatus, TransactionType
from service.models import Contract, Feedback, Milestone, MilestoneRequest, Transaction, User
from service.workroom import ledger
from service.workroom.actions import (
    ContractFacts,
    contract_actions,
    menu,
    milestone_actions,
    request_actions,
    transaction_actions,
)


def facts_for(session: Session, contract: Contract, role: Role, user: User, now: datetime) -> ContractFacts:
    """What the viewer's menu on the contract depends on, now."""
    return ContractFacts(
        role=role,
        status=contract.status,
        kind=contract.kind,
        offered_by_viewer=contract.offered_by_id == user.id,
        ended_at=contract.ended_at,
        now=now,
        feedback_left=session.get(Feedback, (contract.id, user.id)) is not None,
        # Only a freelancer refunds: nobody else's menu needs the sum.
        refundable_cents=ledger.refundable_cents(session, contract.id) if role == Role.FREELANCER else 0,
    )


def contract_menu(session: Session, contract: Contract, facts: ContractFacts) -> list[Action]:
    """The viewer's whole menu: the contract's actions, and those of each milestone, pending request
    and invoice in review."""
    role, status = facts.role, facts.status
    milestones = session.scalars(select(Milestone.status).where(Milestone.contract_id == contract.id))
    requests = session.scalars(
        select(MilestoneRequest.status).where(MilestoneRequest.contract_id == contract.id)
    )
    in_review = session.execute(
        select(Transaction.type, Transaction.status, Transaction.review_until).where(
            Transaction.contract_id == contract.id,
            Transaction.type == TransactionType.HOURLY,
            Transaction.status == TransactionStatus.PENDING,
        )
    )
    return menu(
        contract_actions(facts),
        *(milestone_actions(role, status, milestone) for milestone in set(milestones)),
        *(request_actions(role, status, request) for request in set(requests)),
        *(transaction_actions(role, kind, state, until, facts.now) for kind, state, until in in_review),
    )
