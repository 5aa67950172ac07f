"""The contracts a user is on, and a contract's week of blocks."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from common.contract import CONTRACT_TERMS
from service import timesheet
from service.api.deps import JSON_TOO_LARGE, MALFORMED, SIGNED_OUT, CurrentUser, Service, refusals
from service.models import Contract, User
from service.schemas import BlockOut, ContractOut, Day, Id
from service.workroom.access import viewer_role

ContractId = Annotated[Id, Path()]

router = APIRouter()


@router.get("/contracts", tags=["contracts"], responses=refusals({401: SIGNED_OUT}))
def contracts(context: Service, user: CurrentUser) -> list[ContractOut]:
    with context.database.reading() as session:
        return [_contract_out(contract, user) for contract in timesheet.user_contracts(session, user)]


NOT_YOURS = "no contract of yours has this id"
CONTRACT_REFUSALS = refusals({401: SIGNED_OUT, 404: NOT_YOURS, 422: MALFORMED})


def contract_write_refusals(
    refused: str | None, not_found: str = NOT_YOURS, malformed: str = MALFORMED
) -> dict[int | str, dict[str, Any]]:
    """The refusals of a write with a JSON body on a contract: ``refused`` (409) when a rule may refuse it."""
    described = {401: SIGNED_OUT, 404: not_found, 422: malformed} | ({409: refused} if refused else {})
    return {**refusals(described), **JSON_TOO_LARGE}


@router.get("/contracts/{contract_id}", tags=["contracts"], responses=CONTRACT_REFUSALS)
def contract(contract_id: ContractId, context: Service, user: CurrentUser) -> ContractOut:
    with context.database.reading() as session:
        return _contract_out(timesheet.user_contract(session, user, contract_id), user)


def _contract_out(contract: Contract, user: User) -> ContractOut:
    return ContractOut(
        id=contract.id,
        client_name=contract.client.name,
        freelancer_name=contract.freelancer.name,
        role=viewer_role(contract, user),
        **{name: getattr(contract, name) for name in CONTRACT_TERMS},
    )


@router.get("/contracts/{contract_id}/blocks", tags=["blocks"], responses=CONTRACT_REFUSALS)
def contract_blocks(
    contract_id: ContractId,
    context: Service,
    user: CurrentUser,
    week: Annotated[Day | None, Query(description="a date of the UTC work week; default: this week")] = None,
) -> list[BlockOut]:
    day = week or context.clock.now().date()
    with context.database.reading() as session:
        return [
            BlockOut.model_validate(block) for block in timesheet.week_blocks(session, user, contract_id, day)
        ]
