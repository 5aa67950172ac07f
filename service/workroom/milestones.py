"""A fixed-price contract's milestones: proposed → funded (the client's money in escrow) → submitted
(the freelancer's message and files) → paid on the client's approval, or changes requested →
submitted again. A freelancer's request to add or change a milestone waits for the client's yes.

Funding writes nothing in the ledger: the amount in escrow is still the client's, and the ledger
tells what reached the freelancer. The approval writes the MILESTONE entry, paid.

Each transition is an event with its line in the thread (without amounts: agency members read the
thread); each is refused unless on the viewer's menu for that milestone or request now. A replay of
a transition answers success when the milestone's latest transition is that same one by the same
user; a request's decision, when the request was decided so.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.states import (
    Action,
    EventKind,
    MessageKind,
    MilestoneStatus,
    RequestStatus,
    Role,
    TransactionStatus,
    TransactionType,
)
from service.errors import Conflict, NotFound
from service.models import Contract, ContractEvent, Message, Milestone, MilestoneRequest, Transaction, User
from service.schemas import Day, Id, NoNul
from service.workroom import ledger
from service.workroom.actions import milestone_actions, request_actions, require
from service.workroom.events import record_event
from service.workroom.life import LongText, MilestoneDraft, Title, new_milestone, require_now
from service.workroom.thread import FileRef, post_message

MILESTONE_EVENTS = (
    EventKind.MILESTONE_ADDED,
    EventKind.MILESTONE_FUNDED,
    EventKind.WORK_SUBMITTED,
    EventKind.CHANGES_REQUESTED,
    EventKind.MILESTONE_APPROVED,
)
IN_ESCROW = (MilestoneStatus.FUNDED, MilestoneStatus.SUBMITTED, MilestoneStatus.CHANGES_REQUESTED)


class FileIn(BaseModel):
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    name: Annotated[str, Field(min_length=1, max_length=255), NoNul]
    content_type: Annotated[str, Field(min_length=3, max_length=127), NoNul] = "application/octet-stream"


class SubmissionIn(BaseModel):
    """Work submitted for payment: a message of the thread (made with its own id) with its files."""

    message_id: Id
    text: LongText = ""
    files: Annotated[list[FileIn], Field(max_length=20)] = []


class ChangesIn(BaseModel):
    """The client's request for changes: a message of the thread saying what to change."""

    message_id: Id
    text: Annotated[str, Field(min_length=1, max_length=20_000), NoNul]


class RequestIn(BaseModel):
    """A freelancer's request to add a milestone (no ``milestone_id``) or change one."""

    milestone_id: Id | None = None
    title: Title
    amount_cents: Annotated[int, Field(ge=1, le=10**12)]
    due_date: Day | None = None
    note: LongText = ""


def milestone_of(session: Session, contract: Contract, milestone_id: str) -> Milestone:
    milestone = session.get(Milestone, milestone_id)
    if milestone is None or milestone.contract_id != contract.id:
        raise NotFound(f"There is no milestone {milestone_id} on this contract.")
    return milestone


def request_of(session: Session, contract: Contract, request_id: str) -> MilestoneRequest:
    request = session.get(MilestoneRequest, request_id)
    if request is None or request.contract_id != contract.id:
        raise NotFound(f"There is no milestone request {request_id} on this contract.")
    return request


def _is_replay(session: Session, milestone: Milestone, kind: EventKind, user: User) -> bool:
    """Whether the milestone's latest transition is ``kind`` by ``user``."""
    events = session.scalars(
        select(ContractEvent)
        .where(ContractEvent.contract_id == milestone.contract_id, ContractEvent.kind.in_(MILESTONE_EVENTS))
        .order_by(ContractEvent.number.desc())
    )
    last = next((event for event in events if event.data.get("milestone_id") == milestone.id), None)
    return last is not None and last.kind == kind and last.actor_id == user.id


def _require(milestone: Milestone, contract: Contract, role: Role, action: Action) -> None:
    require(action, role, milestone_actions(role, contract.status, milestone.status))


