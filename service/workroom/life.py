"""A contract's life: an offer (a client's to a freelancer, or a freelancer's proposal of a new
contract to a client they work with), its answer (accepted, declined, withdrawn), then pause,
resume, a change of terms (from the next work week) and the end. Each change is an event with its
line in the thread; each is refused unless it is on the viewer's menu now (``actions.require``).

A replay of an action answers success when the contract's latest change of status is that same
action by the same user; asked again after someone else changed the status, it is refused as any
action off the menu."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from common.states import (
    AGREED_STATUSES,
    FREELANCER_ROLES,
    Action,
    ContractKind,
    ContractStatus,
    EventKind,
    MilestoneStatus,
    Role,
)
from service.errors import Conflict, Forbidden, NotFound
from service.models import Contract, ContractEvent, Milestone, User
from service.schemas import Day, Id, NoNul, UTCTime
from service.workroom import terms
from service.workroom.access import viewer_role
from service.workroom.actions import contract_actions, require
from service.workroom.events import record_event
from service.workroom.menu import facts_for

STATUS_EVENTS = (
    EventKind.OFFERED,
    EventKind.ACCEPTED,
    EventKind.DECLINED,
    EventKind.WITHDRAWN,
    EventKind.PAUSED,
    EventKind.RESUMED,
    EventKind.ENDED,
)
MAX_CENTS = 10**12  # ten billion in any currency: more is a typo
Title = Annotated[str, Field(min_length=1, max_length=200), NoNul]
LongText = Annotated[str, Field(max_length=20_000), NoNul]
Cents = Annotated[int, Field(ge=0, le=MAX_CENTS)]
WeeklyLimit = Annotated[int | None, Field(ge=0, le=7 * 24 * 60, description="minutes a week; null: no limit")]


class MilestoneDraft(BaseModel):
    """A milestone as an offer or the client adds it."""

    title: Title
    description: LongText = ""
    amount_cents: Annotated[int, Field(ge=1, le=MAX_CENTS)]
    due_date: Day | None = None


class OfferedMilestone(MilestoneDraft):
    id: Id


class OfferIn(BaseModel):
    """An offer of a new contract: a client's to a freelancer, or a freelancer's proposal to a client
    they already have a contract with."""

    email: Annotated[str, Field(min_length=3, max_length=254), NoNul] = Field(
        description="the other party's: the freelancer's for a client's offer, the client's for a proposal"
    )
    title: Title
    description: LongText = Field("", description="the job post")
    proposal: LongText = Field("", description="a freelancer's proposal: their cover letter")
    kind: ContractKind = ContractKind.HOURLY
    started_at: UTCTime = Field(description="when the work starts")
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "USD"
    hourly_rate_cents: Cents = 0
    weekly_limit_minutes: WeeklyLimit = None
    manual_time_allowed: bool = True
    screenshots_enabled: bool = True
    milestones: Annotated[list[OfferedMilestone], Field(max_length=100)] = Field(
        [], description="a fixed-price contract's: its budget"
    )

    @model_validator(mode="after")
    def _terms_of_its_kind(self) -> OfferIn:
        if self.kind == ContractKind.HOURLY and self.milestones:
            raise ValueError("an hourly contract has no milestones")
        if self.kind == ContractKind.FIXED and not self.milestones:
            raise ValueError("a fixed-price offer has at least one milestone")
        if len({milestone.id for milestone in self.milestones}) != len(self.milestones):
            raise ValueError("each milestone has an id of its own")
        return self


class AcceptIn(BaseModel):
    proposal: LongText = Field(
        "", description="the freelancer's cover letter (a client accepting gives none)"
    )
    hourly_rate_cents: Cents | None = Field(
        None, description="the rate the freelancer agrees to: if given, it must be the offer's"
    )


class TermsIn(BaseModel):
    """The hourly terms to change from the next work week; those left out stay."""

    hourly_rate_cents: Cents | None = None
    weekly_limit_minutes: WeeklyLimit = None
    manual_time_allowed: bool | None = None

    def given(self) -> dict[str, Any]:
        """The terms the body names (a weekly limit given as null: no limit)."""
        return {name: getattr(self, name) for name in self.model_fields_set if name in terms.HOURLY_TERMS}

    @model_validator(mode="after")
    def _no_nulls_but_the_limit(self) -> TermsIn:
        if any(getattr(self, name) is None for name in self.model_fields_set - {"weekly_limit_minutes"}):
            raise ValueError("only the weekly limit may be null (no limit)")
        return self


def latest_change(session: Session, contract: Contract, kinds: tuple[EventKind, ...]) -> ContractEvent | None:
    return session.scalars(
        select(ContractEvent)
        .where(ContractEvent.contract_id == contract.id, ContractEvent.kind.in_(kinds))
        .order_by(ContractEvent.number.desc())
        .limit(1)
    ).one_or_none()


def is_replay(session: Session, contract: Contract, kind: EventKind, user: User) -> bool:
    """Whether the contract's latest change of status is ``kind`` by ``user``: asking again answers it."""
    last = latest_change(session, contract, STATUS_EVENTS)
    return last is not None and last.kind == kind and last.actor_id == user.id


