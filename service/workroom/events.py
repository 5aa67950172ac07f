"""Every change on a contract is an event (who, what, when): the contract's recent activity, a
system line in its thread, and an item of both parties' events feed (the app's notifications, the
web's live updates). Events that tell of money are kept from agency members."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import event as orm_events
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.states import EventKind, MessageKind, Role
from service.database import advisory_lock_key
from service.models import Contract, ContractEvent, Message, User
from service.workroom.access import hold_contract, sees_money

FEED_PAGE = 200  # events answered at most at once
_NUMBERED_AT_COMMIT = "events numbered again at commit"  # a key of Session.info


def record_event(
    session: Session,
    contract: Contract,
    actor: User | None,
    kind: EventKind,
    now: datetime,
    line: str | None,
    *,
    money: bool = False,
    **data: Any,
) -> ContractEvent:
    """Record a change; ``line``, when given, is also posted in the thread as the service's own
    message ("Cara paused the contract."); a line that tells of money is kept from an agency member
    (``Message.money``). ``data``: what the event is about (ids, amounts), as JSON."""
    event = ContractEvent(
        contract_id=contract.id,
        actor_id=actor.id if actor else None,
        kind=kind,
        data={**data, **({"line": line} if line else {})},
        money=money,
        created_at=now,
    )
    session.add(event)
    if line:
        hold_contract(session, contract.id)
        session.add(
            Message(
                id=str(uuid.uuid4()),
                contract_id=contract.id,
                author_id=None,
                kind=MessageKind.SYSTEM,
                body=line,
                created_at=now,
                money=money,
            )
        )
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        pending = session.info.setdefault(_NUMBERED_AT_COMMIT, [])
        pending.append(event)
        if not orm_events.contains(session, "before_commit", _number_in_commit_order):
            orm_events.listen(session, "before_commit", _number_in_commit_order)
    return event


def _number_in_commit_order(session: Session) -> None:
    """Numbers the transaction's events again as it commits, one committing transaction at a time
    (an advisory lock, held until the commit), so that the feed's numbers follow the commits. On
    PostgreSQL concurrent transactions take numbers in one order and may commit in another: a reader
    that saw a later number committed would move its cursor past an earlier one not yet committed,
    and never see that event. SQLite has one writer at a time already."""
    pending: list[ContractEvent] = session.info.pop(_NUMBERED_AT_COMMIT, [])
    if not pending:
        return
    # Everything else written first: once the lock is held, nothing may wait for another's row.
    session.flush()
    session.execute(select(func.pg_advisory_xact_lock(advisory_lock_key("the numbers of contract events"))))
    sequence = func.pg_get_serial_sequence(ContractEvent.__tablename__, "number")
    for recorded in pending:
        recorded.number = session.execute(select(func.nextval(sequence))).scalar_one()


def contract_events(session: Session, contract: Contract, role: Role, limit: int = 50) -> list[ContractEvent]:
    """The contract's recent activity as the viewer may see it, newest first."""
    query = (
        select(ContractEvent)
        # A message is its own line in the thread: it is an event of the feed only.
        .where(ContractEvent.contract_id == contract.id, ContractEvent.kind != EventKind.MESSAGE_POSTED)
        .order_by(ContractEvent.number.desc())
        .limit(limit)
    )
    if not sees_money(role):
        query = query.where(ContractEvent.money.is_(False))
    return list(session.scalars(query))


def events_after(session: Session, user: User, after: int, limit: int = FEED_PAGE) -> list[ContractEvent]:
    """The user's events feed: the events of every contract they are a party to, after the cursor
    ``after`` (an event's ``number``), oldest first; money events only where they see money."""
    party = (Contract.client_id == user.id) | (Contract.freelancer_id == user.id)
    # An agency member is the freelancer of a contract an agency bills (access.viewer_role).
    sees_money_here = (Contract.client_id == user.id) | Contract.agency_member.is_(False)
    return list(
        session.scalars(
            select(ContractEvent)
            .join(Contract, Contract.id == ContractEvent.contract_id)
            .where(ContractEvent.number > after, party, ContractEvent.money.is_(False) | sees_money_here)
            .order_by(ContractEvent.number)
            .limit(limit)
        )
    )
