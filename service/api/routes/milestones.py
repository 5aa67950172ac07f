"""A fixed-price contract's milestones and the freelancer's requests to add or change one. Each
milestone and request comes with the viewer's actions on it; agency members get no amounts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from common.states import Action, MilestoneStatus, RequestStatus, Role
from service.api.deps import BearerToken, CurrentUser, Service, ServiceContext, SignedInBeforeBody, refusals
from service.api.routes.contracts import CONTRACT_REFUSALS, ContractId, MoneyCents
from service.api.routes.offers import action_refusals
from service.models import Contract, Message, Milestone, MilestoneRequest
from service.schemas import MAX_JSON_BYTES, Id
from service.workroom import milestones
from service.workroom.access import party_contract, sees_money
from service.workroom.actions import milestone_actions, request_actions
from service.workroom.life import MilestoneDraft

MilestoneId = Annotated[Id, Path()]
RequestId = Annotated[Id, Path()]

router = APIRouter(route_class=SignedInBeforeBody, tags=["milestones"])


class MilestoneOut(BaseModel):
    id: str
    position: int
    title: str
    description: str
    amount_cents: MoneyCents = None
    due_date: date | None
    status: MilestoneStatus
    submission_message_id: str | None = Field(description="the latest submitted work's message")
    updated_at: datetime
    actions: list[Action] = Field(description="what the viewer may do on this milestone now")


class RequestOut(BaseModel):
    id: str
    milestone_id: str | None = Field(description="the milestone to change; null: a new one")
    title: str
    amount_cents: MoneyCents = None
    due_date: date | None
    note: str
    status: RequestStatus
    created_at: datetime
    decided_at: datetime | None
    actions: list[Action]


def _milestone_out(session: Session, contract: Contract, role: Role, milestone: Milestone) -> MilestoneOut:
    submission = (
        session.scalar(select(Message.id).where(Message.number == milestone.submission_number))
        if milestone.submission_number
        else None
    )
    return _out(contract, role, milestone, submission)


def milestones_out(session: Session, contract: Contract, role: Role) -> list[MilestoneOut]:
    """The contract's milestones in order, as the viewer sees them (the API's, and the web's
    timeline), in two queries."""
    found = list(
        session.scalars(
            select(Milestone).where(Milestone.contract_id == contract.id).order_by(Milestone.position)
        )
    )
    numbers = {milestone.submission_number for milestone in found if milestone.submission_number}
    submissions = dict(
        session.execute(select(Message.number, Message.id).where(Message.number.in_(numbers))).all()
    )
    return [
        _out(contract, role, milestone, submissions.get(milestone.submission_number or 0))
        for milestone in found
    ]


def _out(contract: Contract, role: Role, milestone: Milestone, submission: str | None) -> MilestoneOut:
    return MilestoneOut(
        id=milestone.id,
        position=milestone.position,
        title=milestone.title,
        description=milestone.description,
        amount_cents=milestone.amount_cents if sees_money(role) else None,
        due_date=milestone.due_date,
        status=milestone.status,
        submission_message_id=submission,
        updated_at=milestone.updated_at,
        actions=milestone_actions(role, contract.status, milestone.status),
    )


def request_out(contract: Contract, role: Role, request: MilestoneRequest) -> RequestOut:
    return RequestOut(
        id=request.id,
        milestone_id=request.milestone_id,
        title=request.title,
        amount_cents=request.amount_cents if sees_money(role) else None,
        due_date=request.due_date,
        note=request.note,
        status=request.status,
        created_at=request.created_at,
        decided_at=request.decided_at,
        actions=request_actions(role, contract.status, request.status),
    )


@router.get("/contracts/{contract_id}/milestones", responses=CONTRACT_REFUSALS)
def list_milestones(contract_id: ContractId, context: Service, user: CurrentUser) -> list[MilestoneOut]:
    """The contract's milestones in order (none for an hourly contract)."""
    with context.database.reading() as session:
        contract, role = party_contract(session, user, contract_id)
        return milestones_out(session, contract, role)


@router.get("/contracts/{contract_id}/milestone-requests", responses=CONTRACT_REFUSALS)
def list_requests(contract_id: ContractId, context: Service, user: CurrentUser) -> list[RequestOut]:
    """The freelancer's requests to add or change milestones, the latest first."""
    with context.database.reading() as session:
        contract, role = party_contract(session, user, contract_id)
        return requests_out(session, contract, role)


def requests_out(session: Session, contract: Contract, role: Role) -> list[RequestOut]:
    """The contract's milestone requests, the latest first, as the viewer sees them."""
    found = session.scalars(
        select(MilestoneRequest)
        .where(MilestoneRequest.contract_id == contract.id)
        .order_by(MilestoneRequest.created_at.desc(), MilestoneRequest.id)
    )
    return [request_out(contract, role, request) for request in found]


def _change_milestone(
    context: ServiceContext,
    token: str,
    contract_id: str,
    milestone_id: str,
    change: Callable[..., object],
    *sent: BaseModel,
) -> MilestoneOut:
    """``change(session, contract, role, user, milestone, *sent, now)`` in one unit of work; the
    milestone as it is then."""
    with context.writing_as(token) as (session, user):
        contract, role = party_contract(session, user, contract_id)
        milestone = milestones.milestone_of(session, contract, milestone_id)
        change(session, contract, role, user, milestone, *sent, context.clock.now())
        return _milestone_out(session, contract, role, milestone)