def _record(
    session: Session,
    contract: Contract,
    user: User,
    kind: EventKind,
    milestone: Milestone,
    now: datetime,
    line: str,
) -> None:
    milestone.updated_at = now
    record_event(session, contract, user, kind, now, f"{user.name} {line}", milestone_id=milestone.id)


def add(
    session: Session,
    contract: Contract,
    role: Role,
    user: User,
    milestone_id: str,
    drafted: MilestoneDraft,
    now: datetime,
) -> Milestone:
    """The client's new milestone, proposed; the same id again answers it as first made."""
    made = session.get(Milestone, milestone_id)
    if made is not None:
        if made.contract_id != contract.id:
            raise Conflict(f"The milestone id {milestone_id} is taken: make a new one.")
        return made
    require_now(session, contract, role, user, Action.ADD_MILESTONE, now)
    milestone = _append(session, contract, milestone_id, drafted, now)
    _record(
        session,
        contract,
        user,
        EventKind.MILESTONE_ADDED,
        milestone,
        now,
        f"added the milestone “{drafted.title}”.",
    )
    return milestone


def _append(
    session: Session, contract: Contract, milestone_id: str, drafted: MilestoneDraft, now: datetime
) -> Milestone:
    last = session.scalar(select(func.max(Milestone.position)).where(Milestone.contract_id == contract.id))
    milestone = new_milestone(contract, milestone_id, 0 if last is None else last + 1, drafted, now)
    session.add(milestone)
    session.flush()
    return milestone


def fund(
    session: Session, contract: Contract, role: Role, user: User, milestone: Milestone, now: datetime
) -> None:
    if _is_replay(session, milestone, EventKind.MILESTONE_FUNDED, user):
        return
    _require(milestone, contract, role, Action.FUND_MILESTONE)
    milestone.status = MilestoneStatus.FUNDED
    _record(
        session,
        contract,
        user,
        EventKind.MILESTONE_FUNDED,
        milestone,
        now,
        f"funded the milestone “{milestone.title}”.",
    )


def submit(
    session: Session,
    contract: Contract,
    role: Role,
    user: User,
    milestone: Milestone,
    sent: SubmissionIn,
    now: datetime,
) -> None:
    """The freelancer's (or agency member's) work: a SUBMISSION message with its files."""
    submitted = session.scalars(select(Message).where(Message.id == sent.message_id)).one_or_none()
    if submitted is not None and submitted.number == milestone.submission_number:
        return  # a replay
    _require(milestone, contract, role, Action.SUBMIT_WORK)
    files: Sequence[FileRef] = [FileRef(f.sha256, f.name, f.content_type) for f in sent.files]
    message, _new = post_message(
        session, contract, user, sent.message_id, MessageKind.SUBMISSION, sent.text, files, now
    )
    milestone.submission_number = message.number
    milestone.status = MilestoneStatus.SUBMITTED
    _record(
        session,
        contract,
        user,
        EventKind.WORK_SUBMITTED,
        milestone,
        now,
        f"submitted work for “{milestone.title}”.",
    )


def approve(
    session: Session, contract: Contract, role: Role, user: User, milestone: Milestone, now: datetime
) -> None:
    """The client approves the work: the amount in escrow is released, a paid MILESTONE entry."""
    if _is_replay(session, milestone, EventKind.MILESTONE_APPROVED, user):
        return
    _require(milestone, contract, role, Action.APPROVE_MILESTONE)
    milestone.status = MilestoneStatus.PAID
    ledger.add_transaction(
        session,
        Transaction(
            id=str(uuid.uuid4()),
            contract_id=contract.id,
            type=TransactionType.MILESTONE,
            status=TransactionStatus.PAID,
            description=f"Milestone “{milestone.title}”",
            amount_cents=milestone.amount_cents,
            currency=contract.currency,
            created_at=now,
            created_by_id=user.id,
            milestone_id=milestone.id,
            paid_at=now,
        ),
    )
    _record(
        session,
        contract,
        user,
        EventKind.MILESTONE_APPROVED,
        milestone,
        now,
        f"approved “{milestone.title}”: its payment is released.",
    )


