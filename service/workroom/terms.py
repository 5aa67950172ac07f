"""The hourly terms of each work week. A change of terms takes effect from the next work week (the
week being worked keeps the rate it was worked at): ``term_changes`` keeps every change with the
week it starts, so that a week's invoice uses that week's terms whenever it is issued, and the
contract's own columns are brought to the current week's terms when a week begins
(``apply_due_terms``, part of the service's scheduled work)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.timeutil import WEEK, week_start
from service.models import Contract, TermChange, User

HOURLY_TERMS = ("hourly_rate_cents", "weekly_limit_minutes", "manual_time_allowed")


def record_terms(
    session: Session, contract: Contract, effective_from: datetime, by: User, now: datetime, **terms: Any
) -> TermChange:
    """Hourly terms (``HOURLY_TERMS``; those not given stay as the contract has them) in effect from
    ``effective_from``, a Monday 00:00 UTC; a later change for the same week replaces the earlier."""
    change = session.scalars(
        select(TermChange).where(
            TermChange.contract_id == contract.id, TermChange.effective_from == effective_from
        )
    ).one_or_none()
    if change is None:
        change = TermChange(contract_id=contract.id, effective_from=effective_from)
        session.add(change)
    for name in HOURLY_TERMS:
        setattr(change, name, terms.get(name, getattr(contract, name)))
    change.made_by_id = by.id
    change.made_at = now
    session.flush()
    return change


def first_terms(session: Session, contract: Contract, by: User, now: datetime) -> TermChange:
    """The terms a contract starts with, from the work week of its start."""
    return record_terms(session, contract, week_start(contract.started_at), by, now)


def next_week(now: datetime) -> datetime:
    """When a change of terms made now takes effect."""
    return week_start(now) + WEEK


def terms_of_week(session: Session, contract_id: str, week: datetime) -> TermChange | None:
    """The terms the work week starting ``week`` is billed at (None before the contract's first)."""
    return session.scalars(
        select(TermChange)
        .where(TermChange.contract_id == contract_id, TermChange.effective_from <= week)
        .order_by(TermChange.effective_from.desc())
        .limit(1)
    ).one_or_none()


def apply_due_terms(session: Session, contract: Contract, now: datetime) -> bool:
    """Bring the contract's columns to the terms of the current week; whether they changed."""
    current = terms_of_week(session, contract.id, week_start(now))
    if current is None:
        return False
    changed = False
    for name in HOURLY_TERMS:
        if getattr(contract, name) != getattr(current, name):
            setattr(contract, name, getattr(current, name))
            changed = True
    return changed
