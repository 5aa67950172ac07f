"""A contract's to-do list, for both parties."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.api.deps import (
    MALFORMED,
    SIGNED_OUT,
    BearerToken,
    CurrentUser,
    Service,
    SignedInBeforeBody,
    refusals,
)
from service.api.routes.contracts import CONTRACT_REFUSALS, ContractId, contract_write_refusals
from service.schemas import MAX_JSON_BYTES, Id, NoNul
from service.workroom import todos
from service.workroom.access import party_contract

TodoId = Annotated[Id, Path()]
MAX_TODOS = 1000  # named in one reordering


class TodoIn(BaseModel):
    text: Annotated[str, Field(min_length=1, max_length=todos.MAX_TODO_CHARS), NoNul]
    done: bool = False


class TodoOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    text: str
    done: bool
    position: int = Field(description="its place in the list, from 0 (lists are answered in order)")
    created_at: datetime
    updated_at: datetime


class TodoOrder(BaseModel):
    ids: Annotated[
        list[Id],
        Field(
            max_length=MAX_TODOS,
            description="the to-dos' ids in their new order (the list as the user sees it)",
        ),
    ]

    @field_validator("ids")
    @classmethod
    def _each_once(cls, ids: list[str]) -> list[str]:
        if len(set(ids)) != len(ids):
            raise ValueError("name each to-do once")
        return ids


router = APIRouter()
writes = APIRouter(route_class=SignedInBeforeBody)
VIEW_ONLY = "the contract is ended, declined or withdrawn: its workroom is view-only"


@router.get("/contracts/{contract_id}/todos", tags=["todos"], responses=CONTRACT_REFUSALS)
def todo_list(contract_id: ContractId, context: Service, user: CurrentUser) -> list[TodoOut]:
    """The contract's to-dos, in their order."""
    with context.database.reading() as session:
        contract, _ = party_contract(session, user, contract_id)
        return [TodoOut.model_validate(todo) for todo in todos.todo_list(session, contract)]


# Before PUT …/todos/{todo_id}, which would take "order" for an id.
@writes.put(
    "/contracts/{contract_id}/todos/order",
    tags=["todos"],
    max_body_size=MAX_JSON_BYTES,
    responses=contract_write_refusals(
        VIEW_ONLY,
        not_found="no contract of yours has this id, or it has no to-do with one of the ids",
        malformed=MALFORMED + ", an id named twice",
    ),
)
def reorder(contract_id: ContractId, body: TodoOrder, context: Service, token: BearerToken) -> list[TodoOut]:
    """Put the to-dos in this order (as the user dragged them): to-dos not named, added meanwhile,
    follow in their order; deleted ones named are passed over. The list, in its new order."""
    with context.writing_as(token) as (session, user):
        contract, _ = party_contract(session, user, contract_id)
        ordered = todos.reorder(session, contract, user, body.ids, context.clock.now())
        return [TodoOut.model_validate(todo) for todo in ordered]


@writes.put(
    "/contracts/{contract_id}/todos/{todo_id}",
    tags=["todos"],
    max_body_size=MAX_JSON_BYTES,
    responses=contract_write_refusals(f"{VIEW_ONLY}; the to-do was deleted; or its id is another contract's"),
)
def put_todo(
    contract_id: ContractId, todo_id: TodoId, body: TodoIn, context: Service, token: BearerToken
) -> TodoOut:
    """Add a to-do under an id you make (at the end of the list), or change its text or whether it
    is done. A replay answers the to-do as it is; a deleted one stays deleted."""
    with context.writing_as(token) as (session, user):
        contract, _ = party_contract(session, user, contract_id)
        todo = todos.put_todo(session, contract, user, todo_id, body.text, body.done, context.clock.now())
        return TodoOut.model_validate(todo)


@writes.delete(
    "/contracts/{contract_id}/todos/{todo_id}",
    tags=["todos"],
    status_code=204,
    responses=refusals(
        {
            401: SIGNED_OUT,
            404: "no contract of yours has this id, or it has no such to-do",
            409: f"{VIEW_ONLY}; or the id is another contract's",
            422: MALFORMED,
        }
    ),
)
def delete_todo(contract_id: ContractId, todo_id: TodoId, context: Service, token: BearerToken) -> None:
    """Delete a to-do for good (deleting it again answers 204 as well)."""
    with context.writing_as(token) as (session, user):
        contract, _ = party_contract(session, user, contract_id)
        todos.delete_todo(session, contract, user, todo_id, context.clock.now())


router.include_router(writes)
