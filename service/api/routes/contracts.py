"""The contracts a user is on (each with the viewer's "…" menu), a contract's details, and its week
of blocks. Agency members get no money: the money fields are absent from their answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field, create_model
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.contract import CONTRACT_TERMS, TERM_TYPES
from common.states import Action, ContractKind, EventKind, Role
from common.timeutil import week_start
from service import timesheet
from service.api.deps import (
    JSON_TOO_LARGE,
    MALFORMED,
    SIGNED_OUT,
    CurrentUser,
    Service,
    ServiceContext,
    refusals,
)
from service.models import Contract, Feedback, Milestone, User
from service.schemas import BlockOut, Day, Id
from service.workroom import feedback, ledger, terms
from service.workroom.access import party_contract, party_role, sees_money
from service.workroom.actions import FEEDBACK_PERIOD
from service.workroom.events import contract_events
from service.workroom.menu import contract_menu, facts_for

ContractId = Annotated[Id, Path()]
# An amount an agency member never sees: absent from their answers (not null).
MoneyCents = Annotated[
    int | None, Field(exclude_if=lambda cents: cents is None, description="absent for agency members")
]

router = APIRouter()

# The contract's terms, as common.contract declares them: each required, but the rate, which is money.
_TERM_FIELDS: dict[str, Any] = {name: (kind, ...) for name, kind in TERM_TYPES.items()}
_ContractTermsOut = create_model(
    "ContractTermsOut", **_TERM_FIELDS | {"hourly_rate_cents": (MoneyCents, None)}
)


class PendingTerms(BaseModel):
    """A change of the hourly terms waiting for its work week."""

    effective_from: datetime = Field(description="the Monday 00:00 UTC the terms take effect")
    hourly_rate_cents: MoneyCents = None
    weekly_limit_minutes: int | None
    manual_time_allowed: bool


class ContractOut(_ContractTermsOut):
    id: str
    client_name: str
    freelancer_name: str
    role: Role = Field(description="the caller's role on this contract")
    offered_by: Role = Field(description="who made the offer: the client, or the freelancer proposing")
    offered_at: datetime
    answered_at: datetime | None = Field(description="when the offer was accepted or declined")
    ended_at: datetime | None
    feedback_until: datetime | None = Field(description="feedback may be left until then (ended contracts)")
    budget_cents: MoneyCents = Field(None, description="a fixed-price contract's: its milestones' sum")
    pending_terms: PendingTerms | None = Field(description="hourly terms that take effect next week")
    actions: list[Action] = Field(description="the viewer's menu: what they may do now")


class ProfileLine(BaseModel):
    name: str
    email: str = Field(description="where the other party reaches them (a freelancer's proposal goes to it)")
    title: str
    time_zone: str


class ActivityOut(BaseModel):
    """A change on the contract: who (None: the service), what, when."""

    kind: EventKind
    actor_name: str | None
    line: str | None
    created_at: datetime


class FeedbackOut(BaseModel):
    author_role: Role
    rating: int
    comment: str
    created_at: datetime


class DetailsOut(BaseModel):
    contract: ContractOut
    description: str = Field(description="the job post")
    proposal: str = Field(description="the freelancer's cover letter")
    freelancer: ProfileLine
    client: ProfileLine
    feedback: list[FeedbackOut] = Field(
        description="each side's, once both left theirs or the 14 days are over"
    )
    recent_activity: list[ActivityOut] = Field(description="newest first")
    refundable_cents: MoneyCents = Field(
        None, description="the freelancer's: what the client paid minus earlier refunds, at most refunded"
    )


@router.get("/contracts", tags=["contracts"], responses=refusals({401: SIGNED_OUT}))
def contracts(context: Service, user: CurrentUser) -> list[ContractOut]:
    """The contracts the user is a party to, each with their menu."""
    now = context.clock.now()
    with context.database.reading() as session:
        return [
            contract_out(session, contract, party_role(contract, user), user, now)
            for contract in timesheet.user_contracts(session, user)
        ]


NOT_YOURS = "no contract of yours has this id"
CONTRACT_REFUSALS = refusals({401: SIGNED_OUT, 404: NOT_YOURS, 422: MALFORMED})


def contract_write_refusals(
    refused: str | None, not_found: str = NOT_YOURS, malformed: str = MALFORMED
) -> dict[int | str, dict[str, Any]]:
    """The refusals of a write with a JSON body on a contract: ``refused`` (409) when a rule may refuse it."""
    described = {401: SIGNED_OUT, 404: not_found, 422: malformed} | ({409: refused} if refused else {})
    return {**refusals(described), **JSON_TOO_LARGE}


@router.get("/contracts/{contract_id}", tags=["contracts"], responses=CONTRACT_REFUSALS)
def contract(contract_id: ContractId, context: Service, user: CurrentUser) -> ContractOut:
    """A contract's terms, status and dates, with the viewer's menu."""
    with context.database.reading() as session:
        found, role = party_contract(session, user, contract_id)
        return contract_out(session, found, role, user, context.clock.now())


@router.get("/contracts/{contract_id}/details", tags=["contracts"], responses=CONTRACT_REFUSALS)
def details(contract_id: ContractId, context: Service, user: CurrentUser) -> DetailsOut:
    """The contract's summary, job post, proposal, the parties' profile lines, feedback and recent
    activity."""
    with context.database.reading() as session:
        found, role = party_contract(session, user, contract_id)
        return details_out(session, found, role, user, context.clock.now())


def details_out(session: Session, found: Contract, role: Role, user: User, now: datetime) -> DetailsOut:
    """The contract's details as the viewer sees them (the API's answer, and the web's Details tab)."""
    events = contract_events(session, found, role)
    names = dict(
        session.execute(
            select(User.id, User.name).where(User.id.in_({e.actor_id for e in events if e.actor_id}))
        ).all()
    )
    return DetailsOut(
        contract=contract_out(session, found, role, user, now),
        description=found.description,
        proposal=found.proposal,
        freelancer=_profile(found.freelancer),
        client=_profile(found.client),
        feedback=[feedback_out(found, left) for left in feedback.visible(session, found, user, now)],
        recent_activity=[
            ActivityOut(
                kind=event.kind,
                actor_name=names.get(event.actor_id) if event.actor_id else None,
                line=event.data.get("line"),
                created_at=event.created_at,
            )
            for event in events
        ],
        refundable_cents=ledger.refundable_cents(session, found.id) if role == Role.FREELANCER else None,
    )


