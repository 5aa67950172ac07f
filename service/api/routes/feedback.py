"""Feedback after a contract's end: a rating and a comment from each party, within 14 days."""

from __future__ import annotations

from fastapi import APIRouter

from service.api.deps import BearerToken, Service, SignedInBeforeBody
from service.api.routes.contracts import ContractId, FeedbackOut, feedback_out
from service.api.routes.offers import action_refusals
from service.schemas import MAX_JSON_BYTES
from service.workroom import feedback
from service.workroom.access import party_contract

router = APIRouter(route_class=SignedInBeforeBody, tags=["contracts"])


@router.put(
    "/contracts/{contract_id}/feedback",
    max_body_size=MAX_JSON_BYTES,
    responses=action_refusals("not ended, the 14 days are over, or other feedback was left already"),
)
def leave_feedback(
    contract_id: ContractId, body: feedback.FeedbackIn, context: Service, token: BearerToken
) -> FeedbackOut:
    """Leave the viewer's feedback on an ended contract, once, within 14 days of the end; the same
    again answers it, other feedback is refused. The other side sees it when both have left theirs or
    the 14 days are over (GET …/details)."""
    with context.writing_as(token) as (session, user):
        contract, role = party_contract(session, user, contract_id)
        return feedback_out(
            contract, feedback.leave(session, contract, role, user, body, context.clock.now())
        )
