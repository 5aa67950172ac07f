"""A contract's life over the API: offers and their answers, pause and resume, a change of terms,
the end. Each answers the contract as it is then, with the viewer's menu."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from common.states import Action
from service.api.deps import (
    JSON_TOO_LARGE,
    MALFORMED,
    SIGNED_OUT,
    BearerToken,
    Service,
    SignedInBeforeBody,
    refusals,
)
from service.api.routes.contracts import ContractId, ContractOut, change_contract, contract_out
from service.schemas import MAX_JSON_BYTES
from service.workroom import life
from service.workroom.access import party_role

router = APIRouter(route_class=SignedInBeforeBody, tags=["contracts"])


def action_refusals(not_now: str, body: bool = True) -> dict[int | str, dict[str, Any]]:
    """An action's refusals: not the viewer's role's (403), not now (409); a body too large."""
    return {
        **refusals(
            {
                401: SIGNED_OUT,
                403: "the viewer's role never may",
                404: "no contract of yours has this id",
                409: not_now,
                422: MALFORMED,
            }
        ),
        **(JSON_TOO_LARGE if body else {}),
    }


@router.put(
    "/contracts/{contract_id}",
    max_body_size=MAX_JSON_BYTES,
    responses=action_refusals(
        "the id is another's contract, a milestone id is taken, or (a proposal) no contract with that client"
    )
    | refusals(
        {
            403: "an agency member's: the agency proposes contracts",
            404: "no freelancer has the email (a client's offer)",
        }
    ),
)
def offer(contract_id: ContractId, body: life.OfferIn, context: Service, token: BearerToken) -> ContractOut:
    """Offer a new contract, made with the id ``contract_id``: a client's to a freelancer, or a
    freelancer's proposal to a client they have a contract with. It waits, offered, for the other
    party's answer. A replay answers the offer as first made."""
    with context.writing_as(token) as (session, user):
        now = context.clock.now()
        made = life.make_offer(session, user, contract_id, body, now)
        role = party_role(made, user)
        return contract_out(session, made, role, user, now)


@router.post(
    "/contracts/{contract_id}/accept",
    max_body_size=MAX_JSON_BYTES,
    responses=action_refusals("not an offer waiting for the viewer, or a rate other than the offer's"),
)
def accept(contract_id: ContractId, body: life.AcceptIn, context: Service, token: BearerToken) -> ContractOut:
    """Accept an offer made to the viewer (a freelancer with their proposal): the contract becomes
    active."""
    return change_contract(
        context,
        token,
        contract_id,
        lambda session, c, role, user, now: life.accept(session, c, role, user, body, now),
    )


def _status_route(path: str, action: Action, doc: str, not_now: str) -> None:
    def change(contract_id: ContractId, context: Service, token: BearerToken) -> ContractOut:
        return change_contract(
            context,
            token,
            contract_id,
            lambda session, c, role, user, now: life.change_status(session, c, role, user, action, now),
        )

    change.__doc__ = doc
    router.post(
        f"/contracts/{{contract_id}}/{path}", responses=action_refusals(not_now, body=False), name=path
    )(change)


_status_route(
    "decline", Action.DECLINE_OFFER, "Decline an offer made to the viewer.", "not an offer to the viewer"
)
_status_route(
    "withdraw", Action.WITHDRAW_OFFER, "Withdraw an offer the viewer made.", "not an offer of the viewer's"
)
_status_route("pause", Action.PAUSE, "The client pauses the contract: it takes no new time.", "not active")
_status_route("resume", Action.RESUME, "The client resumes a paused contract.", "not paused")
_status_route(
    "end",
    Action.END_CONTRACT,
    "Either party ends the contract: it becomes view-only but for feedback (14 days) and refunds.",
    "not active or paused",
)


@router.put(
    "/contracts/{contract_id}/terms",
    max_body_size=MAX_JSON_BYTES,
    responses=action_refusals("not a live hourly contract"),
)
def change_terms(
    contract_id: ContractId, body: life.TermsIn, context: Service, token: BearerToken
) -> ContractOut:
    """The client changes the hourly terms (rate, weekly limit, manual time) from the next work week;
    the contract's ``pending_terms`` show them until then. The same terms again change nothing."""
    return change_contract(
        context,
        token,
        contract_id,
        lambda session, c, role, user, now: life.change_terms(session, c, role, user, body, now),
    )