def _profile(user: User) -> ProfileLine:
    return ProfileLine(name=user.name, email=user.email, title=user.title, time_zone=user.time_zone)


def feedback_out(contract: Contract, left: Feedback) -> FeedbackOut:
    author_role = Role.CLIENT if left.author_id == contract.client_id else Role.FREELANCER
    return FeedbackOut(
        author_role=author_role, rating=left.rating, comment=left.comment, created_at=left.created_at
    )


def contract_out(session: Session, contract: Contract, role: Role, user: User, now: datetime) -> ContractOut:
    """The contract as the viewer sees it, with their menu."""
    money = sees_money(role)
    terms_out: dict[str, Any] = {name: getattr(contract, name) for name in CONTRACT_TERMS}
    if not money:
        terms_out["hourly_rate_cents"] = None
    budget = None
    if money and contract.kind == ContractKind.FIXED:
        budget = session.scalar(
            select(func.coalesce(func.sum(Milestone.amount_cents), 0)).where(
                Milestone.contract_id == contract.id
            )
        )
    return ContractOut(
        id=contract.id,
        client_name=contract.client.name,
        freelancer_name=contract.freelancer.name,
        role=role,
        offered_by=Role.CLIENT if contract.offered_by_id == contract.client_id else Role.FREELANCER,
        offered_at=contract.offered_at,
        answered_at=contract.answered_at,
        ended_at=contract.ended_at,
        feedback_until=contract.ended_at + FEEDBACK_PERIOD if contract.ended_at else None,
        budget_cents=budget,
        pending_terms=_pending_terms(session, contract, money, now),
        actions=contract_menu(session, contract, facts_for(session, contract, role, user, now)),
        **terms_out,
    )


def _pending_terms(session: Session, contract: Contract, money: bool, now: datetime) -> PendingTerms | None:
    latest = terms.terms_of_week(session, contract.id, terms.next_week(now))
    if contract.kind != ContractKind.HOURLY or latest is None or latest.effective_from <= week_start(now):
        return None
    return PendingTerms(
        effective_from=latest.effective_from,
        hourly_rate_cents=latest.hourly_rate_cents if money else None,
        weekly_limit_minutes=latest.weekly_limit_minutes,
        manual_time_allowed=latest.manual_time_allowed,
    )


@router.get("/contracts/{contract_id}/blocks", tags=["blocks"], responses=CONTRACT_REFUSALS)
def contract_blocks(
    contract_id: ContractId,
    context: Service,
    user: CurrentUser,
    week: Annotated[Day | None, Query(description="a date of the UTC work week; default: this week")] = None,
) -> list[BlockOut]:
    day = week or context.clock.now().date()
    with context.database.reading() as session:
        return [
            BlockOut.model_validate(block) for block in timesheet.week_blocks(session, user, contract_id, day)
        ]


Change = Callable[[Session, Contract, Role, User, datetime], object]


def change_contract(context: ServiceContext, token: str, contract_id: str, change: Change) -> ContractOut:
    """Make a change on one of the user's contracts in one unit of work; the contract as it is then."""
    with context.writing_as(token) as (session, user):
        found, role = party_contract(session, user, contract_id)
        now = context.clock.now()
        change(session, found, role, user, now)
        return contract_out(session, found, role, user, now)