def require_now(
    session: Session, contract: Contract, role: Role, user: User, action: Action, now: datetime
) -> None:
    require(action, role, contract_actions(facts_for(session, contract, role, user, now)))


def make_offer(session: Session, user: User, contract_id: str, offer: OfferIn, now: datetime) -> Contract:
    """The new contract, offered; a replay (the same id, by the same user) answers it as first made."""
    made = session.get(Contract, contract_id)
    if made is not None:
        if viewer_role(made, user) is None:  # as for any id of somebody else's contract
            raise NotFound(f"There is no contract {contract_id} among yours.")
        if made.offered_by_id != user.id:
            raise Conflict(f"The contract id {contract_id} is taken: make a new one for a new offer.")
        return made
    if user.role == Role.CLIENT:
        client, freelancer = user, _freelancer(session, offer.email)
    else:
        require(Action.PROPOSE_CONTRACT, user.role, [Action.PROPOSE_CONTRACT])
        client, freelancer = _client_worked_with(session, user, offer.email), user
    fixed = offer.kind == ContractKind.FIXED
    contract = Contract(
        id=contract_id,
        freelancer_id=freelancer.id,
        client_id=client.id,
        title=offer.title,
        description=offer.description,
        proposal=offer.proposal if user is freelancer else "",
        kind=offer.kind,
        status=ContractStatus.OFFERED,
        hourly_rate_cents=0 if fixed else offer.hourly_rate_cents,
        currency=offer.currency,
        weekly_limit_minutes=None if fixed else offer.weekly_limit_minutes,
        manual_time_allowed=offer.manual_time_allowed and not fixed,
        screenshots_enabled=offer.screenshots_enabled and not fixed,
        agency_member=freelancer.role == Role.AGENCY_MEMBER,
        started_at=offer.started_at,
        offered_by_id=user.id,
        offered_at=now,
    )
    session.add(contract)
    session.flush()
    for position, drafted in enumerate(offer.milestones):
        if session.get(Milestone, drafted.id) is not None:
            raise Conflict(f"The milestone id {drafted.id} is taken: make a new one.")
        session.add(new_milestone(contract, drafted.id, position, drafted, now))
    what = "offered the contract" if user is client else "proposed a new contract"
    record_event(session, contract, user, EventKind.OFFERED, now, f"{user.name} {what} “{offer.title}”.")
    return contract


def new_milestone(
    contract: Contract, milestone_id: str, position: int, drafted: MilestoneDraft, now: datetime
) -> Milestone:
    return Milestone(
        id=milestone_id,
        contract_id=contract.id,
        position=position,
        title=drafted.title,
        description=drafted.description,
        amount_cents=drafted.amount_cents,
        due_date=drafted.due_date,
        status=MilestoneStatus.PROPOSED,
        created_at=now,
        updated_at=now,
    )


def _freelancer(session: Session, email: str) -> User:
    """The freelancer a client offers a contract to. Saying that no freelancer has an email tells a
    client which emails are freelancers' (as a marketplace's search does): offers are made to people
    one knows, and sign-in's rate limit, not this, guards the accounts."""
    found = session.scalars(
        select(User).where(User.email == email.strip().lower(), User.role.in_(FREELANCER_ROLES))
    ).one_or_none()
    if found is None:
        raise NotFound(f"There is no freelancer with the email {email}.")
    return found


