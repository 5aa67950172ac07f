"""The "…" menu as data: the actions a viewer may take on a contract now, from their role, the
contract's status and kind, its milestones and invoices, and the dates. The service answers the
list with the contract (and each milestone's and invoice's own with them), and every action
endpoint calls ``require`` with the same list: nothing is offered that would be refused, nothing
refused that was offered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from common.states import (
    Action,
    ContractKind,
    ContractStatus,
    MilestoneStatus,
    RequestStatus,
    Role,
    TransactionStatus,
    TransactionType,
)
from service.errors import Conflict, Forbidden

FEEDBACK_PERIOD = timedelta(days=14)
LIVE = (ContractStatus.ACTIVE, ContractStatus.PAUSED)
_EITHER_PARTY = {Action.ACCEPT_OFFER, Action.DECLINE_OFFER, Action.WITHDRAW_OFFER, Action.LEAVE_FEEDBACK}
# What each role may ever do: asking for anything else is forbidden (403) rather than "not now" (409).
ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.CLIENT: frozenset(
        {
            *_EITHER_PARTY,
            Action.PAUSE,
            Action.RESUME,
            Action.CHANGE_TERMS,
            Action.ADD_MILESTONE,
            Action.FUND_MILESTONE,
            Action.APPROVE_MILESTONE,
            Action.REQUEST_CHANGES,
            Action.DECIDE_MILESTONE_REQUEST,
            Action.GIVE_BONUS,
            Action.DISPUTE_INVOICE,
            Action.END_CONTRACT,
        }
    ),
    Role.FREELANCER: frozenset(
        {
            *_EITHER_PARTY,
            Action.PROPOSE_CONTRACT,
            Action.GIVE_REFUND,
            Action.SUBMIT_WORK,
            Action.REQUEST_MILESTONE,
            Action.END_CONTRACT,
        }
    ),
    # The agency decides the contract and its money; its member does the work.
    Role.AGENCY_MEMBER: frozenset({*_EITHER_PARTY, Action.SUBMIT_WORK}),
}


@dataclass(frozen=True)
class ContractFacts:
    """What a contract's menu depends on, read once (``service.workroom.menu``)."""

    role: Role
    status: ContractStatus
    kind: ContractKind
    offered_by_viewer: bool
    ended_at: datetime | None
    now: datetime
    feedback_left: bool  # by the viewer
    refundable_cents: int  # what the client paid on the contract, minus earlier refunds


def contract_actions(facts: ContractFacts) -> list[Action]:
    """The contract-level actions (the menu holds these and those of its milestones and invoices)."""
    role, status = facts.role, facts.status
    actions: list[Action] = []
    if status == ContractStatus.OFFERED:
        if facts.offered_by_viewer:
            actions.append(Action.WITHDRAW_OFFER)
        else:
            actions += [Action.ACCEPT_OFFER, Action.DECLINE_OFFER]
        return actions
    hourly = facts.kind == ContractKind.HOURLY
    if role == Role.CLIENT and status in LIVE:
        actions.append(Action.PAUSE if status == ContractStatus.ACTIVE else Action.RESUME)
        if hourly:
            actions.append(Action.CHANGE_TERMS)
        elif status == ContractStatus.ACTIVE:
            actions.append(Action.ADD_MILESTONE)
        actions += [Action.GIVE_BONUS, Action.END_CONTRACT]
    if role == Role.FREELANCER and status in (*LIVE, ContractStatus.ENDED):
        actions.append(Action.PROPOSE_CONTRACT)
        if facts.refundable_cents > 0:
            actions.append(Action.GIVE_REFUND)
        if status == ContractStatus.ACTIVE and not hourly:
            actions.append(Action.REQUEST_MILESTONE)
        if status in LIVE:
            actions.append(Action.END_CONTRACT)
    if (
        status == ContractStatus.ENDED
        and facts.ended_at is not None
        and facts.now < facts.ended_at + FEEDBACK_PERIOD
        and not facts.feedback_left
    ):
        actions.append(Action.LEAVE_FEEDBACK)
    return actions


def milestone_actions(role: Role, status: ContractStatus, milestone: MilestoneStatus) -> list[Action]:
    """What the viewer may do on one milestone of a fixed-price contract."""
    if status != ContractStatus.ACTIVE:
        return []
    if role == Role.CLIENT:
        return {
            MilestoneStatus.PROPOSED: [Action.FUND_MILESTONE],
            MilestoneStatus.SUBMITTED: [Action.APPROVE_MILESTONE, Action.REQUEST_CHANGES],
        }.get(milestone, [])
    actions = []
    if milestone in (MilestoneStatus.FUNDED, MilestoneStatus.CHANGES_REQUESTED):
        actions.append(Action.SUBMIT_WORK)
    if role == Role.FREELANCER and milestone != MilestoneStatus.PAID:
        actions.append(Action.REQUEST_MILESTONE)  # a change to this one
    return actions


def request_actions(role: Role, status: ContractStatus, request: RequestStatus) -> list[Action]:
    """What the viewer may do on a freelancer's pending request to add or change a milestone."""
    if role == Role.CLIENT and status == ContractStatus.ACTIVE and request == RequestStatus.PENDING:
        return [Action.DECIDE_MILESTONE_REQUEST]
    return []


def transaction_actions(
    role: Role,
    kind: TransactionType,
    status: TransactionStatus,
    review_until: datetime | None,
    now: datetime,
) -> list[Action]:
    """What the viewer may do on one transaction: the client disputes an hourly invoice in its review."""
    if (
        role == Role.CLIENT
        and kind == TransactionType.HOURLY
        and status == TransactionStatus.PENDING
        and review_until is not None
        and now <= review_until
    ):
        return [Action.DISPUTE_INVOICE]
    return []


def menu(contract_level: list[Action], *of_objects: Iterable[Action]) -> list[Action]:
    """The "…" menu: the contract's actions and those of its milestones, requests and invoices, once
    each, in the order of ``Action``."""
    present = set(contract_level).union(*of_objects)
    return [action for action in Action if action in present]


def require(action: Action, role: Role, allowed: Iterable[Action], why_not: str = "") -> None:
    """Refuse an action that is not among the viewer's now: 403 when their role never may, else 409,
    saying so in words."""
    words = action.replace("_", " ")
    if action not in ROLE_ACTIONS[role]:
        raise Forbidden(f"A {role.replace('_', ' ')} cannot {words}.")
    if action not in allowed:
        raise Conflict(why_not or f"You cannot {words} on this contract now.")