MILESTONE_404 = refusals({404: "no contract of yours has this id, or it has no such milestone"})


@router.put(
    "/contracts/{contract_id}/milestones/{milestone_id}",
    max_body_size=MAX_JSON_BYTES,
    responses=action_refusals("not an active fixed-price contract, or the id is taken"),
)
def add_milestone(
    contract_id: ContractId,
    milestone_id: MilestoneId,
    body: MilestoneDraft,
    context: Service,
    token: BearerToken,
) -> MilestoneOut:
    """The client adds a milestone, made with the id ``milestone_id``: proposed, to fund. A replay
    answers it as first made."""
    with context.writing_as(token) as (session, user):
        contract, role = party_contract(session, user, contract_id)
        made = milestones.add(session, contract, role, user, milestone_id, body, context.clock.now())
        return _milestone_out(session, contract, role, made)


@router.post(
    "/contracts/{contract_id}/milestones/{milestone_id}/fund",
    responses=action_refusals("not a proposed milestone of an active contract", body=False) | MILESTONE_404,
)
def fund(
    contract_id: ContractId, milestone_id: MilestoneId, context: Service, token: BearerToken
) -> MilestoneOut:
    """The client funds a proposed milestone: its amount goes into escrow."""
    return _change_milestone(context, token, contract_id, milestone_id, milestones.fund)


@router.post(
    "/contracts/{contract_id}/milestones/{milestone_id}/submit",
    max_body_size=MAX_JSON_BYTES,
    responses=action_refusals(
        "not a funded milestone (or one with changes requested), or the message id is taken"
    )
    | MILESTONE_404,
)
def submit(
    contract_id: ContractId,
    milestone_id: MilestoneId,
    body: milestones.SubmissionIn,
    context: Service,
    token: BearerToken,
) -> MilestoneOut:
    """The freelancer (or agency member) submits work for payment: a message of the thread with its
    files (uploaded first with PUT /files/{sha256})."""
    return _change_milestone(context, token, contract_id, milestone_id, milestones.submit, body)


@router.post(
    "/contracts/{contract_id}/milestones/{milestone_id}/approve",
    responses=action_refusals("not a submitted milestone", body=False) | MILESTONE_404,
)
def approve(
    contract_id: ContractId, milestone_id: MilestoneId, context: Service, token: BearerToken
) -> MilestoneOut:
    """The client approves the submitted work: the milestone is paid (a MILESTONE transaction)."""
    return _change_milestone(context, token, contract_id, milestone_id, milestones.approve)


@router.post(
    "/contracts/{contract_id}/milestones/{milestone_id}/request-changes",
    max_body_size=MAX_JSON_BYTES,
    responses=action_refusals("not a submitted milestone, or the message id is taken") | MILESTONE_404,
)
def request_changes(
    contract_id: ContractId,
    milestone_id: MilestoneId,
    body: milestones.ChangesIn,
    context: Service,
    token: BearerToken,
) -> MilestoneOut:
    """The client asks for changes to the submitted work, saying what in a message of the thread."""
    return _change_milestone(context, token, contract_id, milestone_id, milestones.request_changes, body)


@router.put(
    "/contracts/{contract_id}/milestone-requests/{request_id}",
    max_body_size=MAX_JSON_BYTES,
    responses=action_refusals(
        "not an active fixed-price contract, the milestone is paid, or its funded amount"
    )
    | MILESTONE_404,
)
def make_request(
    contract_id: ContractId,
    request_id: RequestId,
    body: milestones.RequestIn,
    context: Service,
    token: BearerToken,
) -> RequestOut:
    """The freelancer asks to add a milestone, or to change one (``milestone_id``), made with the id
    ``request_id``: it waits for the client's yes. A replay answers it as first made."""
    with context.writing_as(token) as (session, user):
        contract, role = party_contract(session, user, contract_id)
        made = milestones.make_request(session, contract, role, user, request_id, body, context.clock.now())
        return request_out(contract, role, made)


def _decision_route(path: str, decision: RequestStatus, doc: str) -> None:
    def decide(
        contract_id: ContractId, request_id: RequestId, context: Service, token: BearerToken
    ) -> RequestOut:
        with context.writing_as(token) as (session, user):
            contract, role = party_contract(session, user, contract_id)
            request = milestones.request_of(session, contract, request_id)
            milestones.decide(session, contract, role, user, request, decision, context.clock.now())
            return request_out(contract, role, request)

    decide.__doc__ = doc
    router.post(
        f"/contracts/{{contract_id}}/milestone-requests/{{request_id}}/{path}",
        name=f"{path}_milestone_request",
        responses=action_refusals(
            "not a pending request of an active contract, or the change no longer applies", body=False
        )
        | refusals({404: "no contract of yours has this id, or it has no such request"}),
    )(decide)


_decision_route(
    "accept",
    RequestStatus.ACCEPTED,
    "The client accepts the request: a new milestone (proposed; its id the UUID5 of the request's "
    "in the URL namespace), or the change made.",
)
_decision_route("decline", RequestStatus.DECLINED, "The client declines the request.")
