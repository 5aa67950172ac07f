"""What the workroom offers to do: the "…" menu's words, a fixed-price contract's milestone timeline
with its pending requests (Overview), and the one next step that fits the viewer now."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from common.actions import ACTION_LABELS
from common.states import Action, ContractKind, RequestStatus, Role
from service.api.routes.milestones import MilestoneOut, RequestOut, milestones_out, requests_out
from service.models import Contract
from service.web.pages import templates

# What the workroom says once an action is done (the page it lands on shows the result too).
DONE_LINES = {
    Action.ACCEPT_OFFER: "You accepted the offer: the contract is active.",
    Action.DECLINE_OFFER: "You declined the offer.",
    Action.WITHDRAW_OFFER: "You withdrew the offer.",
    Action.PAUSE: "The contract is paused.",
    Action.RESUME: "The contract is active again.",
    Action.CHANGE_TERMS: "The new terms take effect from the next work week.",
    Action.ADD_MILESTONE: "The milestone is added: fund it to start the work.",
    Action.FUND_MILESTONE: "The milestone is funded.",
    Action.APPROVE_MILESTONE: "The work is approved and its payment released.",
    Action.REQUEST_CHANGES: "Your request for changes is sent.",
    Action.DECIDE_MILESTONE_REQUEST: "The milestone request is answered.",
    Action.GIVE_BONUS: "The bonus is paid.",
    Action.DISPUTE_INVOICE: "The invoice is disputed.",
    Action.PROPOSE_CONTRACT: "Your proposal is sent: the contract starts when it is accepted.",
    Action.GIVE_REFUND: "The refund is paid.",
    Action.SUBMIT_WORK: "Your work is submitted for payment.",
    Action.REQUEST_MILESTONE: "Your request is sent: it waits for the client's answer.",
    Action.END_CONTRACT: "The contract has ended.",
    Action.LEAVE_FEEDBACK: "Thank you: your feedback is left.",
}
templates.env.globals["action_labels"] = ACTION_LABELS
templates.env.globals["done_lines"] = DONE_LINES

# The one next step, the first that is the viewer's now: contract-level ones first, then a
# milestone's, then a request's.
_CONTRACT_STEPS = (Action.ACCEPT_OFFER, Action.LEAVE_FEEDBACK, Action.RESUME)
_MILESTONE_STEPS = (Action.SUBMIT_WORK, Action.APPROVE_MILESTONE, Action.FUND_MILESTONE)


@dataclass(frozen=True)
class NextStep:
    action: Action
    label: str
    target: str | None = None  # the milestone or request it is about


def timeline(session: Session, contract: Contract, role: Role, actions: list[Action]) -> dict[str, Any]:
    """The Overview's milestones (fixed-price), pending milestone requests and next step; ``actions``:
    the viewer's menu."""
    milestones: list[MilestoneOut] = []
    pending: list[RequestOut] = []
    if contract.kind == ContractKind.FIXED:
        milestones = milestones_out(session, contract, role)
        pending = [
            request
            for request in requests_out(session, contract, role)
            if request.status == RequestStatus.PENDING
        ]
    return {
        "milestones": milestones,
        "milestone_requests": pending,
        "next_step": next_step(actions, milestones, pending),
    }


def next_step(
    actions: list[Action], milestones: list[MilestoneOut], pending: list[RequestOut]
) -> NextStep | None:
    for action in _CONTRACT_STEPS:
        if action in actions:
            return NextStep(action, ACTION_LABELS[action])
    for milestone in milestones:
        for action in _MILESTONE_STEPS:
            if action in milestone.actions:
                return NextStep(action, f"{ACTION_LABELS[action]}: {milestone.title}", milestone.id)
    for request in pending:
        if Action.DECIDE_MILESTONE_REQUEST in request.actions:
            label = f"{ACTION_LABELS[Action.DECIDE_MILESTONE_REQUEST]}: {request.title}"
            return NextStep(Action.DECIDE_MILESTONE_REQUEST, label, request.id)
    return None