def request_changes(
    session: Session,
    contract: Contract,
    role: Role,
    user: User,
    milestone: Milestone,
    sent: ChangesIn,
    now: datetime,
) -> None:
    """The client asks for changes to the work submitted, in a message of the thread."""
    if _is_replay(session, milestone, EventKind.CHANGES_REQUESTED, user):
        return
    _require(milestone, contract, role, Action.REQUEST_CHANGES)
    post_message(session, contract, user, sent.message_id, MessageKind.TEXT, sent.text, (), now)
    milestone.status = MilestoneStatus.CHANGES_REQUESTED
    _record(
        session,
        contract,
        user,
        EventKind.CHANGES_REQUESTED,
        milestone,
        now,
        f"asked for changes to “{milestone.title}”.",
    )


def make_request(
    session: Session,
    contract: Contract,
    role: Role,
    user: User,
    request_id: str,
    sent: RequestIn,
    now: datetime,
) -> MilestoneRequest:
    """A freelancer's request to add or change a milestone; the same id again answers it as first made."""
    made = session.get(MilestoneRequest, request_id)
    if made is not None:
        if made.contract_id != contract.id or made.requested_by_id != user.id:
            raise Conflict(f"The request id {request_id} is taken: make a new one.")
        return made
    if sent.milestone_id is None:
        require_now(session, contract, role, user, Action.REQUEST_MILESTONE, now)
        line = f"asked to add the milestone “{sent.title}”."
    else:
        milestone = milestone_of(session, contract, sent.milestone_id)
        _require(milestone, contract, role, Action.REQUEST_MILESTONE)
        _check_change(milestone, sent.amount_cents)
        line = f"asked to change the milestone “{milestone.title}”."
    request = MilestoneRequest(
        id=request_id,
        contract_id=contract.id,
        milestone_id=sent.milestone_id,
        title=sent.title,
        amount_cents=sent.amount_cents,
        due_date=sent.due_date,
        note=sent.note,
        status=RequestStatus.PENDING,
        requested_by_id=user.id,
        created_at=now,
    )
    session.add(request)
    session.flush()
    record_event(
        session,
        contract,
        user,
        EventKind.MILESTONE_REQUESTED,
        now,
        f"{user.name} {line}",
        request_id=request_id,
    )
    return request


def _check_change(milestone: Milestone, amount_cents: int) -> None:
    """A paid milestone never changes; one in escrow keeps its amount (what the client funded)."""
    if milestone.status == MilestoneStatus.PAID:
        raise Conflict(f"The milestone “{milestone.title}” is paid: it cannot change any more.")
    if milestone.status in IN_ESCROW and amount_cents != milestone.amount_cents:
        raise Conflict(
            f"The milestone “{milestone.title}” is funded: its amount cannot change. "
            "Ask for a new milestone for more."
        )


def decide(
    session: Session,
    contract: Contract,
    role: Role,
    user: User,
    request: MilestoneRequest,
    decision: RequestStatus,
    now: datetime,
) -> Milestone | None:
    """The client's yes (a new milestone, proposed, or the change applied) or no; the milestone
    added or changed."""
    if request.status == decision:
        return None  # a replay
    require(Action.DECIDE_MILESTONE_REQUEST, role, request_actions(role, contract.status, request.status))
    milestone = None
    if decision == RequestStatus.ACCEPTED:
        drafted = MilestoneDraft(
            title=request.title, amount_cents=request.amount_cents, due_date=request.due_date
        )
        if request.milestone_id is None:
            # Its id follows from the request's, so that the milestone is known to both sides at once.
            milestone = _append(
                session, contract, str(uuid.uuid5(uuid.NAMESPACE_URL, request.id)), drafted, now
            )
        else:
            milestone = milestone_of(session, contract, request.milestone_id)
            _check_change(milestone, request.amount_cents)
            milestone.title, milestone.amount_cents = request.title, request.amount_cents
            milestone.due_date = request.due_date
            milestone.updated_at = now
    request.status = decision
    request.decided_at = now
    words = "accepted" if decision == RequestStatus.ACCEPTED else "declined"
    record_event(
        session,
        contract,
        user,
        EventKind.MILESTONE_REQUEST_DECIDED,
        now,
        f"{user.name} {words} the request about the milestone “{request.title}”.",
        request_id=request.id,
        decision=decision,
    )
    return milestone
