"""Who sees a contract, and as what: only its two parties do; anyone else is told it does not exist."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from common.states import Role
from service.database import writes
from service.errors import NotFound
from service.models import Contract, User

# FOR NO KEY UPDATE: the rows that refer to the contract (a page of blocks) are still written meanwhile.
HOLD: dict[str, Any] = {"key_share": True}


def viewer_role(contract: Contract, user: User) -> Role | None:
    """The user's role on the contract: its freelancer works as an agency member on a contract an
    agency bills; None for anyone who is not a party."""
    if user.id == contract.client_id:
        return Role.CLIENT
    if user.id == contract.freelancer_id:
        return Role.AGENCY_MEMBER if contract.agency_member else Role.FREELANCER
    return None


def party_role(contract: Contract, user: User) -> Role:
    """The role of a user known to be a party (one of their own contracts)."""
    role = viewer_role(contract, user)
    assert role is not None, "not a party to the contract"
    return role


def party_contract(session: Session, user: User, contract_id: str) -> tuple[Contract, Role]:
    """The contract and the user's role on it; 404 for anyone else, as for a contract that does not
    exist, so that ids cannot be probed. In a unit of work that writes, the contract is held from
    here on (``hold_contract``)."""
    contract = session.get(Contract, contract_id, with_for_update=HOLD if writes(session) else None)
    role = None if contract is None else viewer_role(contract, user)
    if contract is None or role is None:
        raise NotFound(f"There is no contract {contract_id} among yours.")
    return contract, role


def hold_contract(session: Session, contract_id: str) -> None:
    """Hold the contract's row until the unit of work ends (on PostgreSQL; SQLite's writers are one
    at a time already), so that one unit of work at a time writes to a contract:
    - its thread's messages are numbered in the order they commit, so that a reader's cursor (the
      newest number it has) never passes a message still to come;
    - the two parties' changes, such as an accept and a withdrawal, are made one after the other,
      each on the state the other left.

    Taken first by a request (``party_contract``), before its other locks, so that two requests
    never hold what the other waits for; taken again (no wait) before a message is written."""
    session.execute(select(Contract.id).where(Contract.id == contract_id).with_for_update(**HOLD))


def hold_free_contracts(session: Session, contract_ids: Iterable[str] | Select[Any]) -> list[Contract]:
    """Hold those of the contracts that no other unit of work holds, and answer them: for work that
    can wait for its next run (the scheduled work). It never waits, so it may hold many at once."""
    query = select(Contract).where(Contract.id.in_(contract_ids)).order_by(Contract.id)
    return list(session.scalars(query.with_for_update(skip_locked=True, **HOLD)))


def sees_money(role: Role) -> bool:
    """Agency members see hours, never money: no rate, earnings, invoices or transactions."""
    return role != Role.AGENCY_MEMBER