def _client_worked_with(session: Session, freelancer: User, email: str) -> User:
    """The client a freelancer proposes a new contract to: one they have (or had) a contract with."""
    client = session.scalars(
        select(User)
        .join(Contract, Contract.client_id == User.id)
        .where(
            User.email == email.strip().lower(),
            Contract.freelancer_id == freelancer.id,
            Contract.status.in_(AGREED_STATUSES),
        )
        .limit(1)
    ).one_or_none()
    if client is None:  # 409, not 404: no contract of the freelancer's allows it now
        raise Conflict(
            f"You have no contract with a client {email}: propose new contracts to clients you work with."
        )
    return client


def accept(
    session: Session, contract: Contract, role: Role, user: User, answer: AcceptIn, now: datetime
) -> None:
    if is_replay(session, contract, EventKind.ACCEPTED, user):
        return
    require_now(session, contract, role, user, Action.ACCEPT_OFFER, now)
    if role == Role.CLIENT and answer.proposal:
        raise Conflict("A client accepts without a proposal: write to the freelancer in the thread.")
    if answer.hourly_rate_cents is not None:
        if role != Role.FREELANCER:
            raise Forbidden("Only a freelancer agrees to a rate: an agency member's is the agency's.")
        if contract.kind == ContractKind.HOURLY and answer.hourly_rate_cents != contract.hourly_rate_cents:
            raise Conflict(
                "An offer is accepted at its own rate: decline it and ask for a new offer at another rate."
            )
    if role in FREELANCER_ROLES:
        contract.proposal = answer.proposal or contract.proposal
    contract.status = ContractStatus.ACTIVE
    contract.answered_at = now
    offerer = session.get(User, contract.offered_by_id)
    terms.first_terms(session, contract, offerer or user, now)
    record_event(session, contract, user, EventKind.ACCEPTED, now, f"{user.name} accepted the offer.")


# action → (the event it makes, the status it reaches, its line after the actor's name)
_CHANGES = {
    Action.DECLINE_OFFER: (EventKind.DECLINED, ContractStatus.DECLINED, "declined the offer."),
    Action.WITHDRAW_OFFER: (EventKind.WITHDRAWN, ContractStatus.WITHDRAWN, "withdrew the offer."),
    Action.PAUSE: (EventKind.PAUSED, ContractStatus.PAUSED, "paused the contract."),
    Action.RESUME: (EventKind.RESUMED, ContractStatus.ACTIVE, "resumed the contract."),
    Action.END_CONTRACT: (EventKind.ENDED, ContractStatus.ENDED, "ended the contract."),
}
CHANGES_OF_STATUS = tuple(_CHANGES)


def change_status(
    session: Session, contract: Contract, role: Role, user: User, action: Action, now: datetime
) -> None:
    """Decline or withdraw an offer; pause, resume or end a contract."""
    kind, status, line = _CHANGES[action]
    if is_replay(session, contract, kind, user):
        return
    require_now(session, contract, role, user, action, now)
    contract.status = status
    if action == Action.DECLINE_OFFER:
        contract.answered_at = now
    elif action == Action.END_CONTRACT:
        contract.ended_at = now
    record_event(session, contract, user, kind, now, f"{user.name} {line}")


def change_terms(
    session: Session, contract: Contract, role: Role, user: User, sent: TermsIn, now: datetime
) -> None:
    """Hourly terms from the next work week on; the week being worked keeps its own."""
    require_now(session, contract, role, user, Action.CHANGE_TERMS, now)
    effective_from = terms.next_week(now)
    base = terms.terms_of_week(session, contract.id, effective_from)
    before = {name: getattr(base or contract, name) for name in terms.HOURLY_TERMS}
    after = before | sent.given()
    if after == before:
        return  # a replay, or nothing new
    terms.record_terms(session, contract, effective_from, user, now, **after)
    changed = [name for name in terms.HOURLY_TERMS if after[name] != before[name]]
    record_event(
        session,
        contract,
        user,
        EventKind.TERMS_CHANGED,
        now,
        f"{user.name} changed the terms from {effective_from:%a %d %b %Y} (UTC): {_terms_words(changed)}.",
        money="hourly_rate_cents" in changed,
        effective_from=effective_from.isoformat(),
        **{name: after[name] for name in changed},
    )


def _terms_words(changed: list[str]) -> str:
    """The terms changed, without amounts (the line is in the thread, which agency members read)."""
    words = {
        "hourly_rate_cents": "the rate",
        "weekly_limit_minutes": "the weekly limit",
        "manual_time_allowed": "manual time",
    }
    return ", ".join(words[name] for name in changed)
