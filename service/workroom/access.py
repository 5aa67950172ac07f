"""Who sees a contract, and as what: only its two parties do; anyone else is told it does not exist."""

from __future__ import annotations

from sqlalchemy.orm import Session

from common.states import Role
from service.errors import NotFound
from service.models import Contract, User


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
    exist, so that ids cannot be probed."""
    contract = session.get(Contract, contract_id)
    role = None if contract is None else viewer_role(contract, user)
    if contract is None or role is None:
        raise NotFound(f"There is no contract {contract_id} among yours.")
    return contract, role


def sees_money(role: Role) -> bool:
    """Agency members see hours, never money: no rate, earnings, invoices or transactions."""
    return role != Role.AGENCY_MEMBER
