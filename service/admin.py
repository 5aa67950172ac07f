"""Creating users and contracts: the admin command line's work, also used by the tests."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.contract import term_defaults
from common.states import FREELANCER_ROLES, ContractKind, ContractStatus, Role
from service.auth import SCRYPT_N, hash_password
from service.models import Contract, User
from service.workroom.terms import first_terms

MIN_PASSWORD_CHARS = 8


class AdminError(Exception):
    """A request of the admin that cannot be done, with what to do instead."""


def create_user(
    session: Session,
    email: str,
    name: str,
    role: str,
    password: str,
    now: datetime,
    password_cost: int = SCRYPT_N,
) -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise AdminError(f"“{email}” is not an email address.")
    if role not in list(Role):
        raise AdminError(f"The role must be one of {', '.join(Role)}, not “{role}”.")
    if len(password) < MIN_PASSWORD_CHARS:
        raise AdminError(f"The password needs at least {MIN_PASSWORD_CHARS} characters.")
    if find_user(session, email) is not None:
        raise AdminError(f"There is already a user {email}.")
    user = User(
        id=str(uuid.uuid4()),
        email=email,
        name=name.strip() or email,
        role=role,
        password_hash=hash_password(password, password_cost),
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == email.strip().lower())).one_or_none()


DEFAULT_RATE_CENTS = 4500  # a new contract's rate unless the admin gives one


def create_contract(
    session: Session,
    freelancer_email: str,
    client_email: str,
    started_at: datetime,
    **terms: Any,
) -> Contract:
    """A contract with these terms (``common.contract.ContractColumns``): a title, and those that
    differ from the defaults."""
    freelancer = _user_in_role(session, freelancer_email, FREELANCER_ROLES, "freelancer")
    client = _user_in_role(session, client_email, (Role.CLIENT,), "client")
    terms = term_defaults() | {"hourly_rate_cents": DEFAULT_RATE_CENTS} | terms
    if not terms.get("title", "").strip():
        raise AdminError("A contract needs a title.")
    if terms["kind"] not in list(ContractKind) or terms["status"] not in list(ContractStatus):
        raise AdminError(f"The kind is {_one_of(ContractKind)}; the status {_one_of(ContractStatus)}.")
    if (
        terms["hourly_rate_cents"] < 0
        or terms["grace_hours"] < 0
        or (terms.get("weekly_limit_minutes") or 0) < 0
    ):
        raise AdminError("The rate, the weekly limit and the grace hours cannot be negative.")
    if len(terms["currency"]) != 3 or not terms["currency"].isalpha():
        raise AdminError(f"“{terms['currency']}” is not a currency code such as USD or EUR.")
    contract = Contract(
        id=str(uuid.uuid4()),
        freelancer_id=freelancer.id,
        client_id=client.id,
        started_at=started_at,
        offered_by_id=client.id,
        offered_at=started_at,
        answered_at=None if terms["status"] == ContractStatus.OFFERED else started_at,
        **{**terms, "currency": terms["currency"].upper()},
    )
    session.add(contract)
    session.flush()
    first_terms(session, contract, client, started_at)
    return contract


def _one_of(states: type[StrEnum]) -> str:
    """'active, paused or ended'"""
    *others, last = states
    return f"{', '.join(others)} or {last}"


def _user_in_role(session: Session, email: str, roles: tuple[Role, ...], what: str) -> User:
    user = find_user(session, email)
    if user is None:
        raise AdminError(f"There is no user {email}: create it first (create-user).")
    if user.role not in roles:
        raise AdminError(f"{email} is a {user.role}, not a {what}.")
    return user
